import { BadRequestException } from '@nestjs/common';
import { parsePosition, type Position } from '@ledger/event-store';

/** The largest xid8 (a commit's transaction id on Postgres): unsigned 64 bits. */
const XID8_MAX = (1n << 64n) - 1n;
/** The largest int8 (an event's sequence number within its commit). */
const INT8_MAX = (1n << 63n) - 1n;

/**
 * Parses a position token from a query parameter (`commit.prepare`, as
 * returned by a command), checked against the ranges the SQL event store can
 * compare with, so an out-of-range token is the caller's 400 and never a
 * database overflow. The answer names the parameter.
 */
export function positionParam(name: string, text: string): Position {
  const position = parsePosition(text);
  const inRange =
    position !== undefined &&
    position.commit <= XID8_MAX &&
    position.prepare <= INT8_MAX &&
    position.commit >= -1n &&
    position.prepare >= -1n;
  if (!inRange) {
    throw new BadRequestException({
      statusCode: 400,
      error: 'invalid_position',
      message: `${name} must be a position token as returned by a command, e.g. "812.4521"`,
      details: [{ field: name, message: `${name} must be a position token` }],
    });
  }
  return position;
}
