import { must } from '@ledger/invariant';
import type { SqlDatabase } from '@ledger/database';
import {
  databaseFactories,
  postgresUrl,
  createPostgresDatabase,
  type DatabaseFactory,
} from '@ledger/testing';
import { eventStoreContract, type ContractSubject } from './event-store.contract';
import { outOfOrderScenario, pagingReader, type ReadAfter } from './global-log.contract';
import { START, type RecordedEvent } from './event-store.port';
import { SqlEventStore } from './postgres/sql.event-store';
import { EsdbEventStore } from './esdb/esdb.event-store';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './postgres/sql-values';

/** Enough connections for the out-of-order scenario: 8 writers, the held transaction, the reader. */
const POOL_SIZE = 12;

function sqlSubject(factory: DatabaseFactory): () => Promise<ContractSubject> {
  return async () => {
    const database = await factory.create({ poolSize: POOL_SIZE });
    const store = new SqlEventStore(database.db);
    return {
      store,
      sql: database.db,
      // PGlite has one connection: a transaction held open there would block every other writer.
      appendHeldOpen:
        factory.name === 'postgres'
          ? (request, beforeCommit) =>
              database.db.transaction(async (tx) => {
                const [outcome] = await store.appendManyIn(tx, [request]);
                await beforeCommit();
                return must(outcome, 'append outcome');
              })
          : undefined,
      dispose: () => database.drop(),
    };
  };
}

for (const factory of databaseFactories()) {
  // A PGlite instance takes seconds to start: one per suite. Each Postgres test gets its own database.
  eventStoreContract(factory.name, {
    open: sqlSubject(factory),
    shared: factory.name === 'pglite',
  });
}

const eventStoreUrl = process.env.EVENTSTORE_URL;
if (eventStoreUrl) {
  // One shared server: the tests isolate themselves by stream ids.
  eventStoreContract('eventstoredb', {
    shared: true,
    open: async () => {
      const store = EsdbEventStore.connect(eventStoreUrl);
      return { store, dispose: () => store.close() };
    },
  });
}

describe('a naive `seq > last` reader on Postgres', () => {
  const url = postgresUrl();
  const run = url ? it : it.skip;

  run(
    'misses events that commit out of order: the scenario the contract passes has teeth',
    async () => {
      const database = await createPostgresDatabase(url!, { poolSize: POOL_SIZE });
      try {
        const subject = await sqlSubject({ name: 'postgres', create: async () => database })();
        const reader = (own: (e: RecordedEvent) => boolean) =>
          pagingReader(naiveRead(database.db), START, 3, own, 50);
        const result = await outOfOrderScenario(subject, reader);
        expect(result.probeSawLaterCommit).toBe(true);
        const seen = new Set(result.seen.map((e) => e.id));
        const missed = [...result.written].filter((id) => !seen.has(id));
        expect(missed.length).toBeGreaterThan(0);
      } finally {
        await database.drop();
      }
    },
  );
});

/** What a well-known TypeScript store does: order and resume by a bigserial alone. */
function naiveRead(db: SqlDatabase): ReadAfter {
  return async (after, maxCount) => {
    const { rows } = await db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after.prepare.toString(), maxCount],
    );
    return rows.map(toRecordedEvent);
  };
}
