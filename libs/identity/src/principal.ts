import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

/**
 * Who is calling. The global auth guard puts a Principal on `request.user`
 * for every route that is not `@Public()`.
 */
export const ROLES = ['customer', 'merchant', 'finance', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly userId: string;
  readonly email: string;
  readonly roles: readonly Role[];
}

/** Staff roles that may read every wallet; only finance and admin may move money on others' behalf. */
export function canReadAnyWallet(p: Principal): boolean {
  return p.roles.some((r) => r === 'finance' || r === 'auditor' || r === 'admin');
}

export const IS_PUBLIC_KEY = 'ledger:isPublic';
/** Opts a route out of the global auth guard. Every other route requires a valid access token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

export const ROLES_KEY = 'ledger:roles';
/** Restricts a route to principals holding at least one of the roles. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => {
    const request = ctx.switchToHttp().getRequest<{ user?: Principal }>();
    if (!request.user) throw new Error('CurrentPrincipal used on a route without authentication');
    return request.user;
  },
);
