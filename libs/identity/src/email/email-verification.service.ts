import { Injectable } from '@nestjs/common';
import { SecurityAuditService } from '../audit/security-audit.service';
import { rejected, type Rejected } from '../identity.rejections';
import { markEmailVerified } from '../users/credential.store';
import { UserStore } from '../users/user.store';
import { EmailCodes, type Redemption, type SendOutcome } from './email-codes';

/** A signed-in user proves they read their address by typing back a code sent to it. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UserStore,
    private readonly codes: EmailCodes,
    private readonly audit: SecurityAuditService,
  ) {}

  async sendCode(userId: string, correlationId?: string): Promise<undefined | Rejected> {
    const user = await this.users.findById(userId);
    if (!user) return rejected('user_not_found');
    if (user.emailVerified) return rejected('email_already_verified');
    return sendProblem(await this.codes.send(user, 'verify_email', correlationId));
  }

  async verify(
    userId: string,
    code: string,
    correlationId?: string,
  ): Promise<undefined | Rejected> {
    const user = await this.users.findById(userId);
    if (!user) return rejected('user_not_found');
    if (user.emailVerified) return rejected('email_already_verified');
    const redemption = await this.codes.redeem(
      userId,
      'verify_email',
      code,
      (tx) => markEmailVerified(tx, userId),
      correlationId,
    );
    this.users.forgetSessionsOf(userId);
    if (redemption.outcome !== 'accepted') return redemptionProblem(redemption);
    await this.audit.record({ type: 'EmailVerified', userId, data: {} }, correlationId);
    return undefined;
  }
}

export function sendProblem(sent: SendOutcome): undefined | Rejected {
  if (sent.outcome === 'too_many_requests')
    return rejected('too_many_requests', sent.retryAfterSeconds);
  return sent.outcome === 'email_not_sent' ? rejected('email_not_sent') : undefined;
}

/** An expired code is told apart; a wrong, dead or missing one gets one answer. */
export function redemptionProblem(redemption: Redemption<unknown>): Rejected {
  return rejected(redemption.outcome === 'expired' ? 'email_code_expired' : 'email_code_invalid');
}
