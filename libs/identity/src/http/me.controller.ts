import { Body, Controller, Get, Patch } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../principal';
import { ProfileQuery, UpdateProfileCommand } from '../users/profile.handlers';
import type { Profile } from '../users/profile.service';
import { MeDto, UpdateMeDto } from './dtos/me.dto';
import { orThrow } from './identity-rejection';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOkResponse({ type: MeDto })
  async get(@CurrentPrincipal() caller: Principal): Promise<Profile> {
    return orThrow(await this.queries.execute(new ProfileQuery(caller.userId)));
  }

  @Patch()
  @ApiOkResponse({ type: MeDto })
  async update(@CurrentPrincipal() caller: Principal, @Body() body: UpdateMeDto): Promise<Profile> {
    return orThrow(await this.commands.execute(new UpdateProfileCommand(caller.userId, body)));
  }
}
