import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Rejected } from '../identity.rejections';
import { PasswordService, type PasswordResetConfirmation } from './password.service';

/**
 * Password recovery and change on the `@nestjs/cqrs` CommandBus; each
 * answers undefined when done, or a `Rejected` value.
 */

/**
 * Asks for a reset code for an address. Answered at once and the same for
 * every address; the code is e-mailed afterwards, only if it has an account.
 */
export class RequestPasswordResetCommand extends Command<Rejected | undefined> {
  constructor(
    readonly email: string,
    readonly correlationId: string | undefined,
  ) {
    super();
  }
}

/** Replaces the password with an e-mailed code; every session of the account ends. */
export class ConfirmPasswordResetCommand extends Command<Rejected | undefined> {
  constructor(
    readonly confirmation: PasswordResetConfirmation,
    readonly correlationId: string | undefined,
  ) {
    super();
  }
}

/** A signed-in user's new password, given the current one; every other session ends. */
export class ChangePasswordCommand extends Command<Rejected | undefined> {
  constructor(
    readonly caller: { readonly userId: string; readonly sessionId: string },
    readonly currentPassword: string,
    readonly newPassword: string,
    readonly correlationId: string | undefined,
  ) {
    super();
  }
}

@CommandHandler(RequestPasswordResetCommand)
export class RequestPasswordResetHandler implements ICommandHandler<RequestPasswordResetCommand> {
  constructor(private readonly passwords: PasswordService) {}
  execute({ email, correlationId }: RequestPasswordResetCommand): Promise<Rejected | undefined> {
    return Promise.resolve(this.passwords.requestReset(email, correlationId));
  }
}

@CommandHandler(ConfirmPasswordResetCommand)
export class ConfirmPasswordResetHandler implements ICommandHandler<ConfirmPasswordResetCommand> {
  constructor(private readonly passwords: PasswordService) {}
  execute({
    confirmation,
    correlationId,
  }: ConfirmPasswordResetCommand): Promise<Rejected | undefined> {
    return this.passwords.confirmReset(confirmation, correlationId);
  }
}

@CommandHandler(ChangePasswordCommand)
export class ChangePasswordHandler implements ICommandHandler<ChangePasswordCommand> {
  constructor(private readonly passwords: PasswordService) {}
  execute({
    caller,
    currentPassword,
    newPassword,
    correlationId,
  }: ChangePasswordCommand): Promise<Rejected | undefined> {
    return this.passwords.change(caller, currentPassword, newPassword, correlationId);
  }
}

export const PASSWORD_HANDLERS = [
  RequestPasswordResetHandler,
  ConfirmPasswordResetHandler,
  ChangePasswordHandler,
];
