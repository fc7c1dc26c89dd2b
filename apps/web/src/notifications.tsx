import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

export interface Notice {
  id: number;
  tone: 'success' | 'failure' | 'info';
  text: string;
}

const NoticeContext = createContext<(tone: Notice['tone'], text: string) => void>(() => undefined);

export function useNotify() {
  return useContext(NoticeContext);
}

let nextId = 1;

/**
 * Notices of completed and failed movements. They stack in a fixed corner
 * (so the page under them never moves) and are announced to screen readers.
 */
export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const notify = useCallback((tone: Notice['tone'], text: string) => {
    const id = nextId++;
    setNotices((all) => [...all.slice(-3), { id, tone, text }]);
    setTimeout(() => setNotices((all) => all.filter((n) => n.id !== id)), 8000);
  }, []);
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div className="notices" role="status" aria-live="polite">
        {notices.map((notice) => (
          <p key={notice.id} className={`notice ${notice.tone}`}>
            {notice.text}
            <button
              type="button"
              aria-label="Dismiss"
              onClick={() => setNotices((all) => all.filter((n) => n.id !== notice.id))}
            >
              ×
            </button>
          </p>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}
