import {
  Command,
  CommandHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { deriveId } from '@ledger/ledger';
import { PayoutDestinationsStore, type PayoutDestination } from './payout-destinations.store';

/**
 * The caller's own payout destinations (bank or connected accounts that
 * withdrawals pay out to) on the `@nestjs/cqrs` buses. A refusal is answered
 * as its name. Whether the caller may link one (a fresh second factor) is
 * the route's to check before it sends the command.
 */
export type PayoutDestinationRejection =
  'payout_destination_exists' | 'too_many_payout_destinations' | 'payout_destination_not_found';

/** Links a destination; a retry under the same command id answers the one it linked. */
export class LinkPayoutDestinationCommand extends Command<
  PayoutDestination | PayoutDestinationRejection
> {
  constructor(
    readonly userId: string,
    /** The request's command id; the destination's id derives from it. */
    readonly commandId: string,
    readonly destination: Pick<PayoutDestination, 'type' | 'providerRef' | 'label'>,
  ) {
    super();
  }
}

/** The caller's live destinations, oldest first. */
export class ListPayoutDestinationsQuery extends Query<PayoutDestination[]> {
  constructor(readonly userId: string) {
    super();
  }
}

/** Unlinks one of the caller's destinations; withdrawals already under way keep theirs. */
export class UnlinkPayoutDestinationCommand extends Command<
  PayoutDestinationRejection | undefined
> {
  constructor(
    readonly userId: string,
    readonly destinationId: string,
  ) {
    super();
  }
}

@CommandHandler(LinkPayoutDestinationCommand)
export class LinkPayoutDestinationHandler implements ICommandHandler<
  LinkPayoutDestinationCommand,
  PayoutDestination | PayoutDestinationRejection
> {
  constructor(private readonly destinations: PayoutDestinationsStore) {}

  execute({
    userId,
    commandId,
    destination,
  }: LinkPayoutDestinationCommand): Promise<PayoutDestination | PayoutDestinationRejection> {
    return this.destinations.add(userId, deriveId('payout-destination', commandId), destination);
  }
}

@QueryHandler(ListPayoutDestinationsQuery)
export class ListPayoutDestinationsHandler implements IQueryHandler<
  ListPayoutDestinationsQuery,
  PayoutDestination[]
> {
  constructor(private readonly destinations: PayoutDestinationsStore) {}

  execute({ userId }: ListPayoutDestinationsQuery): Promise<PayoutDestination[]> {
    return this.destinations.list(userId);
  }
}

@CommandHandler(UnlinkPayoutDestinationCommand)
export class UnlinkPayoutDestinationHandler implements ICommandHandler<
  UnlinkPayoutDestinationCommand,
  PayoutDestinationRejection | undefined
> {
  constructor(private readonly destinations: PayoutDestinationsStore) {}

  async execute({
    userId,
    destinationId,
  }: UnlinkPayoutDestinationCommand): Promise<PayoutDestinationRejection | undefined> {
    return (await this.destinations.remove(userId, destinationId))
      ? undefined
      : 'payout_destination_not_found';
  }
}

export const PAYOUT_DESTINATION_HANDLERS = [
  LinkPayoutDestinationHandler,
  ListPayoutDestinationsHandler,
  UnlinkPayoutDestinationHandler,
];
