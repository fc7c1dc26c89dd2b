import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../principal';
import { ProfileService, type Profile } from '../users/profile.service';
import { MeDto, UpdateMeDto } from './dtos/me.dto';
import { orThrow } from './identity-rejection';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly profiles: ProfileService) {}

  @Get()
  @ApiOkResponse({ type: MeDto })
  async get(@CurrentPrincipal() caller: Principal): Promise<Profile> {
    return orThrow(await this.profiles.get(caller.userId));
  }

  @Patch()
  @ApiOkResponse({ type: MeDto })
  async update(@CurrentPrincipal() caller: Principal, @Body() body: UpdateMeDto): Promise<Profile> {
    return orThrow(await this.profiles.update(caller.userId, body));
  }
}
