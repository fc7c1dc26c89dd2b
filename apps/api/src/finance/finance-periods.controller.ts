import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AUDIT_CONFIG, type AuditConfig } from '@ledger/audit';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { formatPosition } from '@ledger/event-store';
import {
  getPeriodClose,
  insertPeriodClose,
  listPeriodCloses,
  periodBounds,
  signSeal,
  trialBalanceHash,
} from '@ledger/finance';
import { CurrentPrincipal, Roles, SecurityAuditService, type Principal } from '@ledger/identity';
import { trialBalanceAsOf } from '@ledger/read-models';
import { AsOfResolver } from '../http/as-of';
import { RejectionException } from '../http/rejection';
import { PeriodsQueryDto, ReasonDto } from './finance.dto';
import { PeriodSealPageView, PeriodSealView } from './finance.schemas';

/**
 * Month close: the closed months and their signed seals, and closing one.
 * Auditors and admins read them; only finance closes a month, recorded in the
 * security audit trail with who and why.
 */
@ApiTags('finance')
@ApiBearerAuth()
@Roles('finance', 'auditor', 'admin')
@Controller('finance')
export class FinancePeriodsController {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(AUDIT_CONFIG) private readonly auditConfig: AuditConfig,
    private readonly audit: SecurityAuditService,
    private readonly asOf: AsOfResolver,
  ) {}

  @Get('periods')
  @ApiOkResponse({
    type: PeriodSealPageView,
    description: 'Closed months and their signed seals, newest first',
  })
  async periods(@Query() query: PeriodsQueryDto) {
    if (query.cursor !== undefined && !periodBounds(query.cursor))
      throw new RejectionException('invalid_cursor');
    return listPeriodCloses(this.db, { before: query.cursor, limit: query.limit ?? 50 });
  }

  @Get('periods/:period')
  @ApiOkResponse({ type: PeriodSealView, description: "A closed month's seal" })
  async period(@Param('period') period: string) {
    if (!periodBounds(period)) throw new RejectionException('invalid_period');
    const seal = await getPeriodClose(this.db, period);
    if (!seal) throw new RejectionException('period_not_found');
    return seal;
  }

  /**
   * Closes a month: its trial balance as of the last event dated before the
   * month's end is sealed (hashed and signed with the checkpoint key) and
   * from then on nothing may be dated inside it.
   */
  @Post('periods/:period/close')
  @Roles('finance')
  @ApiCreatedResponse({ type: PeriodSealView, description: "The month's seal" })
  async close(
    @CurrentPrincipal() principal: Principal,
    @Param('period') period: string,
    @Body() body: ReasonDto,
  ) {
    const bounds = periodBounds(period);
    if (!bounds) throw new RejectionException('invalid_period');
    if (bounds.to.getTime() > Date.now()) throw new RejectionException('period_not_ended');
    if (await getPeriodClose(this.db, period))
      throw new RejectionException('period_already_closed');
    const point = await this.asOf.resolve({
      asOf: new Date(bounds.to.getTime() - 1).toISOString(),
    });
    const balance = await trialBalanceAsOf(this.db, point!.position);
    if (!balance.balanced) throw new RejectionException('trial_balance_unbalanced');
    const trialBalance = balance.lines.map((l) => ({
      currency: l.currency,
      debitsMinor: l.debitsMinor.toString(),
      creditsMinor: l.creditsMinor.toString(),
      balanced: l.balanced,
    }));
    const seal = signSeal(
      {
        version: 'ledger-period-close-v1',
        period,
        from: bounds.from.toISOString(),
        to: bounds.to.toISOString(),
        position: formatPosition(point!.position),
        trialBalance,
        trialBalanceHash: trialBalanceHash(trialBalance),
        closedBy: principal.userId,
        reason: body.reason,
        closedAt: new Date().toISOString(),
        keyId: this.auditConfig.signingKey.keyId,
      },
      this.auditConfig.signingKey,
    );
    if (!(await insertPeriodClose(this.db, seal)))
      throw new RejectionException('period_already_closed');
    await this.audit.record({
      type: 'FinanceActionRecorded',
      userId: principal.userId,
      data: {
        action: 'period_closed',
        subject: period,
        reason: body.reason,
        trialBalanceHash: seal.trialBalanceHash,
      },
    });
    return seal;
  }
}
