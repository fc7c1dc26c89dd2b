import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PayoutDestinationList, PayoutDestinationView } from '../http/views';
import { CurrentPrincipal, RequireTwoFactor, type Principal } from '@ledger/identity';
import { deriveId } from '@ledger/ledger';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { ObjectIdPipe } from '../http/object-id.pipe';
import { RejectionException } from '../http/rejection';
import { CreatePayoutDestinationDto } from './payout-destination.dto';
import { PayoutDestinationsStore, type PayoutDestination } from '@ledger/movements';

/** The caller's own bank accounts for withdrawals. Linking one needs a fresh second-factor code. */
@ApiTags('payout-destinations')
@ApiBearerAuth()
@Controller('payout-destinations')
export class PayoutDestinationsController {
  constructor(private readonly destinations: PayoutDestinationsStore) {}

  @Post()
  @ApiCreatedResponse({ type: PayoutDestinationView })
  @RequireTwoFactor()
  @Idempotent()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePayoutDestinationDto,
    @Req() request: { idempotency: IdempotencyContext },
  ): Promise<PayoutDestination> {
    const added = await this.destinations.add(
      principal.userId,
      deriveId('payout-destination', request.idempotency.commandId),
      dto,
    );
    if (typeof added === 'string') throw new RejectionException(added);
    return added;
  }

  @Get()
  @ApiOkResponse({ type: PayoutDestinationList })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: PayoutDestination[] }> {
    return { items: await this.destinations.list(principal.userId) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ObjectIdPipe('payout_destination_not_found')) id: string,
  ): Promise<void> {
    if (!(await this.destinations.remove(principal.userId, id)))
      throw new RejectionException('payout_destination_not_found');
  }
}
