import type { ContactDirectory } from '@ledger/identity';
import {
  SandboxGateway,
  SandboxScript,
  type GatewayEvent,
  type PaymentGateway,
} from '@ledger/payments';

/** A sandbox that counts what it injects and keeps every report it delivered (`seen`), once. */
export type CountingSandbox = SandboxGateway & {
  seen: GatewayEvent[];
  confirmPayment?: PaymentGateway['confirmPayment'];
};

const CARD_FAULTS = [
  'unavailable',
  'rate_limited',
  'timeout',
  'fail_async',
  'no_event',
  'duplicate_event',
  'decline',
] as const;

/** M-Pesa's faults: a prompt or payment that fails, times out, calls back twice or never. */
const MPESA_FAULTS = [
  'unavailable',
  'timeout',
  'fail_async',
  'no_event',
  'duplicate_event',
] as const;

/** The card rail's sandbox with seeded faults on charges and payouts. */
export function faultyCardGateway(seed: number, count: (key: string) => void): CountingSandbox {
  return faulty(new SandboxScript().randomly(plan(seed, 0.3, CARD_FAULTS)), 'sandbox', count);
}

/**
 * The sandbox playing M-Pesa with its own seeded faults. It answers the
 * status query M-Pesa answers on a top-up's durable timeout: a prompt whose
 * callback never came is reported as paid then (through the event feed, as
 * Daraja's query answer is recorded as the payment's report), and a prompt
 * already reported is left to its report.
 */
export function faultyMpesaGateway(seed: number, count: (key: string) => void): CountingSandbox {
  // A smaller share of the traffic, so faults come more often to meet each of them.
  const script = new SandboxScript().randomly(plan(seed, 0.5, MPESA_FAULTS));
  const gateway = faulty(script, 'mpesa-sandbox', count);
  const reported = new Set<string>();
  const onEvent = gateway.onEvent.bind(gateway);
  gateway.onEvent = (handler) =>
    onEvent(async (event) => {
      reported.add(event.objectId);
      await handler(event);
    });
  gateway.confirmPayment = async ({ paymentIntentId }) => {
    await gateway.idle();
    const undelivered = gateway.undeliveredEvents.some((u) => u.event.objectId === paymentIntentId);
    if (!reported.has(paymentIntentId) && !undelivered) {
      count('mpesa: unreported prompts settled by the status query');
      gateway.settlePayment(paymentIntentId, 'succeeded');
    }
    // The answer arrives as the report; until it is recorded the job asks again.
    return undefined;
  };
  return gateway;
}

/** Every bank user's phone number, as identity would return it. */
export function bankContacts(): ContactDirectory {
  return {
    contactOf: async (userId: string) => ({
      email: `${userId}@bank.test`,
      phone: `+2547${userId.replace(/\D/g, '').padStart(8, '0').slice(-8)}`,
    }),
  } as unknown as ContactDirectory;
}

function plan(seed: number, rate: number, outcomes: readonly (typeof CARD_FAULTS)[number][]) {
  return {
    seed,
    rate,
    outcomes: [...outcomes],
    operations: ['createPaymentIntent' as const, 'createPayout' as const],
  };
}

function faulty(script: SandboxScript, provider: string, count: (key: string) => void) {
  const gateway = new SandboxGateway({
    provider,
    script,
    magicAmounts: false,
    redeliveryBaseMs: 5,
    maxDeliveryAttempts: 10,
  }) as CountingSandbox;
  gateway.seen = [];
  const seenIds = new Set<string>();
  for (const method of ['createPaymentIntent', 'createPayout'] as const) {
    const original = gateway[method].bind(gateway) as (input: never) => Promise<unknown>;
    (gateway as unknown as Record<string, unknown>)[method] = async (input: never) => {
      try {
        return await original(input);
      } catch (error) {
        count(`fault: ${provider} ${method} ${(error as { reason?: string }).reason ?? 'error'}`);
        throw error;
      }
    };
  }
  const cancelPayout = gateway.cancelPayout.bind(gateway);
  gateway.cancelPayout = async (input) => {
    const result = await cancelPayout(input);
    count(`timed-out payouts: ${provider} ${result.status}`);
    return result;
  };
  const onEvent = gateway.onEvent.bind(gateway);
  gateway.onEvent = (handler) =>
    onEvent(async (event) => {
      await handler(event);
      if (seenIds.has(event.providerEventId)) count(`fault: ${provider} reported twice`);
      else gateway.seen.push(event);
      seenIds.add(event.providerEventId);
      if (event.type.endsWith('_failed')) count(`fault: ${provider} ${event.type}`);
    });
  return gateway;
}
