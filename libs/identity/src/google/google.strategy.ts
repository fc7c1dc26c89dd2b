import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type Profile } from 'passport-google-oauth20';
import type { GoogleConfig } from '../identity.config';
import { CookieStateStore } from './cookie-state.store';
import { toGoogleProfile, type GoogleProfile } from './google-profile';

/**
 * Google's OAuth 2.0 redirect flow through passport. It only turns Google's
 * answer into a `GoogleProfile`; who that is in this service is decided by
 * GoogleSignInService. The endpoints can be pointed elsewhere for staging
 * stand-ins and tests.
 */
export class GoogleStrategy extends PassportStrategy(Strategy, 'google') {
  constructor(config: GoogleConfig, secureCookies: boolean) {
    super({
      clientID: config.clientId,
      clientSecret: config.clientSecret,
      callbackURL: config.callbackUrl,
      scope: ['openid', 'email', 'profile'],
      store: new CookieStateStore(secureCookies),
      ...(config.authorizationUrl && { authorizationURL: config.authorizationUrl }),
      ...(config.tokenUrl && { tokenURL: config.tokenUrl }),
      ...(config.userInfoUrl && { userProfileURL: config.userInfoUrl }),
    });
  }

  validate(_accessToken: string, _refreshToken: string, profile: Profile): GoogleProfile {
    return toGoogleProfile(profile);
  }
}
