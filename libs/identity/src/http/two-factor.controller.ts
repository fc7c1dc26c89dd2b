import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../principal';
import {
  ConfirmTwoFactorCommand,
  DisableTwoFactorCommand,
  EnrolTwoFactorCommand,
} from '../two-factor/two-factor.handlers';
import type { Enrolment } from '../two-factor/two-factor.service';
import { EnrolmentDto, RecoveryCodesDto, TwoFactorCodeDto } from './dtos/me.dto';
import { orThrow } from './identity-rejection';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me/2fa')
export class TwoFactorController {
  constructor(private readonly commands: CommandBus) {}

  @Post('enrol')
  @HttpCode(200)
  @ApiOkResponse({
    type: EnrolmentDto,
    description: 'The secret, shown once; confirm it with a first code',
  })
  async enrol(@CurrentPrincipal() caller: Principal): Promise<Enrolment> {
    return orThrow(await this.commands.execute(new EnrolTwoFactorCommand(caller.userId)));
  }

  @Post('confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: RecoveryCodesDto })
  async confirm(
    @CurrentPrincipal() caller: Principal,
    @Body() body: TwoFactorCodeDto,
  ): Promise<{ recoveryCodes: string[] }> {
    return orThrow(
      await this.commands.execute(new ConfirmTwoFactorCommand(caller.userId, body.code)),
    );
  }

  @Post('disable')
  @HttpCode(204)
  @ApiNoContentResponse()
  async disable(
    @CurrentPrincipal() caller: Principal,
    @Body() body: TwoFactorCodeDto,
  ): Promise<void> {
    orThrow(await this.commands.execute(new DisableTwoFactorCommand(caller.userId, body.code)));
  }
}
