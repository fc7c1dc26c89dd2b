import { Injectable } from '@nestjs/common';
import { rejected, type Rejected } from '../identity.rejections';
import type { Role } from '../principal';
import { TwoFactorService } from '../two-factor/two-factor.service';
import { normalisePhone } from './phone';
import type { ProfileChange } from './user';
import { UserStore } from './user.store';

export interface Profile {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name: string | null;
  readonly phone: string | null;
  readonly roles: Role[];
  readonly defaultCurrency: string;
  readonly twoFactorEnabled: boolean;
  readonly googleLinked: boolean;
  readonly hasPassword: boolean;
  readonly createdAt: string;
}

/** A user's view and edits of their own profile. */
@Injectable()
export class ProfileService {
  constructor(
    private readonly users: UserStore,
    private readonly twoFactor: TwoFactorService,
  ) {}

  async get(userId: string): Promise<Profile | Rejected> {
    const [user, twoFactorEnabled] = await Promise.all([
      this.users.findById(userId),
      this.twoFactor.isEnabled(userId),
    ]);
    if (!user) return rejected('user_not_found');
    return {
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerified,
      name: user.name,
      phone: user.phone,
      roles: user.roles,
      defaultCurrency: user.defaultCurrency,
      twoFactorEnabled,
      googleLinked: user.googleSubject !== null,
      hasPassword: user.passwordHash !== null,
      createdAt: user.createdAt,
    };
  }

  async update(userId: string, change: ProfileChange): Promise<Profile | Rejected> {
    const phone = typeof change.phone === 'string' ? normalisePhone(change.phone) : change.phone;
    if (phone === 'phone_invalid') return rejected(phone);
    const name = typeof change.name === 'string' ? change.name.trim() || null : change.name;
    const problem = await this.users.updateProfile(userId, { name, phone });
    if (problem) return rejected(problem);
    return this.get(userId);
  }
}
