import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PayoutDestinationList, PayoutDestinationView } from '../http/views';
import { CurrentPrincipal, RequireTwoFactor, type Principal } from '@ledger/identity';
import {
  LinkPayoutDestinationCommand,
  ListPayoutDestinationsQuery,
  UnlinkPayoutDestinationCommand,
  type PayoutDestination,
} from '@ledger/movements';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { ObjectIdPipe } from '../http/object-id.pipe';
import { RejectionException } from '../http/rejection';
import { CreatePayoutDestinationDto } from './payout-destination.dto';

/** The caller's own bank accounts for withdrawals. Linking one needs a fresh second-factor code. */
@ApiTags('payout-destinations')
@ApiBearerAuth()
@Controller('payout-destinations')
export class PayoutDestinationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: PayoutDestinationView })
  @RequireTwoFactor()
  @Idempotent()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePayoutDestinationDto,
    @Req() request: { idempotency: IdempotencyContext },
  ): Promise<PayoutDestination> {
    const added = await this.commands.execute(
      new LinkPayoutDestinationCommand(principal.userId, request.idempotency.commandId, {
        type: dto.type,
        providerRef: dto.providerRef,
        label: dto.label,
      }),
    );
    if (typeof added === 'string') throw new RejectionException(added);
    return added;
  }

  @Get()
  @ApiOkResponse({ type: PayoutDestinationList })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: PayoutDestination[] }> {
    return { items: await this.queries.execute(new ListPayoutDestinationsQuery(principal.userId)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ObjectIdPipe('payout_destination_not_found')) id: string,
  ): Promise<void> {
    const refused = await this.commands.execute(
      new UnlinkPayoutDestinationCommand(principal.userId, id),
    );
    if (refused) throw new RejectionException(refused);
  }
}
