import { must } from '@ledger/invariant';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Client, Pool, type PoolClient } from 'pg';

/**
 * The yardstick for `npm run bench:transfers`: the simplest correct wallet
 * transfer a CRUD service would write. One HTTP request is one Postgres
 * transaction: two guarded UPDATEs of the balances and an INSERT of the
 * transfer, then COMMIT. No authentication, no event log, no read models, no
 * saga: what it does not do is what the ledger's extra cost buys.
 *
 *   node dist/bench/naive-wallet.server.js   (PORT, DATABASE_URL, DATABASE_POOL_SIZE)
 */
const MAX_BODY_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 200;
/** The ledger's own ceiling on one amount (libs/ledger/src/money.ts), so both refuse the same inputs. */
const MAX_AMOUNT_MINOR = 10n ** 18n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS naive_wallets (
    id uuid PRIMARY KEY,
    currency char(3) NOT NULL,
    balance_minor bigint NOT NULL CHECK (balance_minor >= 0)
  );
  CREATE TABLE IF NOT EXISTS naive_transfers (
    id bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    from_wallet uuid NOT NULL REFERENCES naive_wallets (id),
    to_wallet uuid NOT NULL REFERENCES naive_wallets (id),
    amount_minor bigint NOT NULL CHECK (amount_minor > 0),
    currency char(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`;

interface Transfer {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}

type Answer = { status: number; body: Record<string, unknown> };

export async function createNaiveSchema(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(SCHEMA);
  } finally {
    await client.end();
  }
}

/** `count` wallets in `currency`, each holding `balanceMinor`; returns their ids. */
export async function seedNaiveWallets(
  databaseUrl: string,
  count: number,
  currency: string,
  balanceMinor: bigint,
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO naive_wallets (id, currency, balance_minor)
       SELECT id, $2, $3 FROM unnest($1::uuid[]) AS id`,
      [ids, currency, balanceMinor.toString()],
    );
  } finally {
    await client.end();
  }
  return ids;
}

export function startNaiveWalletServer(port: number, pool: Pool) {
  const server = createServer((request, response) => {
    handle(request, pool).then(
      (answer) => reply(response, answer),
      // Internals stay in the server's log; the client learns only that it failed.
      (error: unknown) => {
        console.error('naive wallet:', error instanceof Error ? error.message : error);
        reply(response, { status: 500, body: { error: 'internal_error' } });
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  return new Promise<typeof server>((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve(server)),
  );
}

async function handle(request: IncomingMessage, pool: Pool): Promise<Answer> {
  if (request.method === 'GET' && request.url === '/health') return answer(200, { ok: true });
  if (request.method !== 'POST' || request.url !== '/transfers')
    return answer(404, { error: 'not_found' });
  const body = await readBody(request);
  if (body === undefined) return answer(413, { error: 'body_too_large' });
  const parsed = parseTransfer(request.headers['idempotency-key'], body);
  if (typeof parsed === 'string') return answer(400, { error: parsed });
  return transfer(pool, parsed);
}

function parseTransfer(key: string | string[] | undefined, body: string): Transfer | string {
  if (typeof key !== 'string' || key === '' || key.length > MAX_KEY_LENGTH)
    return 'idempotency_key_required';
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body);
  } catch {
    return 'body_not_json';
  }
  const { fromWalletId: from, toWalletId: to, amountMinor, currency } = json ?? {};
  if (typeof from !== 'string' || !UUID.test(from)) return 'from_wallet_id_invalid';
  if (typeof to !== 'string' || !UUID.test(to)) return 'to_wallet_id_invalid';
  if (from === to) return 'same_wallet';
  if (typeof amountMinor !== 'string' || !/^[1-9][0-9]{0,18}$/.test(amountMinor))
    return 'amount_minor_invalid';
  if (BigInt(amountMinor) > MAX_AMOUNT_MINOR) return 'amount_minor_invalid';
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return 'currency_invalid';
  return { key, from, to, amountMinor: BigInt(amountMinor), currency };
}

/**
 * BEGIN; debit guarded by the balance; credit; INSERT; COMMIT. The two rows
 * are updated in id order, as any CRUD service must, or two opposite
 * transfers between the same wallets deadlock and wait out Postgres's
 * deadlock timeout.
 */
async function transfer(pool: Pool, t: Transfer): Promise<Answer> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const steps = t.from < t.to ? [debit, credit] : [credit, debit];
    for (const step of steps) {
      if (!(await step(client, t))) {
        await client.query('ROLLBACK');
        return answer(422, { error: 'insufficient_funds_or_unknown_wallet' });
      }
    }
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO naive_transfers (idempotency_key, from_wallet, to_wallet, amount_minor, currency)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [t.key, t.from, t.to, t.amountMinor.toString(), t.currency],
    );
    await client.query('COMMIT');
    return answer(201, { transferId: must(rows[0], 'inserted transfer').id });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === '23505')
      return answer(409, { error: 'idempotency_key_reused' });
    throw error;
  } finally {
    client.release();
  }
}

async function debit(client: PoolClient, t: Transfer): Promise<boolean> {
  const result = await client.query(
    `UPDATE naive_wallets SET balance_minor = balance_minor - $1
      WHERE id = $2 AND currency = $3 AND balance_minor >= $1`,
    [t.amountMinor.toString(), t.from, t.currency],
  );
  return result.rowCount === 1;
}

async function credit(client: PoolClient, t: Transfer): Promise<boolean> {
  const result = await client.query(
    `UPDATE naive_wallets SET balance_minor = balance_minor + $1 WHERE id = $2 AND currency = $3`,
    [t.amountMinor.toString(), t.to, t.currency],
  );
  return result.rowCount === 1;
}

/** The body as text, or undefined once it passes MAX_BODY_BYTES (the rest is not read). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(response: ServerResponse, { status, body }: Answer): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

const answer = (status: number, body: Record<string, unknown>): Answer => ({ status, body });

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL must be set');
  const port = Number(process.env.PORT ?? 3918);
  const pool = new Pool({
    connectionString: databaseUrl,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 16),
  });
  await createNaiveSchema(databaseUrl);
  const server = await startNaiveWalletServer(port, pool);
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
