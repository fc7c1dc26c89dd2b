import { Inject, Injectable } from '@nestjs/common';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { SecurityAuditService, type FinanceAction } from '@ledger/identity';
import { deriveId, parseAmountMinor, type SystemAccount, type WalletCommand } from '@ledger/ledger';
import { WalletCommands, type WalletOutcome } from '@ledger/ledger/nest';
import { postedEntry } from '@ledger/read-models';
import {
  decideAdjustment,
  getAdjustment,
  insertAdjustment,
  reversedSoFar,
  type FinanceAdjustment,
} from '../adjustments/finance-adjustments.repository';
import { FINANCE_CONFIG, type FinanceConfig } from '../finance.config';
import type { FinanceRefusalCode } from '../finance.rejections';
import { periodOf } from '../periods/period-seal';
import { isClosed } from '../periods/periods.repository';
import { changeBreak, getBreak } from '../reconciliation/breaks.repository';
import { FinanceRefusal } from './finance-refusal';

/** Who takes a step: the finance user named in the audit trail. */
export interface FinanceActor {
  readonly userId: string;
}

/** The fields of an adjustment that finance gives, on a wallet's route or a break's. */
export interface AdjustmentFields {
  readonly direction: 'credit' | 'debit';
  readonly amountMinor: number | string;
  readonly currency: string;
  readonly account: SystemAccount;
  readonly reason: string;
  readonly corrects?: string;
  readonly effectiveAt?: string;
}

export interface AdjustmentRequest extends AdjustmentFields {
  readonly walletId: string;
  readonly reverses?: string;
  readonly breakId?: string;
}

export type AdjustmentAnswer =
  | {
      readonly kind: 'posted';
      readonly adjustment: FinanceAdjustment;
      readonly outcome: WalletOutcome;
    }
  | { readonly kind: 'pending_approval'; readonly adjustment: FinanceAdjustment };

/**
 * Adjustments and reversals as finance posts them. Each is checked before
 * anything is written (the month it belongs to is open, a reversal moves
 * the opposite way of its entry and takes back no more than is left of it,
 * a referenced break is not yet resolved), recorded in finance_adjustments,
 * and above `FINANCE_APPROVAL_THRESHOLD_MINOR` waits for a second finance
 * user. A reversal is a new, linked entry: the entry it reverses is never
 * touched. Every step is a FinanceActionRecorded event in the security audit
 * trail of the user who took it, with their reason. Refusals are thrown as
 * `FinanceRefusal`; the handlers answer them as values.
 */
@Injectable()
export class FinanceAdjustments {
  constructor(
    private readonly wallets: WalletCommands,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly audit: SecurityAuditService,
    @Inject(FINANCE_CONFIG) private readonly config: FinanceConfig,
  ) {}

  async request(
    principal: FinanceActor,
    input: AdjustmentRequest,
    commandId: string,
  ): Promise<AdjustmentAnswer> {
    const existing = await getAdjustment(this.db, commandId);
    if (existing) return this.answerFor(existing);
    const amountMinor = parseAmountMinor(input.amountMinor) as bigint;
    const effectiveAt = await this.openMoment(input.effectiveAt);
    await this.checkWallet(input.walletId, input.currency);
    if (input.reverses)
      await this.checkReversal(
        input.walletId,
        input.reverses,
        input.direction,
        amountMinor,
        commandId,
      );
    if (input.breakId) await this.checkBreak(input.breakId);
    const fields = {
      id: commandId,
      walletId: input.walletId,
      direction: input.direction,
      amountMinor,
      currency: input.currency,
      account: input.account,
      reason: input.reason,
      reverses: input.reverses ?? null,
      corrects: input.corrects ?? null,
      breakId: input.breakId ?? null,
      effectiveAt: effectiveAt.toISOString(),
      requestedBy: principal.userId,
    };
    if (amountMinor > this.config.approvalThresholdMinor) {
      const adjustment = await insertAdjustment(this.db, { ...fields, status: 'pending_approval' });
      await this.record(principal, 'adjustment_requested', adjustment, input.reason, {
        threshold: this.config.approvalThresholdMinor.toString(),
      });
      return { kind: 'pending_approval', adjustment };
    }
    const outcome = await this.post({ ...fields, decidedBy: null });
    if (!outcome.ok) {
      await insertAdjustment(this.db, {
        ...fields,
        status: 'refused',
        rejection: outcome.rejection,
      });
      throw new FinanceRefusal(outcome.rejection);
    }
    const adjustment = await insertAdjustment(this.db, {
      ...fields,
      status: 'posted',
      entryId: deriveId('entry', commandId),
    });
    await this.record(principal, 'adjustment_posted', adjustment, input.reason);
    await this.resolveBreak(principal, adjustment);
    return { kind: 'posted', adjustment, outcome };
  }

