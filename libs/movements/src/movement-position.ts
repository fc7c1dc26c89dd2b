import type { Position } from '@ledger/event-store';
import type { MovementStarted } from '@ledger/ledger';

/**
 * Every accepted movement answers the log position of its outcome, so a
 * client can read its own write (`?position=`). A re-run that recorded
 * nothing new (a retry after a lost answer, a prompt already sent) has no
 * position of its own: the movement's last recorded event is where its
 * outcome stands.
 */
export async function withPosition(
  started: MovementStarted,
  streams: {
    replay(stream: string): Promise<{ events: readonly { position: Position }[] } | undefined>;
  },
): Promise<MovementStarted> {
  if (!started.ok || started.position) return started;
  const events = (await streams.replay(started.movementId))?.events ?? [];
  const last = events[events.length - 1];
  return last ? { ...started, position: last.position } : started;
}
