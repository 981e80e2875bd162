/**
 * The tool calls under way, so that shutdown can let them finish (and save their paid images)
 * before the process exits.
 */
export class InFlightCalls {
  private readonly calls = new Set<Promise<unknown>>();
  private closing = false;

  get size(): number {
    return this.calls.size;
  }

  /** False once shutdown has begun: new calls are refused, calls under way go on. */
  get accepting(): boolean {
    return !this.closing;
  }

  track<T>(call: Promise<T>): Promise<T> {
    this.calls.add(call);
    const forget = (): void => {
      this.calls.delete(call);
    };
    call.then(forget, forget);
    return call;
  }

  /**
   * Stop taking calls; resolve when every call under way has settled, or after `graceMs`.
   * True if all settled.
   */
  async drain(graceMs: number): Promise<boolean> {
    this.closing = true;
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
