import { Inject, Injectable } from '@nestjs/common';
import { AuthService, type LoginOutcome, type RequestOrigin } from '../auth/auth.service';
import { SecurityAuditService } from '../audit/security-audit.service';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { rejected, type Rejected } from '../identity.rejections';
import { normaliseEmail } from '../users/email';
import type { User } from '../users/user';
import { UserStore } from '../users/user.store';
import type { GoogleProfile } from './google-profile';
import { decideGoogleSignIn, type AccountFacts } from './google-sign-in.decider';

/**
 * Carries out `decideGoogleSignIn`: looks up the accounts the profile could
 * name, applies the decision, and finishes the login like a password login
 * (including the second factor when the user has one).
 */
@Injectable()
export class GoogleSignInService {
  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly users: UserStore,
    private readonly auth: AuthService,
    private readonly audit: SecurityAuditService,
  ) {}

  async signIn(profile: GoogleProfile, origin: RequestOrigin): Promise<LoginOutcome | Rejected> {
    const email = profile.email === undefined ? undefined : normaliseEmail(profile.email);
    if (email === 'email_invalid') return rejected('google_email_not_verified');
    const normalised = { ...profile, email };
    const [bySubject, byEmail] = await Promise.all([
      this.users.findByGoogleSubject(profile.subject),
      email ? this.users.findByEmail(email) : undefined,
    ]);
    const decision = decideGoogleSignIn(
      normalised,
      bySubject && facts(bySubject),
      byEmail && facts(byEmail),
    );
    switch (decision.action) {
      case 'reject':
        return rejected(decision.rejection);
      case 'sign_in':
        return this.auth.finishLogin(bySubject!, 'google', origin);
      case 'link':
        return this.link(decision.userId, profile.subject, decision.resetCredentials, origin);
      case 'create':
        return this.create(decision.email, normalised, origin);
    }
  }

  private async link(
    userId: string,
    subject: string,
    resetCredentials: boolean,
    origin: RequestOrigin,
  ): Promise<LoginOutcome> {
    const { twoFactorRemoved } = await this.users.linkGoogle(userId, subject, resetCredentials);
    await this.audit.record(
      { type: 'GoogleAccountLinked', userId, data: { credentialsReset: resetCredentials } },
      origin.correlationId,
    );
    if (twoFactorRemoved) {
      await this.audit.record(
        { type: 'TwoFactorDisabled', userId, data: { reason: 'credentials_reset' } },
        origin.correlationId,
      );
    }
    return this.auth.finishLogin((await this.users.findById(userId))!, 'google', origin);
  }

  private async create(
    email: string,
    profile: GoogleProfile,
    origin: RequestOrigin,
  ): Promise<LoginOutcome | Rejected> {
    const user = await this.auth.createUser(
      {
        email,
        emailVerified: true,
        passwordHash: null,
        googleSubject: profile.subject,
        name: profile.name ?? null,
        phone: null,
        defaultCurrency: this.config.defaultCurrency,
      },
      'google',
      origin,
    );
    if ('rejected' in user) return user;
    return this.auth.finishLogin(user, 'google', origin);
  }
}

function facts(user: User): AccountFacts {
  return {
    id: user.id,
    googleSubject: user.googleSubject,
    emailVerified: user.emailVerified,
    hasPassword: user.passwordHash !== null,
  };
}
