import { SandboxGateway } from '@ledger/payments';
import { databaseFactories, type TestDatabase } from '@ledger/testing';
import { PaymentCustomers } from './payment-customers';

describe.each(databaseFactories())('PaymentCustomers on $name', (factory) => {
  let database: TestDatabase;
  const gateway = new SandboxGateway();

  beforeAll(async () => {
    database = await factory.create();
  });
  afterAll(async () => {
    gateway.close();
    await database.drop();
  });

  it('creates a customer once per user, even when first asked twice at the same time', async () => {
    const customers = new PaymentCustomers(database.db, gateway);
    const created = jest.spyOn(gateway, 'createCustomer');
    expect(await customers.find('user-a')).toBeUndefined();
    const [first, second] = await Promise.all([
      customers.ensure('user-a'),
      customers.ensure('user-a'),
    ]);
    expect(first).toMatch(/^cus_/);
    expect(second).toBe(first);
    expect(await customers.ensure('user-a')).toBe(first);
    expect(await customers.find('user-a')).toBe(first);
    // Both racing calls used the user's key, so the provider made one customer.
    expect(new Set(created.mock.calls.map(([input]) => input.idempotencyKey))).toEqual(
      new Set(['user-user-a:customer']),
    );
    const { rows } = await database.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM payment_customers WHERE user_id = 'user-a'",
    );
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('keeps users apart', async () => {
    const customers = new PaymentCustomers(database.db, gateway);
    expect(await customers.ensure('user-b')).not.toBe(await customers.ensure('user-a'));
  });
});
