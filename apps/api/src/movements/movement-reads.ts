import { formatPosition } from '@ledger/event-store';
import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { RecipientDirectory } from '@ledger/identity';
import { isFormatLocale } from '@ledger/ledger';
import { MAX_STATEMENT_EXPORT_ROWS, type MovementFilter } from '@ledger/read-models';
import {
  MovementRecordQuery,
  MovementsPageQuery,
  WalletStatementExportQuery,
  WalletStatementPageQuery,
} from '@ledger/read-models/nest';
import { RejectionException } from '../http/rejection';
import { Counterparties } from './counterparties';
import type {
  ListMovementsQueryDto,
  MovementFilterQueryDto,
  MovementItemView,
  MovementPageView,
  StatementLineView,
} from './movement-list.dto';
import { movementItem, statementLine, type ViewContext } from './movement-list.views';

/**
 * The movement read models as a wallet user sees them: filters checked,
 * counterparties named (never by id), amounts formatted when asked. The
 * routes check ownership of a wallet before they get here; the read models
 * answer on the QueryBus.
 */
@Injectable()
export class MovementReads {
  constructor(
    private readonly queries: QueryBus,
    private readonly counterparties: Counterparties,
    private readonly recipients: RecipientDirectory,
  ) {}

  async page(ownerId: string, query: ListMovementsQueryDto): Promise<MovementPageView> {
    const filter = await this.filterOf(query);
    if (!filter) return { items: [] };
    const page = await this.queries.execute(
      new MovementsPageQuery(ownerId, {
        ...filter,
        walletId: query.walletId,
        cursor: query.cursor,
        limit: query.limit,
      }),
    );
    if (typeof page === 'string') throw new RejectionException(page);
    const ctx = await this.context(
      query.format,
      page.items.flatMap((m) => m.legs.map((l) => l.counterpartyOwnerId)),
    );
    return {
      items: page.items.map((m) => movementItem(m, ctx)),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    };
  }

  /** One movement with the caller's legs; undefined when it has none the caller may see. */
  async one(id: string, ownerId: string | undefined, locale?: string) {
    const record = await this.queries.execute(new MovementRecordQuery(id, ownerId));
    if (!record) return undefined;
    const ctx = await this.context(
      locale,
      record.legs.map((l) => l.counterpartyOwnerId),
    );
    const item = movementItem(record, ctx) satisfies MovementItemView;
    // Where the movement's first event is: an adjustment's only one.
    return { ...item, position: formatPosition(record.position) };
  }

  async statement(walletId: string, query: MovementFilterQueryDto) {
    const filter = await this.filterOf(query);
    if (!filter) return { items: [] as StatementLineView[] };
    const page = await this.queries.execute(
      new WalletStatementPageQuery(walletId, {
        ...filter,
        cursor: query.cursor,
        limit: query.limit,
      }),
    );
    if (typeof page === 'string') throw new RejectionException(page);
    const ctx = await this.context(
      query.format,
      page.items.map((l) => l.leg.counterpartyOwnerId),
    );
    return {
      items: page.items.map((line) => statementLine(line, ctx)),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    };
  }

  /** A month of statement, oldest first, for the CSV download. */
  async statementMonth(walletId: string, month: string): Promise<StatementLineView[]> {
    const from = new Date(`${month}-01T00:00:00.000Z`);
    const to = new Date(from);
    to.setUTCMonth(to.getUTCMonth() + 1);
    const lines = await this.queries.execute(
      new WalletStatementExportQuery(walletId, { from, to }),
    );
    if (lines.length > MAX_STATEMENT_EXPORT_ROWS)
      throw new RejectionException('statement_too_large');
    const ctx = await this.context(
      undefined,
      lines.map((l) => l.leg.counterpartyOwnerId),
    );
    return lines.map((line) => statementLine(line, ctx));
  }

  /**
   * The read-model filter for a query; undefined when it can match nothing
   * (a counterparty nobody has), which answers an empty page rather than
   * saying whether that person exists.
   */
  private async filterOf(query: MovementFilterQueryDto): Promise<MovementFilter | undefined> {
    if (query.format !== undefined && !isFormatLocale(query.format))
      throw new RejectionException('invalid_format');
    let counterpartyOwnerId: string | undefined;
    if (query.counterparty !== undefined) {
      counterpartyOwnerId = query.counterparty.includes('@')
        ? await this.recipients.findUserIdByEmail(query.counterparty)
        : await this.recipients.findUserIdByPhone(query.counterparty);
      if (!counterpartyOwnerId) return undefined;
    }
    return {
      kinds: query.kind,
      statuses: query.status,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      counterpartyOwnerId,
    };
  }

  private async context(
    locale: string | undefined,
    ownerIds: Iterable<string | undefined>,
  ): Promise<ViewContext> {
    return { locale, counterparties: await this.counterparties.describe(ownerIds) };
  }
}
