import { databaseFactories } from '@ledger/testing';
import {
  adminUser,
  signUp,
  staffUser,
  startLedgerApp,
  type LedgerTestApp,
  type TestUser,
} from '../support/ledger-app';

/**
 * GET /admin/users?email=: an admin finds a user's id and roles by e-mail
 * for the roles panel; every look-up is audited on the admin's stream
 * without the e-mail; a missing user answers 404 like any missing object.
 */
describe.each(databaseFactories())('looking a user up by e-mail on $name', (factory) => {
  let t: LedgerTestApp;
  let admin: TestUser;
  let auditor: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startLedgerApp(factory);
    admin = await adminUser(t);
    auditor = await staffUser(t, admin, ['auditor']);
    bob = await signUp(t);
  });
  afterAll(() => t?.close());

  const lookUp = (user: TestUser, email: string) =>
    t.http().get('/admin/users').query({ email }).set('Authorization', user.auth);

  it("answers an admin with the user's id, roles and whether the e-mail is verified, whatever the case", async () => {
    const res = await lookUp(admin, bob.email.toUpperCase());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: bob.userId, roles: ['customer'], emailVerified: false });
    const staff = await lookUp(admin, auditor.email);
    expect(staff.body).toMatchObject({ userId: auditor.userId, emailVerified: true });
    expect(staff.body.roles).toEqual(expect.arrayContaining(['auditor']));
  });

  it('answers 404 for an unknown e-mail and 400 for something that is not one', async () => {
    const missing = await lookUp(admin, 'nobody-at-all@example.com');
    expect([missing.status, missing.body.error]).toEqual([404, 'user_not_found']);
    expect((await lookUp(admin, 'not an e-mail')).status).toBe(400);
    expect((await t.http().get('/admin/users').set('Authorization', admin.auth)).status).toBe(400);
  });

  it('refuses everyone but admins', async () => {
    expect((await lookUp(bob, admin.email)).status).toBe(403);
    expect((await lookUp(auditor, bob.email)).status).toBe(403);
    expect((await t.http().get('/admin/users').query({ email: bob.email })).status).toBe(401);
  });

  it('audits each look-up on the admin’s stream, naming the user found and never the e-mail', async () => {
    const res = await t
      .http()
      .get(`/audit/security-events?userId=${admin.userId}&type=UserLookedUp&limit=100`)
      .set('Authorization', auditor.auth)
      .expect(200);
    const events = res.body.items as Array<{ data: Record<string, unknown> }>;
    const subjects = events.map((e) => e.data.subject);
    expect(subjects).toEqual(expect.arrayContaining([bob.userId, auditor.userId, null]));
    expect(JSON.stringify(events)).not.toContain('@example.com');
  });
});
