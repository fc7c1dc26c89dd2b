/**
 * Coalesces calls into one statement at a time: the first call runs at once,
 * and every call made while a statement is in flight waits for it and then
 * goes out in the next one, together with all the others that waited. Under
 * load that turns one round trip and one commit per request into one per
 * batch; alone, a call waits for nothing. Each call gets its own result, or
 * the batch's error when the statement failed (as a statement of its own
 * would have).
 */
export class StatementBatcher<T, R> {
  private queued: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] =
    [];
  private running = false;

  constructor(
    /** Runs one statement for `items`; returns one result per item, in their order. */
    private readonly run: (items: readonly T[]) => Promise<readonly R[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxBatch);
      try {
        const results = await this.run(batch.map((call) => call.item));
        batch.forEach((call, i) => {
          if (i < results.length) call.resolve(results[i] as R);
          else call.reject(new Error('The batched statement returned no result for a call'));
        });
      } catch (error) {
        for (const call of batch) call.reject(error);
      }
    }
    this.running = false;
  }
}
