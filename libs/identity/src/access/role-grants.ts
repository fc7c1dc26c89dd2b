import type { SqlDatabase } from '@ledger/database';
import type { EventStore } from '@ledger/event-store';
import { SecurityAuditService } from '../audit/security-audit.service';
import { FieldCipher } from '../crypto/field-cipher';
import type { Rejected } from '../identity.rejections';
import type { Role } from '../principal';
import { UserStore } from '../users/user.store';
import { OPERATOR_CLI, RoleAdminService, type RoleChange } from './role-admin.service';

export interface RoleGrantDeps {
  readonly db: SqlDatabase;
  readonly store: EventStore;
  /** The service's LEDGER_IDENTITY_DATA_KEY: e-mails are found by keyed hash. */
  readonly dataKey: Buffer;
}

/**
 * Grants roles to an existing user with a verified e-mail, outside the HTTP
 * API: what `npm run admin:grant` runs. Only someone who can reach the
 * service's database and keys can do it, so there is no first-come race for
 * the first admin. Audited with `by: "operator CLI"`.
 */
export async function grantRoles(
  deps: RoleGrantDeps,
  email: string,
  roles: readonly Role[],
): Promise<RoleChange | Rejected> {
  const users = new UserStore(deps.db, new FieldCipher(deps.dataKey));
  const audit = new SecurityAuditService(deps.store, deps.db);
  return new RoleAdminService(users, audit).grantByEmail(email, roles, OPERATOR_CLI);
}
