export * from './principal';
export { IdentityModule, type IdentityModuleOptions } from './identity.module';
export {
  IDENTITY_CONFIG,
  IDENTITY_CLOCK,
  readIdentityConfig,
  type Clock,
  type IdentityConfig,
  type GoogleConfig,
} from './identity.config';
export { totpCode } from './two-factor/totp';
export { AccessGuard, type SessionPrincipal } from './access/access.guard';
export { VerifiedEmailGuard, RequireVerifiedEmail } from './access/verified-email.guard';
export { grantRoles, type RoleGrantDeps } from './access/role-grants';
export { OPERATOR_CLI } from './access/role-admin.service';
export { PasswordService } from './auth/password.service';
export {
  TwoFactorGuard,
  RequireTwoFactor,
  TWO_FACTOR_HEADER,
  TWO_FACTOR_REPLAY_EXEMPTION,
  type SecondFactorRequest,
  type TwoFactorReplayExemption,
} from './two-factor/two-factor.guard';
export { TwoFactorService } from './two-factor/two-factor.service';
export { RecipientDirectory } from './recipients/recipient-directory';
export { SecurityAuditService } from './audit/security-audit.service';
export {
  type SecurityEvent,
  type SecurityEventType,
  type FinanceAction,
  type FinanceActionData,
  SECURITY_EVENT_TYPES,
} from './audit/security-event';
export { type IdentityRejection, type Rejected, isRejected } from './identity.rejections';
export { IDENTITY_REJECTION_MESSAGES, IdentityRejectionException } from './http/identity-rejection';
export {
  SignUpCommand,
  LogInCommand,
  CompleteSecondFactorCommand,
  RefreshSessionCommand,
  LogOutCommand,
} from './auth/auth.handlers';
export {
  RequestPasswordResetCommand,
  ConfirmPasswordResetCommand,
  ChangePasswordCommand,
} from './auth/password.handlers';
export { GoogleSignInCommand } from './google/google-sign-in.handlers';
export { ProfileQuery, UpdateProfileCommand } from './users/profile.handlers';
export {
  SendEmailVerificationCommand,
  VerifyEmailCommand,
} from './email/email-verification.handlers';
export {
  EnrolTwoFactorCommand,
  ConfirmTwoFactorCommand,
  DisableTwoFactorCommand,
} from './two-factor/two-factor.handlers';
export { ReplaceRolesCommand, UserRolesByEmailQuery } from './access/role-admin.handlers';
export { SecurityEventsPageQuery, type SecurityEventsPage } from './audit/security-events.handlers';
export { signUpWalletCommandId } from './users/sign-up-wallet';
export { normaliseEmail } from './users/email';
export { normalisePhone } from './users/phone';
export {
  ContactDirectory,
  ContactsModule,
  readContactsDataKey,
  type Contact,
} from './contacts/contact-directory';
