import { useEffect, useRef, useState } from 'react';
import { currentAccessToken, refreshSession } from './api/client';
import { parseSse } from './sse';

/** How often a page re-reads what can change under it when the event stream is not open. */
export const POLL_MS = 2000;
/** Reconnection after a dropped stream waits 1 s, 2 s, 4 s … up to this. */
export const MAX_BACKOFF_MS = 30_000;

export type StreamState = 'closed' | 'connecting' | 'open' | 'unavailable';

type Listener = () => void;
const changeListeners = new Set<Listener>();
const stateListeners = new Set<Listener>();
let state: StreamState = 'closed';
let lastEventId: string | undefined;
let controller: AbortController | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let attempt = 0;

function setState(next: StreamState): void {
  if (state === next) return;
  state = next;
  for (const listener of stateListeners) listener();
}

function changed(): void {
  for (const listener of changeListeners) listener();
}

/**
 * GET /me/events, read with fetch() because EventSource cannot send the
 * Authorization header. Each frame (balance, movement, reset) tells the
 * pages to re-read; `id:` is kept and sent back as Last-Event-ID after a
 * drop, so nothing is missed. A stream that cannot be opened at all (no
 * route, refused) leaves the pages polling.
 */
async function connect(): Promise<void> {
  const token = currentAccessToken();
  if (!token) return setState('unavailable');
  const own = new AbortController();
  controller = own;
  setState('connecting');
  let opened = false;
  try {
    const headers: Record<string, string> = {
      Accept: 'text/event-stream',
      Authorization: `Bearer ${token}`,
    };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    const response = await fetch('/me/events', { headers, signal: own.signal });
    if (response.status === 401 && (await refreshSession())) return scheduleRetry(0);
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || !response.body || !type.startsWith('text/event-stream')) {
      // Nothing to follow here: polling it is, for this page's life.
      return setState('unavailable');
    }
    opened = true;
    attempt = 0;
    setState('open');
    // What changed while the stream was closed is read once now.
    changed();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const parsed = parseSse(buffer + value);
      buffer = parsed.rest;
      if (parsed.frames.length === 0) continue;
      for (const frame of parsed.frames) if (frame.id) lastEventId = frame.id;
      changed();
    }
  } catch {
    // Stopped on purpose: nothing to retry.
    if (own.signal.aborted) return;
  }
  if (own.signal.aborted) return;
  if (changeListeners.size === 0) return setState('closed');
  // A drop after the stream was open, or a network failure: try again, polling meanwhile.
  if (opened) attempt = 0;
  scheduleRetry(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++));
}

function scheduleRetry(ms: number): void {
  clearTimeout(retryTimer);
  setState('connecting');
  retryTimer = setTimeout(() => void connect(), ms);
}

function start(): void {
  if (state === 'closed') void connect();
}

function stop(): void {
  clearTimeout(retryTimer);
  controller?.abort();
  controller = null;
  // The next session (perhaps another person's) starts afresh: its pages read once on open.
  lastEventId = undefined;
  attempt = 0;
  setState('closed');
}

/** Whether the page follows the event stream right now (false: it polls). */
export function useStreamState(): StreamState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    const listener = () => setCurrent(state);
    stateListeners.add(listener);
    listener();
    return () => {
      stateListeners.delete(listener);
    };
  }, []);
  return current;
}

/**
 * Loads with `load`, then again whenever the event stream reports a change
 * (or every POLL_MS while the page is visible and the stream is not open),
 * and keeps the last good answer on screen while the next one is on its
 * way, so a live update replaces numbers in place instead of flashing a spinner.
 */
export function useLive<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const stream = useStreamState();

  useEffect(() => {
    let stopped = false;
    let running = false;
    let again = false;
    const run = async () => {
      if (document.hidden) return;
      // One read at a time; a change during a read causes exactly one more.
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const value = await loadRef.current();
        if (!stopped) {
          setData(value);
          setFailed(false);
        }
      } catch {
        if (!stopped) setFailed(true);
      } finally {
        running = false;
        if (again && !stopped) {
          again = false;
          void run();
        }
      }
    };
    void run();
    const onChange = () => void run();
    changeListeners.add(onChange);
    start();
    const timer = stream === 'open' ? undefined : setInterval(() => void run(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
      changeListeners.delete(onChange);
      // Pages re-subscribe in the same commit (a route change, the stream opening): stop only
      // when none did.
      setTimeout(() => {
        if (changeListeners.size === 0) stop();
      }, 0);
    };
  }, [...deps, tick, stream === 'open']);

  return { data, failed, reload: () => setTick((t) => t + 1) };
}
