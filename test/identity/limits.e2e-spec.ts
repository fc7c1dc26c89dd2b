import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { databaseFactories } from '@ledger/testing';
import { ALLOWED_ORIGIN, startIdentityApp, type IdentityTestApp } from './identity-test-app';

const PASSWORD = 'correct horse battery staple';
const SIGNUPS_PER_MINUTE = 4;
const REFRESHES_PER_MINUTE = 3;
let sequence = 0;
const newEmail = () => `limits${++sequence}.${Date.now()}@example.com`;

/**
 * Repeats `send` until it is refused with 429, at most twice the limit and
 * once more (a window may end in the middle); returns the refusal and how
 * many were accepted right before it.
 */
async function untilRefused(
  limit: number,
  send: () => Promise<request.Response>,
): Promise<{ refusal?: request.Response; acceptedInARow: number }> {
  let acceptedInARow = 0;
  for (let i = 0; i < 2 * limit + 1; i++) {
    const res = await send();
    if (res.status === 429) return { refusal: res, acceptedInARow };
    acceptedInARow++;
  }
  return { acceptedInARow };
}

describe.each(databaseFactories())('login and request limits on $name', (factory) => {
  let t: IdentityTestApp;
  const http = () => request(t.app.getHttpServer());
  const login = (email: string, password = PASSWORD) =>
    http().post('/auth/login').send({ email, password });
  const signUp = (email = newEmail()) =>
    http().post('/auth/signup').send({ email, password: PASSWORD });
  let alice: string;

  beforeAll(async () => {
    t = await startIdentityApp(factory, {
      LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: String(SIGNUPS_PER_MINUTE),
      LEDGER_REFRESH_RATE_LIMIT_PER_MINUTE: String(REFRESHES_PER_MINUTE),
    });
    alice = newEmail();
    await signUp(alice).expect(201);
  });
  afterAll(() => t?.close());

  it('never refuses a correct password because of earlier successful logins', async () => {
    for (let i = 0; i < 5 * SIGNUPS_PER_MINUTE; i++) await login(alice).expect(200);
  });

  it('locks an account after repeated failures, not the other accounts on the same IP', async () => {
    const bob = newEmail();
    await signUp(bob).expect(201);
    for (let i = 0; i < 5; i++) await login(bob, 'not the password at all').expect(401);
    const locked = await login(bob);
    expect([locked.status, locked.body.error]).toEqual([429, 'too_many_attempts']);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    await login(alice).expect(200);
  });

  it('limits refreshes on their own: logins go on while refreshes wait', async () => {
    let refreshToken = (await login(alice).expect(200)).body.refreshToken as string;
    const { refusal, acceptedInARow } = await untilRefused(REFRESHES_PER_MINUTE, async () => {
      const res = await http().post('/auth/refresh').send({ refreshToken });
      if (res.status === 200) refreshToken = res.body.refreshToken;
      return res;
    });
    expect(refusal?.body.error).toBe('too_many_requests');
    expect(Number(refusal?.headers['retry-after'])).toBeGreaterThan(0);
    expect(acceptedInARow).toBeLessThanOrEqual(REFRESHES_PER_MINUTE);
    await login(alice).expect(200);
  });

  it('limits sign-ups on their own, with Retry-After exposed to the browser', async () => {
    const { refusal, acceptedInARow } = await untilRefused(SIGNUPS_PER_MINUTE, () =>
      signUp().set('Origin', ALLOWED_ORIGIN),
    );
    expect(refusal?.body.error).toBe('too_many_requests');
    expect(acceptedInARow).toBeLessThanOrEqual(SIGNUPS_PER_MINUTE);
    expect(Number(refusal?.headers['retry-after'])).toBeGreaterThan(0);
    expect(refusal?.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(refusal?.headers['access-control-expose-headers']).toMatch(/\bRetry-After\b/i);
    await login(alice).expect(200);
  });
});

/** The Redis leg runs when REDIS_URL is set; in CI a missing Redis fails the run instead of skipping it. */
function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (!url && process.env.CI === 'true')
    throw new Error('CI=true but REDIS_URL is not set: the Redis limit legs are required in CI');
  return url || undefined;
}

const url = redisUrl();
(url ? describe : describe.skip)('limits shared through Redis (needs REDIS_URL)', () => {
  const prefix = `test-limits-${randomBytes(6).toString('hex')}`;
  const shared = {
    REDIS_URL: url!,
    LEDGER_LIMITS_PREFIX: prefix,
    LEDGER_IDENTITY_DATA_KEY: randomBytes(32).toString('base64'),
    LEDGER_AUTH_RATE_LIMIT_PER_MINUTE: '3',
  };
  // Two API instances with databases of their own: only Redis can carry a count between them.
  let a: IdentityTestApp;
  let b: IdentityTestApp;
  const [pglite] = databaseFactories();

  // Two apps start here, each migrating a fresh database: twice the usual hook time.
  beforeAll(async () => {
    a = await startIdentityApp(pglite, shared);
    b = await startIdentityApp(pglite, shared);
  }, 120_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await deleteKeys(url!, prefix);
  });

  it('counts failed logins on one instance against the account on the other', async () => {
    const email = newEmail();
    await request(a.app.getHttpServer())
      .post('/auth/signup')
      .send({ email, password: PASSWORD })
      .expect(201);
    for (let i = 0; i < 5; i++) {
      await request(a.app.getHttpServer())
        .post('/auth/login')
        .send({ email, password: 'not the password at all' })
        .expect(401);
    }
    const elsewhere = await request(b.app.getHttpServer())
      .post('/auth/login')
      .send({ email, password: PASSWORD });
    expect([elsewhere.status, elsewhere.body.error]).toEqual([429, 'too_many_attempts']);
  });

  it('counts sign-ups from one IP across instances', async () => {
    const statuses: number[] = [];
    // Two each: alone, neither instance would pass its limit of three.
    for (const app of [a, b, a, b]) {
      const res = await request(app.app.getHttpServer())
        .post('/auth/signup')
        .send({ email: newEmail(), password: PASSWORD });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    const redis = new Redis(url!);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.length).toBeGreaterThan(0);
      // -1 would be a key without an expiry; -2 one that expired since it was listed.
      for (const key of keys) expect(await redis.pttl(key)).not.toBe(-1);
    } finally {
      await redis.quit();
    }
  });
});

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
