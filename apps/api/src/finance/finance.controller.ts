import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { EVENT_STORE, formatPosition, type EventStore } from '@ledger/event-store';
import {
  changeBreak,
  FINANCE_CONFIG,
  getBreak,
  listAdjustments,
  listBreaks,
  parseReconciliationPeriod,
  reconciliationCsv,
  runReconciliation,
  type FinanceConfig,
  type Rail,
  type ReconciliationResult,
} from '@ledger/finance';
import { CurrentPrincipal, Roles, SecurityAuditService, type Principal } from '@ledger/identity';
import {
  MOBILE_MONEY_GATEWAY,
  PAYMENT_GATEWAY,
  TransientGatewayError,
  type PaymentGateway,
} from '@ledger/payments';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { ObjectIdPipe } from '../http/object-id.pipe';
import { RejectionException } from '../http/rejection';
import {
  AdjustmentsQueryDto,
  BreaksQueryDto,
  ReasonDto,
  ReconciliationQueryDto,
  ResolveBreakDto,
} from './finance.dto';
import { FinanceAdjustments, type AdjustmentAnswer } from './finance-adjustments.service';
import {
  ApprovedAdjustmentView,
  FinanceAdjustmentPageView,
  FinanceAdjustmentView,
  ReconciliationView,
  ResolvedBreakView,
  StoredBreakPageView,
  StoredBreakView,
} from './finance.schemas';
import { adjustmentView } from './finance.views';

const ADJUSTMENT_ID = new ObjectIdPipe('approval_not_found');
const BREAK_ID = /^brk_[0-9a-f]{24}$/;

type IdempotentRequest = { idempotency: IdempotencyContext };
type Response = { status(code: number): unknown; type(contentType: string): unknown };

/**
 * Finance's desk: three-way reconciliation and its breaks, and adjustments
 * awaiting a second finance user (month close is `FinancePeriodsController`). Auditors and admins read all
 * of it; only finance changes anything, and every change is recorded in the
 * security audit trail with who and why.
 */
