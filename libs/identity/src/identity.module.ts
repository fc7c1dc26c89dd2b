import { createSecretKey } from 'node:crypto';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import type { Env } from '@ledger/config';
import { SQL_DATABASE, type SqlDatabase } from '@ledger/database';
import { AccessGuard } from './access/access.guard';
import { AttemptLimiter } from './access/attempt-limiter';
import { ROLE_ADMIN_HANDLERS } from './access/role-admin.handlers';
import { RoleAdminService } from './access/role-admin.service';
import { VerifiedEmailGuard } from './access/verified-email.guard';
import { SecurityAuditService } from './audit/security-audit.service';
import { SecurityEventsPageHandler } from './audit/security-events.handlers';
import { AUTH_HANDLERS } from './auth/auth.handlers';
import { AuthService } from './auth/auth.service';
import { PASSWORD_HANDLERS } from './auth/password.handlers';
import { PasswordService } from './auth/password.service';
import { FieldCipher } from './crypto/field-cipher';
import { EmailCodes } from './email/email-codes';
import { EMAIL_VERIFICATION_HANDLERS } from './email/email-verification.handlers';
import { EmailVerificationService } from './email/email-verification.service';
import { GoogleAuthGuard } from './google/google-auth.guard';
import { GoogleSignInHandler } from './google/google-sign-in.handlers';
import { GoogleSignInService } from './google/google-sign-in.service';
import { GoogleStrategy } from './google/google.strategy';
import { AdminController } from './http/admin.controller';
import { AuthController } from './http/auth.controller';
import { GoogleController } from './http/google.controller';
import { MeSecurityController } from './http/me-security.controller';
import { MeController } from './http/me.controller';
import { RateLimitGuard } from './http/rate-limit.guard';
import { TwoFactorController } from './http/two-factor.controller';
import {
  IDENTITY_CLOCK,
  IDENTITY_CONFIG,
  readIdentityConfig,
  systemClock,
  type Clock,
  type IdentityConfig,
} from './identity.config';
import { LIMIT_STORE } from './limits/limit-store';
import { RateLimiter } from './limits/rate-limiter';
import { RedisLimitStore } from './limits/redis-limit-store';
import { SqlLimitStore } from './limits/sql-limit-store';
import { RecipientDirectory } from './recipients/recipient-directory';
import { LiveSessionCache } from './sessions/live-session-cache';
import { SessionService } from './sessions/session.service';
import { TokenService } from './sessions/token.service';
import { TwoFactorGuard } from './two-factor/two-factor.guard';
import { TWO_FACTOR_HANDLERS } from './two-factor/two-factor.handlers';
import { TwoFactorService } from './two-factor/two-factor.service';
import { PasswordHasher } from './users/password-hasher';
import { PROFILE_HANDLERS } from './users/profile.handlers';
import { ProfileService } from './users/profile.service';
import { SignUpWallet } from './users/sign-up-wallet';
import { UserStore } from './users/user.store';

export interface IdentityModuleOptions {
  /** Environment to read configuration from; `process.env` by default. */
  readonly env?: Env;
  /** The time TOTP codes are checked against; the system clock by default. */
  readonly clock?: Clock;
}

/**
 * Accounts, sessions, Google sign-in, e-mail verification, password
 * recovery, second factor, roles and the security audit trail. Installs the
 * global AccessGuard, so every route of the app needs an access token unless
 * it is `@Public()`. Its routes reach the services through the CommandBus
 * and QueryBus, answered by the handlers registered here.
 *
 * Needs SQL_DATABASE, EVENT_STORE and NOTIFIER from global modules and a
 * CommandBus (CqrsModule.forRoot) with a handler for OpenWalletCommand.
 */
@Global()
@Module({})
export class IdentityModule {
  static forRoot(options: IdentityModuleOptions = {}): DynamicModule {
    const config = readIdentityConfig(options.env ?? process.env);
    // A KeyObject, not the string: given a string, the JWT library first tries
    // to read it as a public key and fails, an exception on every request.
    const jwtKey = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
    return {
      module: IdentityModule,
      imports: [
        CqrsModule,
        PassportModule,
        JwtModule.register({
          secretOrKeyProvider: () => jwtKey,
          signOptions: {
            algorithm: 'HS256',
            issuer: config.jwtIssuer,
            audience: config.jwtAudience,
          },
          // Pinning the algorithm refuses "alg: none" and key-confusion tokens.
          verifyOptions: {
            algorithms: ['HS256'],
            issuer: config.jwtIssuer,
            audience: config.jwtAudience,
          },
        }),
      ],
      controllers: [
        AuthController,
        GoogleController,
        MeController,
        MeSecurityController,
        TwoFactorController,
        AdminController,
      ],
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        { provide: IDENTITY_CLOCK, useValue: options.clock ?? systemClock },
        { provide: FieldCipher, useValue: new FieldCipher(config.dataKey) },
        { provide: APP_GUARD, useClass: AccessGuard },
        limitStore(config),
        googleStrategy(config),
        AccessGuard,
        AttemptLimiter,
        AuthService,
        EmailCodes,
        EmailVerificationService,
        GoogleAuthGuard,
        GoogleSignInService,
        LiveSessionCache,
        PasswordHasher,
        PasswordService,
        ProfileService,
        RateLimiter,
        RateLimitGuard,
        RecipientDirectory,
        RoleAdminService,
        SecurityAuditService,
        SessionService,
        SignUpWallet,
        TokenService,
        TwoFactorGuard,
        TwoFactorService,
        UserStore,
        VerifiedEmailGuard,
        ...IDENTITY_HANDLERS,
      ],
      exports: [
        IDENTITY_CONFIG,
        RecipientDirectory,
        TwoFactorService,
        TwoFactorGuard,
        VerifiedEmailGuard,
        SecurityAuditService,
      ],
    };
  }
}

/** What the identity routes send on the CommandBus and QueryBus, and what answers it. */
const IDENTITY_HANDLERS = [
  ...AUTH_HANDLERS,
  ...PASSWORD_HANDLERS,
  GoogleSignInHandler,
  ...PROFILE_HANDLERS,
  ...EMAIL_VERIFICATION_HANDLERS,
  ...TWO_FACTOR_HANDLERS,
  ...ROLE_ADMIN_HANDLERS,
  SecurityEventsPageHandler,
];

/** Limits shared through Redis when it is configured, through the database otherwise. */
function limitStore(config: IdentityConfig): Provider {
  return {
    provide: LIMIT_STORE,
    inject: [SQL_DATABASE],
    useFactory: (db: SqlDatabase) =>
      config.limitsRedis
        ? new RedisLimitStore(config.limitsRedis.url, config.limitsRedis.prefix)
        : new SqlLimitStore(db),
  };
}

/** The strategy registers itself with passport when built, so it is built only when Google is configured. */
function googleStrategy(config: IdentityConfig): Provider {
  return {
    provide: GoogleStrategy,
    useFactory: () => (config.google ? new GoogleStrategy(config.google, config.production) : null),
  };
}
