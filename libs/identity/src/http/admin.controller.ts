import { Body, Controller, Get, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RoleAdminService } from '../access/role-admin.service';
import { SecurityAuditService } from '../audit/security-audit.service';
import { CurrentPrincipal, Roles, type Principal } from '../principal';
import {
  ReplaceRolesDto,
  RolesDto,
  SecurityEventsPageDto,
  SecurityEventsQueryDto,
  UserLookupQueryDto,
  UserRolesDto,
} from './dtos/admin.dto';
import { rejected } from '../identity.rejections';
import { IdentityRejectionException, orThrow } from './identity-rejection';

const DEFAULT_PAGE = 50;

/** A path id that is not a UUID names no user, so it answers exactly as a missing user. */
const USER_ID = new ParseUUIDPipe({
  exceptionFactory: () => new IdentityRejectionException(rejected('user_not_found')),
});

@ApiTags('admin')
@ApiBearerAuth()
@Controller()
export class AdminController {
  constructor(
    private readonly roles: RoleAdminService,
    private readonly audit: SecurityAuditService,
  ) {}

  @Put('admin/users/:id/roles')
  @Roles('admin')
  @ApiOkResponse({ type: RolesDto })
  async replaceRoles(
    @CurrentPrincipal() caller: Principal,
    @Param('id', USER_ID) userId: string,
    @Body() body: ReplaceRolesDto,
  ): Promise<RolesDto> {
    return orThrow(await this.roles.replaceRoles(caller, userId, body.roles));
  }

  /**
   * A user's id and roles by their e-mail, for the roles panel. Admins only,
   * audited (UserLookedUp); an unknown e-mail answers 404 user_not_found.
   */
  @Get('admin/users')
  @Roles('admin')
  @ApiOkResponse({ type: UserRolesDto })
  async lookUp(
    @CurrentPrincipal() caller: Principal,
    @Query() query: UserLookupQueryDto,
  ): Promise<UserRolesDto> {
    return orThrow(await this.roles.lookUpByEmail(caller, query.email));
  }

  @Get('audit/security-events')
  @Roles('auditor', 'admin')
  @ApiOkResponse({ type: SecurityEventsPageDto })
  async securityEvents(@Query() query: SecurityEventsQueryDto): Promise<SecurityEventsPageDto> {
    const { cursor, before, ...filters } = query;
    const limit = query.limit ?? DEFAULT_PAGE;
    const events = await this.audit.list({ ...filters, before: cursor ?? before, limit });
    const lastEvent = events.at(-1);
    const nextCursor = events.length === limit && lastEvent ? lastEvent.cursor : null;
    // `events` and `next` are the page's names before every list answered
    // `{ items, nextCursor }`; kept for one release.
    return { items: events, nextCursor, events, ...(nextCursor !== null && { next: nextCursor }) };
  }
}