  /** The second pair of eyes: another finance user posts what was asked for. */
  async approve(principal: FinanceActor, id: string, reason: string): Promise<AdjustmentAnswer> {
    const pending = await getAdjustment(this.db, id);
    if (!pending) throw new FinanceRefusal('approval_not_found');
    if (pending.requestedBy === principal.userId) throw new FinanceRefusal('approver_is_requester');
    if (pending.status !== 'pending_approval') throw new FinanceRefusal('approval_not_pending');
    // The month may have closed while the request waited.
    if (await isClosed(this.db, new Date(pending.effectiveAt)))
      return this.refuse(principal, pending, reason, 'period_closed');
    // Posting first, with the request's id as command id: two approvals at
    // once post one entry, and a crash after posting is repaired by the next.
    const outcome = await this.post({ ...pending, decidedBy: principal.userId });
    if (!outcome.ok) return this.refuse(principal, pending, reason, outcome.rejection);
    const posted = await decideAdjustment(this.db, id, 'pending_approval', {
      status: 'posted',
      decidedBy: principal.userId,
      decisionReason: reason,
      entryId: deriveId('entry', id),
    });
    if (!posted) throw new FinanceRefusal('approval_not_pending');
    await this.record(principal, 'adjustment_approved', posted, reason, {
      requestedBy: posted.requestedBy,
    });
    await this.resolveBreak(principal, posted);
    return { kind: 'posted', adjustment: posted, outcome };
  }

  /** Any finance user, the requester included (withdrawing it), may reject a waiting request. */
  async reject(principal: FinanceActor, id: string, reason: string): Promise<FinanceAdjustment> {
    const pending = await getAdjustment(this.db, id);
    if (!pending) throw new FinanceRefusal('approval_not_found');
    const rejected = await decideAdjustment(this.db, id, 'pending_approval', {
      status: 'rejected',
      decidedBy: principal.userId,
      decisionReason: reason,
    });
    if (!rejected) throw new FinanceRefusal('approval_not_pending');
    await this.record(principal, 'adjustment_rejected', rejected, reason);
    return rejected;
  }

  private async refuse(
    principal: FinanceActor,
    pending: FinanceAdjustment,
    reason: string,
    rejection: FinanceRefusalCode,
  ): Promise<never> {
    const refused = await decideAdjustment(this.db, pending.id, 'pending_approval', {
      status: 'refused',
      decidedBy: principal.userId,
      decisionReason: reason,
      rejection,
    });
    if (refused) await this.record(principal, 'adjustment_refused', refused, reason, { rejection });
    throw new FinanceRefusal(rejection);
  }

  private async answerFor(a: FinanceAdjustment): Promise<AdjustmentAnswer> {
    if (a.status === 'pending_approval') return { kind: 'pending_approval', adjustment: a };
    if (a.status === 'posted')
      // Replays the posting: the command id is recognised and nothing is appended.
      return { kind: 'posted', adjustment: a, outcome: await this.post({ ...a }) };
    throw new FinanceRefusal(
      a.rejection === 'period_closed' ? 'period_closed' : 'approval_not_pending',
    );
  }

