import { useEffect, useRef, useState } from 'react';

/** How often a page re-reads what can change under it (balances, statuses). */
export const POLL_MS = 2000;

/**
 * Loads with `load`, then again every POLL_MS while the page is visible, and
 * keeps the last good answer on screen while the next one is on its way, so
 * a live update replaces numbers in place instead of flashing a spinner.
 */
export function useLive<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    const run = async () => {
      if (document.hidden) return;
      try {
        const value = await loadRef.current();
        if (!stopped) {
          setData(value);
          setFailed(false);
        }
      } catch {
        if (!stopped) setFailed(true);
      }
    };
    void run();
    const timer = setInterval(run, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  return { data, failed, reload: () => setTick((t) => t + 1) };
}
