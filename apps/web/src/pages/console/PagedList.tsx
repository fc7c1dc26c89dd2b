import { useCallback, useEffect, useState, type ReactNode } from 'react';
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
  children: (items: readonly T[]) => ReactNode;
}) {
  const { items, problem, cursor, more } = props.list;
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
      {cursor && (
        <button type="button" onClick={more}>
          {props.moreText}
        </button>
      )}
    </>
  );
}
