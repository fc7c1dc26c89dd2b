import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import {
  SecurityAuditService,
  type RecordedSecurityEvent,
  type SecurityEventQuery,
} from './security-audit.service';

export interface SecurityEventsPage {
  readonly items: RecordedSecurityEvent[];
  /** The last event's cursor when the page is full (more may follow), else null. */
  readonly nextCursor: string | null;
}

/** One page of the security audit trail, newest first, on the `@nestjs/cqrs` QueryBus. */
export class SecurityEventsPageQuery extends Query<SecurityEventsPage> {
  constructor(readonly query: SecurityEventQuery) {
    super();
  }
}

@QueryHandler(SecurityEventsPageQuery)
export class SecurityEventsPageHandler implements IQueryHandler<SecurityEventsPageQuery> {
  constructor(private readonly audit: SecurityAuditService) {}

  async execute({ query }: SecurityEventsPageQuery): Promise<SecurityEventsPage> {
    const items = await this.audit.list(query);
    const last = items.at(-1);
    return { items, nextCursor: items.length === query.limit && last ? last.cursor : null };
  }
}
