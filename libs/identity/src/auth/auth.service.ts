import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { formatPosition } from '@ledger/event-store';
import { isCurrency, type OpenWalletResult } from '@ledger/ledger';
import { AttemptLimiter, type AttemptKey } from '../access/attempt-limiter';
import { accountAttemptKey, IP_POLICY } from '../access/attempt-limit';
import { SecurityAuditService } from '../audit/security-audit.service';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { rejected, type Rejected } from '../identity.rejections';
import type { Role } from '../principal';
import { SessionService, type SessionTokens } from '../sessions/session.service';
import { CHALLENGE_TTL_SECONDS, TokenService } from '../sessions/token.service';
import { TwoFactorService } from '../two-factor/two-factor.service';
import { normaliseEmail } from '../users/email';
import { checkPassword } from '../users/password-policy';
import { PasswordHasher } from '../users/password-hasher';
import { normalisePhone } from '../users/phone';
import { SignUpWallet } from '../users/sign-up-wallet';
import type { NewUser, User } from '../users/user';
import { UserStore } from '../users/user.store';

export interface SignUpInput {
  readonly email: string;
  readonly password: string;
  readonly name?: string;
  readonly phone?: string;
  readonly currency?: string;
}

export type SignInMethod = 'password' | 'google';

/** A login either yields a session or asks for the second factor first. */
export type LoginOutcome =
  | ({ readonly twoFactorRequired: false } & SessionTokens)
  | {
      readonly twoFactorRequired: true;
      readonly challengeToken: string;
      readonly expiresIn: number;
    };

/** Where a request came from, for per-IP limits and audit correlation. */
export interface RequestOrigin {
  readonly ip: string;
  readonly correlationId?: string;
}

/**
 * Sign-up, login (with its second step) and refresh. Each returns a named
 * rejection for every expected failure; the HTTP layer maps names to status.
 */
