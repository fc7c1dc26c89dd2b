import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Rejected } from '../identity.rejections';
import type { SessionTokens } from '../sessions/session.service';
import {
  AuthService,
  type LoginOutcome,
  type RequestOrigin,
  type SignUpInput,
} from './auth.service';

/**
 * Sign-up, login (with its second step), refresh and logout on the
 * `@nestjs/cqrs` CommandBus. Each answers an expected failure as a
 * `Rejected` value; the route turns it into its problem.
 */

/** A new customer account, its first wallet and a session. */
export class SignUpCommand extends Command<SessionTokens | Rejected> {
  constructor(
    readonly input: SignUpInput,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}

/** The first step of a password login: a session, or the challenge for the second factor. */
export class LogInCommand extends Command<LoginOutcome | Rejected> {
  constructor(
    readonly credentials: { readonly email: string; readonly password: string },
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}

/** The second step of a login: the challenge and a TOTP or recovery code, for a session. */
export class CompleteSecondFactorCommand extends Command<SessionTokens | Rejected> {
  constructor(
    readonly challengeToken: string,
    readonly code: string,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}

/** Spends a refresh token for the next pair; a spent one presented again ends the session. */
export class RefreshSessionCommand extends Command<SessionTokens | Rejected> {
  constructor(
    readonly refreshToken: string,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}

/** Ends the caller's session; one already ended is no refusal. */
export class LogOutCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly sessionId: string,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}

@CommandHandler(SignUpCommand)
export class SignUpHandler implements ICommandHandler<SignUpCommand> {
  constructor(private readonly auth: AuthService) {}
  execute({ input, origin }: SignUpCommand): Promise<SessionTokens | Rejected> {
    return this.auth.signUp(input, origin);
  }
}

@CommandHandler(LogInCommand)
export class LogInHandler implements ICommandHandler<LogInCommand> {
  constructor(private readonly auth: AuthService) {}
  execute({ credentials, origin }: LogInCommand): Promise<LoginOutcome | Rejected> {
    return this.auth.login(credentials, origin);
  }
}

@CommandHandler(CompleteSecondFactorCommand)
export class CompleteSecondFactorHandler implements ICommandHandler<CompleteSecondFactorCommand> {
  constructor(private readonly auth: AuthService) {}
  execute({
    challengeToken,
    code,
    origin,
  }: CompleteSecondFactorCommand): Promise<SessionTokens | Rejected> {
    return this.auth.completeSecondFactor(challengeToken, code, origin);
  }
}

@CommandHandler(RefreshSessionCommand)
export class RefreshSessionHandler implements ICommandHandler<RefreshSessionCommand> {
  constructor(private readonly auth: AuthService) {}
  execute({ refreshToken, origin }: RefreshSessionCommand): Promise<SessionTokens | Rejected> {
    return this.auth.refresh(refreshToken, origin);
  }
}

@CommandHandler(LogOutCommand)
export class LogOutHandler implements ICommandHandler<LogOutCommand> {
  constructor(private readonly auth: AuthService) {}
  execute({ userId, sessionId, origin }: LogOutCommand): Promise<void> {
    return this.auth.logout(userId, sessionId, origin);
  }
}

export const AUTH_HANDLERS = [
  SignUpHandler,
  LogInHandler,
  CompleteSecondFactorHandler,
  RefreshSessionHandler,
  LogOutHandler,
];
