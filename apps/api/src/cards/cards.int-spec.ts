import { PAYMENT_GATEWAY, type SandboxGateway } from '@ledger/payments';
import { databaseFactories } from '@ledger/testing';
import { startCardsTestBed, type CardsTestBed } from '../../../../test/support/cards';
import type { LedgerTestApp, TestUser } from '../../../../test/support/ledger-app';

/**
 * Only your own card can be charged: each user has a customer of their own at
 * the provider, cards are linked to it, and a top-up with any other card
 * (another user's, or one that does not exist) is refused before anything is
 * written or sent to the provider.
 */
describe.each(databaseFactories())('cards and card top-ups on $name', (factory) => {
  let bed: CardsTestBed;
  let t: LedgerTestApp;
  let gateway: SandboxGateway;
  let alice: TestUser;
  let bob: TestUser;
  let aliceCard: string;

  beforeAll(async () => {
    bed = await startCardsTestBed(factory);
    ({ t, alice, bob } = bed);
    gateway = t.app.get(PAYMENT_GATEWAY);
    // The sandbox links its test card as soon as the SetupIntent exists.
    await bed.startSetup(alice);
    const cards = await t.http().get('/cards').set('Authorization', alice.auth).expect(200);
    aliceCard = cards.body.items[0].paymentMethodId;
  });
  afterAll(() => bed?.close());
  afterEach(() => jest.restoreAllMocks());

  const customerOf = (userId: string) => bed.customersOf(userId);
  const topUpWith = (user: TestUser, paymentMethodId: string) =>
    bed.topUp(user, 700, paymentMethodId);

  it("refuses another user's card and a made-up one alike, writing nothing and charging nothing", async () => {
    const charges = jest.spyOn(gateway, 'createPaymentIntent');
    const events = await t.eventCount();
    const othersCard = await topUpWith(bob, aliceCard);
    const madeUp = await topUpWith(bob, 'pm_x');
    const madeUpForAlice = await topUpWith(alice, 'pm_x');
    expect(othersCard.status).toBe(404);
    expect(othersCard.body).toEqual({
      type: '/problems/card_not_found',
      title: 'Card not found',
      status: 404,
      code: 'card_not_found',
      detail: 'No linked card with this id',
      statusCode: 404,
      error: 'card_not_found',
      message: 'No linked card with this id',
    });
    expect(madeUp.status).toBe(404);
    expect(madeUp.body).toEqual(othersCard.body);
    expect(madeUpForAlice.status).toBe(404);
    expect(madeUpForAlice.body).toEqual(othersCard.body);
    expect(charges).not.toHaveBeenCalled();
    expect(await t.eventCount()).toBe(events);
  });

  it("charges the owner's card from the owner's own customer", async () => {
    const charges = jest.spyOn(gateway, 'createPaymentIntent');
    const res = await topUpWith(alice, aliceCard);
    expect(res.status).toBe(202);
    const [customerRef] = await customerOf(alice.userId);
    expect(customerRef).toMatch(/^cus_/);
    expect(charges).toHaveBeenCalledTimes(1);
    expect(charges.mock.calls[0]?.[0]).toMatchObject({ customerRef, paymentMethodId: aliceCard });
  });

  it('gives every user a customer of their own, created once', async () => {
    expect(await customerOf(bob.userId)).toEqual([]);
    const res = await bed.topUp(bob, 300);
    expect(res.status).toBe(202);
    const bobs = await customerOf(bob.userId);
    expect(bobs).toHaveLength(1);
    expect(bobs[0]).not.toBe((await customerOf(alice.userId))[0]);
    expect(bobs[0]).not.toContain(bob.userId);
  });

  it("answers another user's card on the cards routes exactly like a missing one", async () => {
    const others = await t.http().delete(`/cards/${aliceCard}`).set('Authorization', bob.auth);
    const missing = await t.http().delete('/cards/pm_x').set('Authorization', bob.auth);
    expect(others.status).toBe(404);
    expect(others.body).toEqual(missing.body);
    expect(others.body.error).toBe('card_not_found');
    const bobsCards = await t.http().get('/cards').set('Authorization', bob.auth).expect(200);
    expect(bobsCards.body.items).toEqual([]);
    const alicesCards = await t.http().get('/cards').set('Authorization', alice.auth).expect(200);
    expect(
      alicesCards.body.items.map((c: { paymentMethodId: string }) => c.paymentMethodId),
    ).toEqual([aliceCard]);
  });
});