  private post(
    a: Pick<
      FinanceAdjustment,
      | 'id'
      | 'walletId'
      | 'direction'
      | 'amountMinor'
      | 'currency'
      | 'account'
      | 'reason'
      | 'reverses'
      | 'corrects'
      | 'breakId'
      | 'requestedBy'
      | 'decidedBy'
    >,
  ): Promise<WalletOutcome> {
    const references = [
      a.corrects && `corrects ${a.corrects}`,
      a.breakId && `resolves ${a.breakId}`,
    ].filter(Boolean);
    const by = a.decidedBy
      ? `by ${a.requestedBy}, approved by ${a.decidedBy}`
      : `by ${a.requestedBy}`;
    const movement = {
      commandId: a.id,
      at: new Date().toISOString(),
      entryId: deriveId('entry', a.id),
      amountMinor: a.amountMinor,
      currency: a.currency,
      contra: `system:${a.account as SystemAccount}` as const,
      kind: a.reverses ? ('reversal' as const) : ('adjustment' as const),
      description: `${a.reason} (${by})${references.length > 0 ? `; ${references.join('; ')}` : ''}`,
      ...(a.reverses && { reverses: a.reverses }),
    };
    const command: WalletCommand =
      a.direction === 'credit' ? { type: 'Credit', ...movement } : { type: 'Debit', ...movement };
    return this.wallets.execute(a.walletId, command, { correlationId: a.id });
  }

  /** The moment a correction belongs to: not in the future, not in a closed month. */
  private async openMoment(effectiveAt: string | undefined): Promise<Date> {
    const now = new Date();
    const at = effectiveAt === undefined ? now : new Date(effectiveAt);
    if (at.getTime() > now.getTime()) throw new FinanceRefusal('effective_date_in_future');
    if (await isClosed(this.db, at))
      throw new FinanceRefusal(
        'period_closed',
        `${periodOf(at)} is closed; date the correction in an open month and reference what it corrects`,
      );
    return at;
  }

  private async checkWallet(walletId: string, currency: string): Promise<void> {
    const { wallet } = await this.wallets.state(walletId);
    if (wallet.status === 'unopened') throw new FinanceRefusal('wallet_not_found');
    if (wallet.currency !== currency) throw new FinanceRefusal('currency_mismatch');
  }

  /**
   * A reversal is a linked compensating entry: it names an entry of this
   * wallet (as the read models show it), moves the other way, and with the
   * reversals before it takes back at most what the entry moved.
   */
  private async checkReversal(
    walletId: string,
    entryId: string,
    direction: 'credit' | 'debit',
    amountMinor: bigint,
    self: string,
  ): Promise<void> {
    const entry = await postedEntry(this.db, walletId, entryId);
    if (!entry) throw new FinanceRefusal('entry_not_found');
    if (entry.direction === direction) throw new FinanceRefusal('reversal_direction_mismatch');
    const left = entry.amountMinor - (await reversedSoFar(this.db, entryId, self));
    if (amountMinor > left)
      throw new FinanceRefusal(
        'reversal_exceeds_entry',
        `At most ${left} minor units of entry ${entryId} are left to reverse`,
      );
  }

  private async checkBreak(breakId: string): Promise<void> {
    const found = await getBreak(this.db, breakId);
    if (!found) throw new FinanceRefusal('break_not_found');
    if (found.status === 'resolved') throw new FinanceRefusal('break_already_resolved');
  }

  private async resolveBreak(principal: FinanceActor, a: FinanceAdjustment): Promise<void> {
    if (!a.breakId) return;
    const resolved = await changeBreak(this.db, a.breakId, {
      status: 'resolved',
      note: a.reason,
      by: principal.userId,
      adjustmentId: a.id,
    });
    if (resolved)
      await this.audit.record({
        type: 'FinanceActionRecorded',
        userId: principal.userId,
        data: { action: 'break_resolved', subject: a.breakId, reason: a.reason, adjustment: a.id },
      });
  }

  private record(
    principal: FinanceActor,
    action: FinanceAction,
    a: FinanceAdjustment,
    reason: string,
    extra: Record<string, string> = {},
  ): Promise<void> {
    return this.audit.record(
      {
        type: 'FinanceActionRecorded',
        userId: principal.userId,
        data: {
          action,
          subject: a.id,
          reason,
          walletId: a.walletId,
          direction: a.direction,
          amountMinor: a.amountMinor.toString(),
          currency: a.currency,
          reverses: a.reverses,
          corrects: a.corrects,
          breakId: a.breakId,
          ...extra,
        },
      },
      a.id,
    );
  }
}
