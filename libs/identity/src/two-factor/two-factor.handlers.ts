import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Rejected } from '../identity.rejections';
import { TwoFactorService, type Enrolment } from './two-factor.service';

/**
 * A user's own second factor on the `@nestjs/cqrs` CommandBus: enrolment,
 * its confirmation with a first code, and turning it off. A refusal is a
 * `Rejected` value. The codes sensitive actions need of their own are
 * checked by `TwoFactorGuard` and `TwoFactorService.assertFreshCode`.
 */

/** Starts (or restarts) enrolment; the secret is answered once. */
export class EnrolTwoFactorCommand extends Command<Enrolment | Rejected> {
  constructor(readonly userId: string) {
    super();
  }
}

/** Turns the factor on with a first code; the recovery codes are answered once. */
export class ConfirmTwoFactorCommand extends Command<{ recoveryCodes: string[] } | Rejected> {
  constructor(
    readonly userId: string,
    readonly code: string,
  ) {
    super();
  }
}

/** Turns the factor off, given a current code or a recovery code. */
export class DisableTwoFactorCommand extends Command<Rejected | undefined> {
  constructor(
    readonly userId: string,
    readonly code: string,
  ) {
    super();
  }
}

@CommandHandler(EnrolTwoFactorCommand)
export class EnrolTwoFactorHandler implements ICommandHandler<EnrolTwoFactorCommand> {
  constructor(private readonly twoFactor: TwoFactorService) {}
  execute({ userId }: EnrolTwoFactorCommand): Promise<Enrolment | Rejected> {
    return this.twoFactor.enrol(userId);
  }
}

@CommandHandler(ConfirmTwoFactorCommand)
export class ConfirmTwoFactorHandler implements ICommandHandler<ConfirmTwoFactorCommand> {
  constructor(private readonly twoFactor: TwoFactorService) {}
  execute({
    userId,
    code,
  }: ConfirmTwoFactorCommand): Promise<{ recoveryCodes: string[] } | Rejected> {
    return this.twoFactor.confirm(userId, code);
  }
}

@CommandHandler(DisableTwoFactorCommand)
export class DisableTwoFactorHandler implements ICommandHandler<DisableTwoFactorCommand> {
  constructor(private readonly twoFactor: TwoFactorService) {}
  execute({ userId, code }: DisableTwoFactorCommand): Promise<Rejected | undefined> {
    return this.twoFactor.disable(userId, code);
  }
}

export const TWO_FACTOR_HANDLERS = [
  EnrolTwoFactorHandler,
  ConfirmTwoFactorHandler,
  DisableTwoFactorHandler,
];
