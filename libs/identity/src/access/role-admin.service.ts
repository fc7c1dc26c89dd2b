import { Injectable } from '@nestjs/common';
import { SecurityAuditService } from '../audit/security-audit.service';
import { rejected, type Rejected } from '../identity.rejections';
import type { Principal, Role } from '../principal';
import { UserStore } from '../users/user.store';

/** Role changes by admins, each one audited. */
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
    actor: Principal,
    userId: string,
    roles: readonly Role[],
  ): Promise<{ userId: string; roles: Role[] } | Rejected> {
    if (actor.userId === userId && !roles.includes('admin'))
      return rejected('cannot_remove_own_admin_role');
    const change = await this.users.replaceRoles(userId, roles);
    if (change === 'user_not_found') return rejected(change);
    await this.audit.record({
      type: 'RolesChanged',
      userId,
      data: { by: actor.userId, from: change.from, to: change.to },
    });
    return { userId, roles: change.to };
  }
}
