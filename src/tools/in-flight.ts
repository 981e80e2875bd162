/**
 * The tool calls under way, so that shutdown can let them finish (and save their paid images)
 * before the process exits.
 */
export class InFlightCalls {
  private readonly calls = new Set<Promise<unknown>>();

  get size(): number {
    return this.calls.size;
  }

  track<T>(call: Promise<T>): Promise<T> {
    this.calls.add(call);
    const forget = (): void => {
      this.calls.delete(call);
    };
    call.then(forget, forget);
    return call;
  }

  /** Resolves when every call under way has settled, or after `graceMs`; true if all settled. */
  async drain(graceMs: number): Promise<boolean> {
    if (this.calls.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const settled = Promise.allSettled([...this.calls]).then(() => true as const);
    try {
      return await Promise.race([settled, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
