import type { GatewayEvent, GatewayEventHandler } from '../gateway-event';

export interface SandboxEventBusOptions {
  /** Delay before the first delivery; 0 still delivers asynchronously, after the call returned. */
  readonly eventDelayMs: number;
  /** A handler that throws gets the event again, like a provider resending a webhook, this many times in all. */
  readonly maxDeliveryAttempts: number;
  /** Base of the exponential redelivery delay. */
  readonly redeliveryBaseMs: number;
  /** Events held while nobody has subscribed yet; beyond this the oldest are dropped. */
  readonly maxBufferedEvents: number;
  /**
   * Asked before each delivery attempt; false drops the event for good (a
   * payout canceled before it was reported is never reported).
   */
  readonly admit?: (event: GatewayEvent) => boolean;
}

/**
 * Delivers the sandbox's events at least once, asynchronously, to every
 * subscribed handler. Events produced before anyone subscribed are held and
 * delivered on subscription, as a provider holds webhooks while the endpoint
 * is down.
 */
export class SandboxEventBus {
  private readonly handlers = new Set<GatewayEventHandler>();
  private readonly buffered: GatewayEvent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private inFlight = 0;
  /** Events whose every delivery attempt threw; kept for tests and diagnostics. */
  readonly undelivered: Array<{ event: GatewayEvent; error: unknown }> = [];

  constructor(private readonly options: SandboxEventBusOptions) {}

  subscribe(handler: GatewayEventHandler): () => void {
    this.handlers.add(handler);
    for (const event of this.buffered.splice(0)) this.schedule(event, handler, 1, 0);
    return () => void this.handlers.delete(handler);
  }

  publish(event: GatewayEvent): void {
    if (this.handlers.size === 0) {
      if (this.buffered.length >= this.options.maxBufferedEvents) this.buffered.shift();
      this.buffered.push(event);
      return;
    }
    for (const handler of this.handlers)
      this.schedule(event, handler, 1, this.options.eventDelayMs);
  }

  /** Resolves once every scheduled delivery has finished (tests wait on this instead of sleeping). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels pending deliveries. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.inFlight = 0;
    this.handlers.clear();
    this.settle();
  }

  private schedule(
    event: GatewayEvent,
    handler: GatewayEventHandler,
    attempt: number,
    delayMs: number,
  ): void {
    this.inFlight += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(event, handler, attempt);
    }, delayMs);
    this.timers.add(timer);
  }

  private async deliver(
    event: GatewayEvent,
    handler: GatewayEventHandler,
    attempt: number,
  ): Promise<void> {
    try {
      if (this.options.admit && !this.options.admit(event)) return;
      await handler(event);
    } catch (error) {
      if (attempt < this.options.maxDeliveryAttempts && this.handlers.has(handler)) {
        this.schedule(
          event,
          handler,
          attempt + 1,
          this.options.redeliveryBaseMs * 2 ** (attempt - 1),
        );
      } else {
        this.undelivered.push({ event, error });
      }
    } finally {
      this.inFlight -= 1;
      this.settle();
    }
  }

  private settle(): void {
    if (this.inFlight > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
