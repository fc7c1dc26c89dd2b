/**
 * How the sandbox decides what a call does. Tests script outcomes three ways,
 * first match wins:
 * 1. programmatically, with a `SandboxScript` (queued faults, or a seeded
 *    random plan for the concurrent bank test);
 * 2. per call, with `metadata.sandbox_outcome` set to an outcome name;
 * 3. per amount, with one of `SANDBOX_MAGIC_AMOUNTS` (mnemonic HTTP codes).
 * Otherwise the call succeeds.
 */
export const SANDBOX_OUTCOMES = [
  /** The call succeeds and the success event follows. */
  'succeed',
  /** The call is refused outright: card declined, payout balance too low, refund invalid. */
  'decline',
  /** The call succeeds, then the failure event follows (payment_failed, refund_failed, payout_failed). */
  'fail_async',
  /** The provider executes the call but the answer is lost; the caller sees a timeout. */
  'timeout',
  /** 5xx before anything is executed. */
  'unavailable',
  /** 429 before anything is executed. */
  'rate_limited',
  /** The call succeeds and no event ever arrives, to exercise a saga's own timeout. */
  'no_event',
  /** The call succeeds and its event is delivered twice with the same event id. */
  'duplicate_event',
] as const;

export type SandboxOutcome = (typeof SANDBOX_OUTCOMES)[number];

export type SandboxOperation =
  | 'createCustomer'
  | 'createPaymentIntent'
  | 'refund'
  | 'createPayout'
  | 'cancelPayout'
  | 'confirmPayout'
  | 'createSetupIntent'
  | 'listPaymentMethods'
  | 'detachPaymentMethod'
  | 'providerReport';

/** The metadata key that picks an outcome for one call. */
export const SANDBOX_OUTCOME_METADATA_KEY = 'sandbox_outcome';

/**
 * Amounts (in minor units) that pick an outcome, read as HTTP status codes:
 * 4.02 declines, 4.22 fails later, 4.08 times out, 5.00 is unavailable,
 * 4.29 is rate limited, 2.04 never reports, 2.09 reports twice.
 */
export const SANDBOX_MAGIC_AMOUNTS: ReadonlyMap<bigint, SandboxOutcome> = new Map([
  [402n, 'decline'],
  [422n, 'fail_async'],
  [408n, 'timeout'],
  [500n, 'unavailable'],
  [429n, 'rate_limited'],
  [204n, 'no_event'],
  [209n, 'duplicate_event'],
]);

export function isSandboxOutcome(value: unknown): value is SandboxOutcome {
  return (SANDBOX_OUTCOMES as readonly unknown[]).includes(value);
}

interface QueuedFault {
  readonly operation: SandboxOperation | '*';
  readonly outcome: SandboxOutcome;
  remaining: number;
}

export interface RandomFaultPlan {
  /** Same seed, same sequence of draws. */
  readonly seed: number;
  /** Probability, 0 to 1, that a call draws a fault instead of succeeding. */
  readonly rate: number;
  readonly outcomes: readonly SandboxOutcome[];
  readonly operations?: readonly SandboxOperation[];
}

/** Bounds the queue so a test that forgets to consume its faults fails loudly instead of growing. */
const MAX_QUEUED_FAULTS = 1_000;

export class SandboxScript {
  private readonly queue: QueuedFault[] = [];
  private random?: { plan: RandomFaultPlan; next: () => number };

  /** The next `times` calls of `operation` ('*' for any) get `outcome`. */
  next(operation: SandboxOperation | '*', outcome: SandboxOutcome, times = 1): this {
    if (this.queue.length >= MAX_QUEUED_FAULTS)
      throw new RangeError(`At most ${MAX_QUEUED_FAULTS} queued sandbox faults`);
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError('times must be a positive integer');
    this.queue.push({ operation, outcome, remaining: times });
    return this;
  }

  /** Every call not matched by a queued fault draws from this seeded plan. */
  randomly(plan: RandomFaultPlan): this {
    if (!(plan.rate >= 0 && plan.rate <= 1)) throw new RangeError('rate must be between 0 and 1');
    if (plan.outcomes.length === 0) throw new RangeError('outcomes must not be empty');
    this.random = { plan, next: mulberry32(plan.seed) };
    return this;
  }

  clear(): void {
    this.queue.length = 0;
    this.random = undefined;
  }

  /** The scripted outcome for this call, if any, consuming it. */
  take(operation: SandboxOperation): SandboxOutcome | undefined {
    const index = this.queue.findIndex((f) => f.operation === '*' || f.operation === operation);
    const fault = this.queue[index];
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.queue.splice(index, 1);
      return fault.outcome;
    }
    return this.draw(operation);
  }

  private draw(operation: SandboxOperation): SandboxOutcome | undefined {
    if (!this.random) return undefined;
    const { plan, next } = this.random;
    if (plan.operations && !plan.operations.includes(operation)) return undefined;
    if (next() >= plan.rate) return undefined;
    return plan.outcomes[Math.floor(next() * plan.outcomes.length)];
  }
}

/** A small seeded PRNG: reproducible fault sequences without a dependency. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
