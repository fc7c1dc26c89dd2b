import { Injectable } from '@nestjs/common';
import { normaliseEmail } from '../users/email';
import { normalisePhone } from '../users/phone';
import { UserStore } from '../users/user.store';

/**
 * Finds the user behind an e-mail or phone number, for transfers addressed
 * that way. Answers only with a user id, through the keyed lookup hashes, so
 * callers never handle anyone's stored personal data. Input is normalised
 * as at sign-up; anything that is not an e-mail or an E.164 number finds
 * nobody.
 */
@Injectable()
export class RecipientDirectory {
  constructor(private readonly users: UserStore) {}

  async findUserIdByEmail(email: string): Promise<string | undefined> {
    const normalised = normaliseEmail(email);
    return normalised === 'email_invalid' ? undefined : this.users.findIdByEmail(normalised);
  }

  /** Whether the user is a merchant that can be paid (`POST /payments`). */
  isMerchant(userId: string): Promise<boolean> {
    return this.users.hasRole(userId, 'merchant');
  }

  async findUserIdByPhone(phone: string): Promise<string | undefined> {
    const normalised = normalisePhone(phone);
    return normalised === 'phone_invalid' ? undefined : this.users.findIdByPhone(normalised);
  }
}
