import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CardList, CardSetupView, CardView } from '../http/views';
import { CurrentPrincipal, type Principal } from '@ledger/identity';
import {
  ConfirmedCardQuery,
  type CardRejection,
  ListCardsQuery,
  SetUpCardCommand,
  UnlinkCardCommand,
} from '@ledger/movements';
import { Idempotent, type IdempotencyContext } from '../http/idempotency.interceptor';
import { RejectionException } from '../http/rejection';

/**
 * Linked cards. The card details go from the browser to the provider through
 * a SetupIntent's client secret; the ledger keeps and shows only provider ids
 * and display hints (brand, last four digits, expiry). A linked card can pay
 * for a top-up (`paymentMethodId` on POST /top-ups). Every card belongs to the
 * caller's own customer at the provider; another user's card answers exactly
 * like a missing one (`@ledger/movements`' card handlers decide).
 */
@ApiTags('cards')
@ApiBearerAuth()
@Controller('cards')
export class CardsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** Starts linking a card: the frontend confirms the returned client secret with the provider's SDK. */
  @Post('setup-intents')
  @ApiCreatedResponse({ type: CardSetupView })
  @Idempotent()
  async setUp(
    @CurrentPrincipal() principal: Principal,
    @Req() req: { idempotency: IdempotencyContext },
  ) {
    return refusedOr(
      await this.commands.execute(
        new SetUpCardCommand(principal.userId, req.idempotency.commandId),
      ),
    );
  }

  /**
   * Finishes linking a card the browser confirmed with the provider's own form
   * (Stripe Elements' confirmCardSetup): answers the card the SetupIntent
   * attached to the caller's customer. It writes nothing of its own (the
   * provider holds the card, GET /cards lists it), so a retry answers the
   * same. Another user's SetupIntent answers 404 like a missing one; one the
   * provider has not confirmed is 409 `setup_intent_not_succeeded`.
   */
  @Post('setup-intents/:id/confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: CardView })
  async confirmSetUp(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return refusedOr(await this.queries.execute(new ConfirmedCardQuery(principal.userId, id)));
  }

  @Get()
  @ApiOkResponse({ type: CardList })
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: refusedOr(await this.queries.execute(new ListCardsQuery(principal.userId))) };
  }

  /** Unlinks one of the caller's cards; another customer's card answers 404, like a missing one. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    const refused = await this.commands.execute(new UnlinkCardCommand(principal.userId, id));
    if (refused) throw new RejectionException(refused);
  }
}

/** A card handler's answer, or its refusal as the problem it names. */
function refusedOr<T extends object>(answer: T | CardRejection): T {
  if (typeof answer === 'string') throw new RejectionException(answer);
  return answer;
}
