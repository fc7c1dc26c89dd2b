import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { explain } from '../../errors';
import { Empty, FormError, Loading } from '../../ui';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * A list the console reads a page at a time: the first page whenever one of
 * `deps` changes or `reload` is called, the next on `more`. A read that
 * fails is a problem in words (a string); the last items stay meanwhile.
 */
export function usePagedList<T>(
  read: (cursor?: string) => Promise<Page<T> | string>,
  deps: readonly unknown[],
) {
  const [items, setItems] = useState<readonly T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<string>();
  const [tick, setTick] = useState(0);

  const load = useCallback(
    async (from?: string) => {
      setProblem(undefined);
      const page = await read(from);
      if (typeof page === 'string') return setProblem(page);
      setItems((before) => (from && before ? [...before, ...page.items] : page.items));
      setCursor(page.nextCursor);
    },
    // The caller's deps decide when the first page is read again.
    deps,
  );
  useEffect(() => {
    void load();
  }, [load, tick]);

  return {
    items,
    cursor,
    problem,
    more: () => cursor && void load(cursor),
    reload: () => setTick((t) => t + 1),
  };
}

/** The "Show … that are" select above a list. */
export function StatusFilter<S extends string>(props: {
  id: string;
  label: string;
  value: S;
  options: readonly (readonly [S, string])[];
  onChange: (value: S) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => {
          const chosen = props.options.find(([v]) => v === e.target.value);
          if (chosen) props.onChange(chosen[0]);
        }}
      >
        {props.options.map(([value, words]) => (
          <option key={value} value={value}>
            {words}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A paged list's states: its problem, loading, empty, the items, and "More…". */
export function PagedList<T>(props: {
  list: ReturnType<typeof usePagedList<T>>;
  what: string;
  empty: ReactNode;
  moreText: string;
  /** A problem of the panel's own, such as opening an item, shown on the list's line. */
  problem?: string | undefined;
  /** Buttons beside "More…", such as Refresh. */
  actions?: ReactNode;
  children: (items: readonly T[]) => ReactNode;
}) {
  const { items, cursor, more } = props.list;
  const problem = props.problem ?? props.list.problem;
  const moreButton = cursor && (
    <button type="button" onClick={more}>
      {props.moreText}
    </button>
  );
  return (
    <>
      <FormError text={problem} />
      {!items ? (
        problem ? null : (
          <Loading what={props.what} />
        )
      ) : items.length === 0 ? (
        <Empty>{props.empty}</Empty>
      ) : (
        props.children(items)
      )}
      {props.actions ? (
        <div className="row">
          {props.actions}
          {moreButton}
        </div>
      ) : (
        moreButton
      )}
    </>
  );
}

/** The query of a list the API pages and filters by status. */
export interface StatusQuery<S extends string> {
  status: S;
  limit: number;
  cursor?: string;
}

/** What the API client answers for one page of such a list. */
interface PageAnswer<T> {
  data?: Page<T>;
  error?: unknown;
  response: Response;
}

/**
 * A list the console shows by status, 20 at a time, with a line saying what
 * the last action on one of its items did. The first page is read again when
 * the status or one of `deps` changes.
 */
export function useStatusList<S extends string, T>(
  initial: S,
  read: (query: StatusQuery<S>) => Promise<PageAnswer<T>>,
  deps: readonly unknown[] = [],
) {
  const [status, setStatus] = useState<S>(initial);
  const [notice, setNotice] = useState<string>();
  const list = usePagedList<T>(
    async (cursor) => {
      const { data, error, response } = await read({
        status,
        limit: 20,
        ...(cursor ? { cursor } : {}),
      });
      return response.ok && data ? data : explain(error, response.status).text;
    },
    [status, ...deps],
  );
  return { status, setStatus, notice, setNotice, list };
}

/** A status list's filter, the notice of its last action, and its pages. */
export function StatusList<S extends string, T>(props: {
  state: ReturnType<typeof useStatusList<S, T>>;
  filter: { id: string; label: string; options: readonly (readonly [S, string])[] };
  /** The test id of the notice line. */
  noticeId: string;
  what: string;
  empty: ReactNode;
  moreText: string;
  children: (items: readonly T[]) => ReactNode;
}) {
  const { state, filter } = props;
  return (
    <>
      <StatusFilter
        id={filter.id}
        label={filter.label}
        value={state.status}
        options={filter.options}
        onChange={state.setStatus}
      />
      <p role="status" data-testid={props.noticeId}>
        {state.notice ?? ''}
      </p>
      <PagedList list={state.list} what={props.what} empty={props.empty} moreText={props.moreText}>
        {props.children}
      </PagedList>
    </>
  );
}
