import { createSecretKey } from 'node:crypto';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { Env } from '@ledger/config';
import { AccessGuard } from './access/access.guard';
import { AttemptLimiter } from './access/attempt-limiter';
import { RoleAdminService } from './access/role-admin.service';
import { SecurityAuditService } from './audit/security-audit.service';
import { AuthService } from './auth/auth.service';
import { FieldCipher } from './crypto/field-cipher';
import { GoogleAuthGuard } from './google/google-auth.guard';
import { GoogleSignInService } from './google/google-sign-in.service';
import { GoogleStrategy } from './google/google.strategy';
import { AdminController } from './http/admin.controller';
import { AUTH_THROTTLER_STORAGE, AuthThrottlerGuard } from './http/auth-throttler.guard';
import { AuthController } from './http/auth.controller';
import { GoogleController } from './http/google.controller';
import { MeController } from './http/me.controller';
import { TwoFactorController } from './http/two-factor.controller';
import {
  IDENTITY_CLOCK,
  IDENTITY_CONFIG,
  readIdentityConfig,
  systemClock,
  type Clock,
  type IdentityConfig,
} from './identity.config';
import { RecipientDirectory } from './recipients/recipient-directory';
import { SessionService } from './sessions/session.service';
import { TokenService } from './sessions/token.service';
import { TwoFactorGuard } from './two-factor/two-factor.guard';
import { TwoFactorService } from './two-factor/two-factor.service';
import { PasswordHasher } from './users/password-hasher';
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
 * Accounts, sessions, Google sign-in, second factor, roles and the security
 * audit trail. Installs the global AccessGuard, so every route of the app
 * needs an access token unless it is `@Public()`.
 *
 * Needs SQL_DATABASE and EVENT_STORE from a global module and a CommandBus
 * (CqrsModule.forRoot) with a handler for OpenWalletCommand.
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
        TwoFactorController,
        AdminController,
      ],
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        { provide: IDENTITY_CLOCK, useValue: options.clock ?? systemClock },
        { provide: FieldCipher, useValue: new FieldCipher(config.dataKey) },
        { provide: AUTH_THROTTLER_STORAGE, useClass: ThrottlerStorageService },
        { provide: APP_GUARD, useClass: AccessGuard },
        googleStrategy(config),
        AccessGuard,
        AttemptLimiter,
        AuthService,
        AuthThrottlerGuard,
        GoogleAuthGuard,
        GoogleSignInService,
        PasswordHasher,
        ProfileService,
        RecipientDirectory,
        RoleAdminService,
        SecurityAuditService,
        SessionService,
        SignUpWallet,
        TokenService,
        TwoFactorGuard,
        TwoFactorService,
        UserStore,
      ],
      exports: [
        IDENTITY_CONFIG,
        RecipientDirectory,
        TwoFactorService,
        TwoFactorGuard,
        SecurityAuditService,
      ],
    };
  }
}

/** The strategy registers itself with passport when built, so it is built only when Google is configured. */
function googleStrategy(config: IdentityConfig): Provider {
  return {
    provide: GoogleStrategy,
    useFactory: () => (config.google ? new GoogleStrategy(config.google, config.production) : null),
  };
}
