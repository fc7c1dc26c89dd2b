import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Rejected } from '../identity.rejections';
import { EmailVerificationService } from './email-verification.service';

/**
 * E-mail verification on the `@nestjs/cqrs` CommandBus; each answers
 * undefined when done, or a `Rejected` value.
 */

/** E-mails the user a verification code; it replaces any earlier one. */
export class SendEmailVerificationCommand extends Command<Rejected | undefined> {
  constructor(
    readonly userId: string,
    readonly correlationId: string | undefined,
  ) {
    super();
  }
}

/** The code typed back: the user's address is verified. */
export class VerifyEmailCommand extends Command<Rejected | undefined> {
  constructor(
    readonly userId: string,
    readonly code: string,
    readonly correlationId: string | undefined,
  ) {
    super();
  }
}

@CommandHandler(SendEmailVerificationCommand)
export class SendEmailVerificationHandler implements ICommandHandler<SendEmailVerificationCommand> {
  constructor(private readonly verification: EmailVerificationService) {}
  execute({ userId, correlationId }: SendEmailVerificationCommand): Promise<Rejected | undefined> {
    return this.verification.sendCode(userId, correlationId);
  }
}

@CommandHandler(VerifyEmailCommand)
export class VerifyEmailHandler implements ICommandHandler<VerifyEmailCommand> {
  constructor(private readonly verification: EmailVerificationService) {}
  execute({ userId, code, correlationId }: VerifyEmailCommand): Promise<Rejected | undefined> {
    return this.verification.verify(userId, code, correlationId);
  }
}

export const EMAIL_VERIFICATION_HANDLERS = [SendEmailVerificationHandler, VerifyEmailHandler];
