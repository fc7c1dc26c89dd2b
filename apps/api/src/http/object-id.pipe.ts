import { Injectable, type PipeTransform } from '@nestjs/common';
import { RejectionException, type ApiRejection } from './rejection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Validates the id of an object in a path before it reaches a stream name
 * or a query. Anything that is not a UUID cannot name an object, so it
 * answers the object's own not-found rejection, exactly as a missing id or
 * another user's id does: the answer tells a caller nothing about which ids
 * exist or how they are formed. The id is lower-cased, the form ids are
 * stored in.
 */
@Injectable()
export class ObjectIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly notFound: ApiRejection) {}

  transform(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) throw new RejectionException(this.notFound);
    return value.toLowerCase();
  }
}

/** `@Param('id', WALLET_ID)`: a wallet's id, or 404 wallet_not_found. */
export const WALLET_ID = new ObjectIdPipe('wallet_not_found');