@Injectable()
export class AuthService {
  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly users: UserStore,
    private readonly hasher: PasswordHasher,
    private readonly limiter: AttemptLimiter,
    private readonly sessions: SessionService,
    private readonly tokens: TokenService,
    private readonly twoFactor: TwoFactorService,
    private readonly wallet: SignUpWallet,
    private readonly audit: SecurityAuditService,
  ) {}

  async signUp(input: SignUpInput, origin: RequestOrigin): Promise<SessionTokens | Rejected> {
    const email = normaliseEmail(input.email);
    if (email === 'email_invalid') return rejected(email);
    const passwordProblem = checkPassword(input.password, email);
    if (passwordProblem) return rejected(passwordProblem);
    const phone = input.phone === undefined ? null : normalisePhone(input.phone);
    if (phone === 'phone_invalid') return rejected(phone);
    const currency = input.currency ?? this.config.defaultCurrency;
    if (!isCurrency(currency)) return rejected('unknown_currency');
    const created = await this.createUser(
      {
        email,
        emailVerified: false,
        passwordHash: await this.hasher.hash(input.password),
        googleSubject: null,
        name: input.name?.trim() || null,
        phone,
        defaultCurrency: currency,
      },
      'password',
      origin,
    );
    if ('rejected' in created) return created;
    const tokens = await this.sessions.start(created.id);
    // The wallet id and the position of its opening, so a frontend can list
    // the wallet with ?position= instead of polling until it appears.
    const wallet = created.firstWallet;
    return {
      ...tokens,
      ...(wallet && { walletId: wallet.walletId }),
      ...(wallet?.position && { position: formatPosition(wallet.position) }),
    };
  }

  /**
   * Creates a customer and their first wallet. Nobody becomes staff by
   * signing up: staff roles are granted to existing, verified users only.
   */
  async createUser(
    fields: Omit<NewUser, 'id' | 'roles'>,
    method: SignInMethod,
    origin: RequestOrigin,
  ): Promise<(User & { readonly firstWallet?: OpenWalletResult }) | Rejected> {
    const roles: Role[] = ['customer'];
    const id = randomUUID();
    const conflict = await this.users.create({ ...fields, id, roles });
    if (conflict) return rejected(conflict);
    await this.audit.record(
      { type: 'UserSignedUp', userId: id, data: { method, roles } },
      origin.correlationId,
    );
    const user = (await this.users.findById(id))!;
    const firstWallet = await this.wallet.ensureOpen(user, origin.correlationId);
    return { ...user, ...(firstWallet && { firstWallet }) };
  }

  /**
   * Wrong e-mail and wrong password are one answer, reached in about the same
   * time (the hasher checks a dummy hash when there is no user), so a login
   * form cannot be used to find out who has an account.
   */
  async login(
    input: { email: string; password: string },
    origin: RequestOrigin,
  ): Promise<LoginOutcome | Rejected> {
    const email = normaliseEmail(input.email);
    const keys = this.loginKeys(
      email === 'email_invalid' ? input.email.trim().toLowerCase() : email,
      origin.ip,
    );
    const locked = await this.limiter.lockedFor(keys);
    if (locked) {
      await this.audit.record(
        { type: 'LoginFailed', data: { reason: 'locked' } },
        origin.correlationId,
      );
      return rejected('too_many_attempts', locked.retryAfterSeconds);
    }
    const user = email === 'email_invalid' ? undefined : await this.users.findByEmail(email);
    const valid = await this.hasher.verifyOrDummy(user?.passwordHash ?? null, input.password);
    if (!user || !valid) {
      await this.limiter.recordFailure(keys);
      await this.audit.record(
        { type: 'LoginFailed', userId: user?.id, data: { reason: 'invalid_credentials' } },
        origin.correlationId,
      );
      return rejected('invalid_credentials');
    }
    await this.limiter.reset(keys[0]);
    return this.finishLogin(user, 'password', origin);
  }

  /** The end of every successful first step, password or Google. */
  async finishLogin(
    user: User,
    method: SignInMethod,
    origin: RequestOrigin,
  ): Promise<LoginOutcome> {
    if (await this.twoFactor.isEnabled(user.id)) {
      const challengeToken = await this.tokens.issueChallenge({ userId: user.id, method });
      return { twoFactorRequired: true, challengeToken, expiresIn: CHALLENGE_TTL_SECONDS };
    }
    return { twoFactorRequired: false, ...(await this.openSession(user, method, false, origin)) };
  }

  async completeSecondFactor(
    challengeToken: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<SessionTokens | Rejected> {
    const challenge = await this.tokens.verifyChallenge(challengeToken);
    if (challenge === 'challenge_invalid') return rejected(challenge);
    const user = await this.users.findById(challenge.userId);
    if (!user) return rejected('challenge_invalid');
    const problem = await this.twoFactor.verifyLoginCode(user.id, code);
    if (problem) {
      await this.audit.record(
        { type: 'LoginFailed', userId: user.id, data: { reason: 'second_factor_invalid' } },
        origin.correlationId,
      );
      return problem;
    }
    return this.openSession(user, challenge.method, true, origin);
  }

  async refresh(refreshToken: string, origin: RequestOrigin): Promise<SessionTokens | Rejected> {
    const result = await this.sessions.refresh(refreshToken, (userId, sessionId) =>
      this.audit.record(
        { type: 'RefreshTokenReuseDetected', userId, data: { sessionId } },
        origin.correlationId,
      ),
    );
    return typeof result === 'string' ? rejected(result) : result;
  }

  async logout(userId: string, sessionId: string, origin: RequestOrigin): Promise<void> {
    if (await this.sessions.revoke(sessionId, 'logout')) {
      await this.audit.record(
        { type: 'LoggedOut', userId, data: { sessionId } },
        origin.correlationId,
      );
    }
  }

  private async openSession(
    user: User,
    method: SignInMethod,
    secondFactor: boolean,
    origin: RequestOrigin,
  ): Promise<SessionTokens> {
    await this.wallet.ensureOpen(user, origin.correlationId);
    await this.audit.record(
      { type: 'LoginSucceeded', userId: user.id, data: { method, secondFactor } },
      origin.correlationId,
    );
    return this.sessions.start(user.id);
  }

  /** The account key comes first: it is the one a successful login clears. */
  private loginKeys(email: string, ip: string): [AttemptKey, AttemptKey] {
    return [accountAttemptKey(email), { name: `ip:${ip}`, policy: IP_POLICY }];
  }
}