@ApiTags('finance')
@ApiBearerAuth()
@ApiExtraModels(ReconciliationView)
@Roles('finance', 'auditor', 'admin')
@Controller('finance')
export class FinanceController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PAYMENT_GATEWAY) private readonly card: PaymentGateway,
    @Inject(MOBILE_MONEY_GATEWAY) private readonly mobile: PaymentGateway | null,
    @Inject(FINANCE_CONFIG) private readonly config: FinanceConfig,
    private readonly adjustments: FinanceAdjustments,
    private readonly audit: SecurityAuditService,
  ) {}

  @Get('reconciliation')
  @ApiOkResponse({
    description:
      'Matched items, breaks (with their stored status) and clearing lines of [from, to); computed, nothing written. CSV with Accept: text/csv',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ReconciliationView) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async reconciliation(
    @Query() query: ReconciliationQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.reconcile(query, false);
    if (accept?.includes('text/csv')) {
      res.type('text/csv; charset=utf-8');
      return reconciliationCsv(result);
    }
    return stringify(result);
  }

  @Post('reconciliation')
  @Roles('finance')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReconciliationView,
    description: 'Reconciles [from, to) and records the breaks found for finance',
  })
  async recordReconciliation(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ReconciliationQueryDto,
  ) {
    const result = await this.reconcile(body, true);
    await this.audit.record({
      type: 'FinanceActionRecorded',
      userId: principal.userId,
      data: {
        action: 'breaks_recorded',
        subject: `${result.from}/${result.to}`,
        reason: 'reconciliation run',
        breaks: result.breaks.length,
        matched: result.matched.length,
      },
    });
    return stringify(result);
  }

  @Get('breaks')
  @ApiOkResponse({
    type: StoredBreakPageView,
    description: 'Stored reconciliation breaks, by status',
  })
  async breaks(@Query() query: BreaksQueryDto) {
    const page = await listBreaks(this.db, {
      status: query.status,
      after: query.cursor,
      limit: query.limit ?? 50,
    });
    return stringify(page);
  }

  @Post('breaks/:id/explain')
  @Roles('finance')
  @HttpCode(200)
  @ApiOkResponse({
    type: StoredBreakView,
    description: 'Marks an open break explained: a difference that is no error',
  })
  async explain(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: ReasonDto,
  ) {
    const found = await this.breakOrThrow(id);
    if (found.status !== 'open')
      throw new RejectionException(
        found.status === 'resolved' ? 'break_already_resolved' : 'break_not_open',
      );
    const changed = await changeBreak(this.db, found.id, {
      status: 'explained',
      note: body.reason,
      by: principal.userId,
    });
    if (!changed) throw new RejectionException('break_not_open');
    await this.audit.record({
      type: 'FinanceActionRecorded',
      userId: principal.userId,
      data: { action: 'break_explained', subject: found.id, reason: body.reason },
    });
    return stringify(changed);
  }

  @Post('breaks/:id/resolve')
  @Roles('finance')
  @Idempotent()
  @ApiCreatedResponse({
    type: ResolvedBreakView,
    description: 'The adjustment posted and the break resolved by it',
  })
  @ApiAcceptedResponse({
    type: ResolvedBreakView,
    description: 'The adjustment awaits a second finance user',
  })
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: ResolveBreakDto,
    @Req() req: IdempotentRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const found = await this.breakOrThrow(id);
    if (found.status === 'resolved') throw new RejectionException('break_already_resolved');
    const answer = await this.adjustments.request(
      principal,
      { ...body, breakId: found.id },
      req.idempotency.commandId,
    );
    const status = answer.kind === 'posted' ? 201 : 202;
    req.idempotency.statusCode = status;
    res.status(status);
    return stringify({
      adjustment: adjustmentView(answer.adjustment),
      break: await getBreak(this.db, found.id),
    });
  }

  @Get('adjustments')
  @ApiOkResponse({
    type: FinanceAdjustmentPageView,
    description: 'Adjustments and reversals finance asked for, newest first',
  })
  async listAdjustments(@Query() query: AdjustmentsQueryDto) {
    if (query.cursor !== undefined && !/^[0-9a-f-]{36}$/.test(query.cursor))
      throw new RejectionException('invalid_cursor');
    const page = await listAdjustments(this.db, {
      status: query.status,
      before: query.cursor,
      limit: query.limit ?? 50,
    });
    return { items: page.items.map(adjustmentView), nextCursor: page.nextCursor };
  }

  @Post('adjustments/:id/approve')
  @Roles('finance')
  @HttpCode(200)
  @ApiOkResponse({
    type: ApprovedAdjustmentView,
    description: "A second finance user's approval: the adjustment is posted",
  })
  async approve(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ADJUSTMENT_ID) id: string,
    @Body() body: ReasonDto,
  ) {
    return answerView(await this.adjustments.approve(principal, id, body.reason));
  }

  @Post('adjustments/:id/reject')
  @Roles('finance')
  @HttpCode(200)
  @ApiOkResponse({ type: FinanceAdjustmentView, description: 'The adjustment will not be posted' })
  async reject(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ADJUSTMENT_ID) id: string,
    @Body() body: ReasonDto,
  ) {
    return adjustmentView(await this.adjustments.reject(principal, id, body.reason));
  }

  private async reconcile(
    query: ReconciliationQueryDto,
    record: boolean,
  ): Promise<ReconciliationResult> {
    const period = parseReconciliationPeriod(query.from, query.to);
    if (typeof period === 'string')
      throw new RejectionException('invalid_reconciliation_period', period);
    const gateways: Array<{ rail: Rail; gateway: PaymentGateway }> = [
      { rail: 'card', gateway: this.card },
      ...(this.mobile ? [{ rail: 'mpesa' as const, gateway: this.mobile }] : []),
    ];
    try {
      return await runReconciliation(
        { db: this.db, store: this.store, gateways, config: this.config },
        period,
        { record },
      );
    } catch (error) {
      if (error instanceof TransientGatewayError)
        throw new RejectionException('payment_provider_unavailable');
      throw error;
    }
  }

  private async breakOrThrow(id: string) {
    const found = BREAK_ID.test(id) ? await getBreak(this.db, id) : undefined;
    if (!found) throw new RejectionException('break_not_found');
    return found;
  }
}

function answerView(answer: AdjustmentAnswer) {
  const position = answer.kind === 'posted' && answer.outcome.ok && answer.outcome.position;
  return {
    adjustment: adjustmentView(answer.adjustment),
    ...(position && { position: formatPosition(position) }),
  };
}

/** bigint → string everywhere in a response body. */
function stringify<T>(value: T): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}
