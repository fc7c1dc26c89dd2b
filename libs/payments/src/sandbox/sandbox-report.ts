import {
  PROVIDER_REPORT_MAX_ITEMS,
  type ProviderReport,
  type ProviderReportInput,
  type ProviderReportItem,
} from '../payment-gateway.port';

/** Bounds what the sandbox's books remember, like its other maps. */
const MAX_BOOKED_ITEMS = 100_000;

/**
 * The sandbox provider's own books: what it settled, refunded and paid out,
 * as a real provider's balance transactions. Tests plant differences here
 * (`plant`, `forget`, `alter`) to see reconciliation find them.
 */
export class SandboxReport {
  private readonly items = new Map<string, ProviderReportItem>();

  book(item: ProviderReportItem): void {
    if (!this.items.has(item.objectId) && this.items.size >= MAX_BOOKED_ITEMS)
      this.items.delete(this.items.keys().next().value as string);
    this.items.set(item.objectId, item);
  }

  setStatus(objectId: string, status: string): void {
    const item = this.items.get(objectId);
    if (item) this.items.set(objectId, { ...item, status });
  }

  /** Test support: an object the provider booked that the ledger never recorded. */
  plant(item: ProviderReportItem): void {
    this.book(item);
  }

  /** Test support: the provider lost an object the ledger recorded. */
  forget(objectId: string): boolean {
    return this.items.delete(objectId);
  }

  /** Test support: the provider booked an object differently. */
  alter(objectId: string, changes: Partial<Omit<ProviderReportItem, 'objectId'>>): void {
    const item = this.items.get(objectId);
    if (!item) throw new RangeError(`The sandbox booked no ${objectId}`);
    this.items.set(objectId, { ...item, ...changes });
  }

  list(input: ProviderReportInput): ProviderReport {
    const from = input.from.getTime();
    const to = input.to.getTime();
    const items = [...this.items.values()]
      .filter((i) => i.occurredAt.getTime() >= from && i.occurredAt.getTime() < to)
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    return {
      supported: true,
      items: items.slice(0, PROVIDER_REPORT_MAX_ITEMS),
      truncated: items.length > PROVIDER_REPORT_MAX_ITEMS,
    };
  }
}
