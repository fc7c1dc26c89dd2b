import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../principal';
import { TwoFactorService, type Enrolment } from '../two-factor/two-factor.service';
import { EnrolmentDto, RecoveryCodesDto, TwoFactorCodeDto } from './dtos/me.dto';
import { orThrow } from './identity-rejection';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me/2fa')
export class TwoFactorController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Post('enrol')
  @HttpCode(200)
  @ApiOkResponse({
    type: EnrolmentDto,
    description: 'The secret, shown once; confirm it with a first code',
  })
  async enrol(@CurrentPrincipal() caller: Principal): Promise<Enrolment> {
    return orThrow(await this.twoFactor.enrol(caller.userId));
  }

  @Post('confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: RecoveryCodesDto })
  async confirm(
    @CurrentPrincipal() caller: Principal,
    @Body() body: TwoFactorCodeDto,
  ): Promise<{ recoveryCodes: string[] }> {
    return orThrow(await this.twoFactor.confirm(caller.userId, body.code));
  }

  @Post('disable')
  @HttpCode(204)
  @ApiNoContentResponse()
  async disable(
    @CurrentPrincipal() caller: Principal,
    @Body() body: TwoFactorCodeDto,
  ): Promise<void> {
    orThrow(await this.twoFactor.disable(caller.userId, body.code));
  }
}
