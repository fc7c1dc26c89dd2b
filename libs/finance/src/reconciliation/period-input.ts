import { MAX_PERIOD_DAYS } from './reconciliation.run';

/**
 * `from` and `to` as given on the command line or in a query: ISO dates or
 * date-times, `from` before `to`, at most `MAX_PERIOD_DAYS` apart. Returns
 * the period or a sentence naming what is wrong.
 */
export function parseReconciliationPeriod(
  from: string | undefined,
  to: string | undefined,
): { from: Date; to: Date } | string {
  if (!from || !to) return 'from and to are required (ISO dates, e.g. 2026-11-01)';
  const start = parseDate(from);
  const end = parseDate(to);
  if (!start) return `from is not an ISO date or date-time: "${from}"`;
  if (!end) return `to is not an ISO date or date-time: "${to}"`;
  if (start.getTime() >= end.getTime()) return 'from must be before to';
  if (end.getTime() - start.getTime() > MAX_PERIOD_DAYS * 86_400_000)
    return `a reconciliation covers at most ${MAX_PERIOD_DAYS} days`;
  return { from: start, to: end };
}

function parseDate(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text))
    return undefined;
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
