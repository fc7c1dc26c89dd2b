import { Body, Controller, Get, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ReplaceRolesCommand, UserRolesByEmailQuery } from '../access/role-admin.handlers';
import { SecurityEventsPageQuery } from '../audit/security-events.handlers';
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
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Put('admin/users/:id/roles')
  @Roles('admin')
  @ApiOkResponse({ type: RolesDto })
  async replaceRoles(
    @CurrentPrincipal() caller: Principal,
    @Param('id', USER_ID) userId: string,
    @Body() body: ReplaceRolesDto,
  ): Promise<RolesDto> {
    return orThrow(
      await this.commands.execute(new ReplaceRolesCommand(caller.userId, userId, body.roles)),
    );
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
    return orThrow(
      await this.queries.execute(new UserRolesByEmailQuery(caller.userId, query.email)),
    );
  }

  @Get('audit/security-events')
  @Roles('auditor', 'admin')
  @ApiOkResponse({ type: SecurityEventsPageDto })
  async securityEvents(@Query() query: SecurityEventsQueryDto): Promise<SecurityEventsPageDto> {
    const { cursor, before, ...filters } = query;
    const { items, nextCursor } = await this.queries.execute(
      new SecurityEventsPageQuery({
        ...filters,
        before: cursor ?? before,
        limit: query.limit ?? DEFAULT_PAGE,
      }),
    );
    // `events` and `next` are the page's names before every list answered
    // `{ items, nextCursor }`; kept for one release.
    return { items, nextCursor, events: items, ...(nextCursor !== null && { next: nextCursor }) };
  }
}
