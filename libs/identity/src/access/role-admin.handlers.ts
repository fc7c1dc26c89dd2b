import {
  Command,
  CommandHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import type { Rejected } from '../identity.rejections';
import type { Role } from '../principal';
import { RoleAdminService, type RoleChange, type UserRoles } from './role-admin.service';

/**
 * An admin's role management on the `@nestjs/cqrs` buses. Each message names
 * the admin who asks (`adminId`), and each is audited on their behalf; a
 * refusal is a `Rejected` value.
 */

/** Replaces a user's roles; an admin may not take away their own admin role. */
export class ReplaceRolesCommand extends Command<RoleChange | Rejected> {
  constructor(
    readonly adminId: string,
    readonly userId: string,
    readonly roles: readonly Role[],
  ) {
    super();
  }
}

/**
 * A user's id and roles by their e-mail. Writes nothing of the user's, but
 * the lookup itself is recorded (`UserLookedUp`: who looked whom up, found
 * or not).
 */
export class UserRolesByEmailQuery extends Query<UserRoles | Rejected> {
  constructor(
    readonly adminId: string,
    readonly email: string,
  ) {
    super();
  }
}

@CommandHandler(ReplaceRolesCommand)
export class ReplaceRolesHandler implements ICommandHandler<ReplaceRolesCommand> {
  constructor(private readonly roles: RoleAdminService) {}
  execute({ adminId, userId, roles }: ReplaceRolesCommand): Promise<RoleChange | Rejected> {
    return this.roles.replaceRoles(adminId, userId, roles);
  }
}

@QueryHandler(UserRolesByEmailQuery)
export class UserRolesByEmailHandler implements IQueryHandler<UserRolesByEmailQuery> {
  constructor(private readonly roles: RoleAdminService) {}
  execute({ adminId, email }: UserRolesByEmailQuery): Promise<UserRoles | Rejected> {
    return this.roles.lookUpByEmail(adminId, email);
  }
}

export const ROLE_ADMIN_HANDLERS = [ReplaceRolesHandler, UserRolesByEmailHandler];
