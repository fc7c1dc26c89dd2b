import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, refreshSession, setAccessToken, whenSessionLost, SESSION_HEADER } from './api/client';
import type { components } from './api/openapi';

export type Me = components['schemas']['MeDto'];

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'offline' }
  | { status: 'signed-in'; me: Me };

interface SessionApi {
  state: SessionState;
  /** Called with the access token from sign-up, login or the 2FA step. */
  begin(accessToken: string): Promise<void>;
  reload(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe without a session');
  return state.me;
}

export function isStaff(me: Me): boolean {
  return me.roles.some((role) => role !== 'customer' && role !== 'merchant');
}

export function isMerchant(me: Me): boolean {
  return me.roles.includes('merchant');
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const reload = useCallback(async () => {
    const { data } = await api.GET('/me');
    setState(data ? { status: 'signed-in', me: data } : { status: 'signed-out' });
  }, []);

  const begin = useCallback(
    async (accessToken: string) => {
      setAccessToken(accessToken);
      await reload();
    },
    [reload],
  );

  const signOut = useCallback(async () => {
    await api.POST('/auth/logout', { headers: SESSION_HEADER }).catch(() => undefined);
    setAccessToken(null);
    // What the service worker kept for offline reading belongs to this person.
    navigator.serviceWorker?.controller?.postMessage({ type: 'forget' });
    setState({ status: 'signed-out' });
  }, []);

  useEffect(() => {
    whenSessionLost(() => setState({ status: 'signed-out' }));
    // A reload keeps the session through the refresh cookie, never through storage.
    refreshSession()
      .then((live) => (live ? reload() : setState({ status: 'signed-out' })))
      .catch(() => setState({ status: navigator.onLine ? 'signed-out' : 'offline' }));
  }, [reload]);

  return (
    <SessionContext.Provider value={{ state, begin, reload, signOut }}>
      {children}
    </SessionContext.Provider>
  );
}
