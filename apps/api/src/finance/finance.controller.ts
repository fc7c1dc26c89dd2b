import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { reconciliationCsv } from '@ledger/finance';
import {
  AdjustmentsPageQuery,
  ApproveAdjustmentCommand,
  BreaksPageQuery,
  ExplainBreakCommand,
  ReconciliationQuery,
  RecordReconciliationCommand,
  RejectAdjustmentCommand,
  ResolveBreakCommand,
} from '@ledger/finance/nest';
import { CurrentPrincipal, Roles, type Principal } from '@ledger/identity';
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
import {
  ApprovedAdjustmentView,
  FinanceAdjustmentPageView,
  FinanceAdjustmentView,
  ReconciliationView,
  ResolvedBreakView,
  StoredBreakPageView,
  StoredBreakView,
} from './finance.schemas';
import { adjustmentView, answerView, orReject, stringify } from './finance.views';

const ADJUSTMENT_ID = new ObjectIdPipe('approval_not_found');

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
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
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
    const result = orReject(
      await this.queries.execute(new ReconciliationQuery(query.from, query.to)),
    );
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
    const result = await this.commands.execute(
      new RecordReconciliationCommand(principal.userId, body.from, body.to),
    );
    return stringify(orReject(result));
  }

  @Get('breaks')
  @ApiOkResponse({
    type: StoredBreakPageView,
    description: 'Stored reconciliation breaks, by status',
  })
  async breaks(@Query() query: BreaksQueryDto) {
    const page = await this.queries.execute(
      new BreaksPageQuery({ status: query.status, after: query.cursor, limit: query.limit ?? 50 }),
    );
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
    const changed = await this.commands.execute(
      new ExplainBreakCommand(principal.userId, id, body.reason),
    );
    return stringify(orReject(changed));
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
    const { answer, break: resolved } = orReject(
      await this.commands.execute(
        new ResolveBreakCommand(principal.userId, id, body, req.idempotency.commandId),
      ),
    );
    const status = answer.kind === 'posted' ? 201 : 202;
    req.idempotency.statusCode = status;
    res.status(status);
    return stringify({ adjustment: adjustmentView(answer.adjustment), break: resolved });
  }

  @Get('adjustments')
  @ApiOkResponse({
    type: FinanceAdjustmentPageView,
    description: 'Adjustments and reversals finance asked for, newest first',
  })
  async listAdjustments(@Query() query: AdjustmentsQueryDto) {
    if (query.cursor !== undefined && !/^[0-9a-f-]{36}$/.test(query.cursor))
      throw new RejectionException('invalid_cursor');
    const page = await this.queries.execute(
      new AdjustmentsPageQuery({
        status: query.status,
        before: query.cursor,
        limit: query.limit ?? 50,
      }),
    );
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
    return answerView(
      orReject(
        await this.commands.execute(
          new ApproveAdjustmentCommand(principal.userId, id, body.reason),
        ),
      ),
    );
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
    return adjustmentView(
      orReject(
        await this.commands.execute(new RejectAdjustmentCommand(principal.userId, id, body.reason)),
      ),
    );
  }
}
