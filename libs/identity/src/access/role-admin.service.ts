import { Injectable } from '@nestjs/common';
import { SecurityAuditService } from '../audit/security-audit.service';
import { rejected, type Rejected } from '../identity.rejections';
import type { Role } from '../principal';
import { normaliseEmail } from '../users/email';
import { UserStore } from '../users/user.store';

export interface RoleChange {
  readonly userId: string;
  readonly roles: Role[];
}

export interface UserRoles {
  readonly userId: string;
  readonly roles: Role[];
  readonly emailVerified: boolean;
}

/** Who the audit trail names for grants made on the server by its operator. */
export const OPERATOR_CLI = 'operator CLI';

/**
 * Role changes, each one audited: by admins over HTTP, and by the operator
 * with `npm run admin:grant`, which is how the first admin comes to be.
 * Either way only an existing user whose e-mail is verified gets a staff role.
 */
@Injectable()
export class RoleAdminService {
  constructor(
    private readonly users: UserStore,
    private readonly audit: SecurityAuditService,
  ) {}

  /**
   * An admin may not take away their own admin role: with one admin left
   * that would leave nobody able to give it back.
   */
  async replaceRoles(
    adminId: string,
    userId: string,
    roles: readonly Role[],
  ): Promise<RoleChange | Rejected> {
    if (adminId === userId && !roles.includes('admin'))
      return rejected('cannot_remove_own_admin_role');
    return this.change(userId, () => roles, adminId);
  }

  /**
   * The user with this e-mail and their roles, for an admin managing roles.
   * Audited on the admin's stream (who looked whom up, found or not); the
   * answer names the user's id and roles, nothing more of them.
   */
  async lookUpByEmail(adminId: string, emailInput: string): Promise<UserRoles | Rejected> {
    const email = normaliseEmail(emailInput);
    if (email === 'email_invalid') return rejected(email);
    const user = await this.users.findByEmail(email);
    await this.audit.record({
      type: 'UserLookedUp',
      userId: adminId,
      data: { subject: user?.id ?? null },
    });
    if (!user) return rejected('user_not_found');
    return { userId: user.id, roles: [...user.roles], emailVerified: user.emailVerified };
  }

  /** Adds roles to the user with this e-mail, keeping the ones they have. */
  async grantByEmail(
    emailInput: string,
    roles: readonly Role[],
    by = OPERATOR_CLI,
  ): Promise<RoleChange | Rejected> {
    const email = normaliseEmail(emailInput);
    if (email === 'email_invalid') return rejected(email);
    const userId = await this.users.findIdByEmail(email);
    if (!userId) return rejected('user_not_found');
    return this.change(userId, (current) => [...current, ...roles], by);
  }

  private async change(
    userId: string,
    next: (current: readonly Role[]) => readonly Role[],
    by: string,
  ): Promise<RoleChange | Rejected> {
    const change = await this.users.replaceRoles(userId, next);
    if (typeof change === 'string') return rejected(change);
    await this.audit.record({
      type: 'RolesChanged',
      userId,
      data: { by, from: change.from, to: change.to },
    });
    return { userId, roles: change.to };
  }
}
