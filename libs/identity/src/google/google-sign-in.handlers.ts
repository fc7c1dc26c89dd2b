import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { LoginOutcome, RequestOrigin } from '../auth/auth.service';
import type { Rejected } from '../identity.rejections';
import type { GoogleProfile } from './google-profile';
import { GoogleSignInService } from './google-sign-in.service';

/**
 * Signs in with the profile Google vouched for: an existing account, one
 * linked to it now, or a new one (`decideGoogleSignIn` chooses). Answers
 * like a password login, a session or the second factor's challenge, or a
 * `Rejected` value.
 */
export class GoogleSignInCommand extends Command<LoginOutcome | Rejected> {
  constructor(
    readonly profile: GoogleProfile,
    readonly origin: RequestOrigin,
  ) {
    super();
  }
}

@CommandHandler(GoogleSignInCommand)
export class GoogleSignInHandler implements ICommandHandler<GoogleSignInCommand> {
  constructor(private readonly google: GoogleSignInService) {}
  execute({ profile, origin }: GoogleSignInCommand): Promise<LoginOutcome | Rejected> {
    return this.google.signIn(profile, origin);
  }
}
