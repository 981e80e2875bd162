/**
 * The work under way, so that shutdown can let it finish (and save paid images) before the process
 * exits: the tool calls, whose answers must still go out, and the jobs behind image calls, which
 * outlive their calls when a long one is handed off or a client stops waiting.
 */
export class InFlightCalls {
  private readonly calls = new Set<Promise<unknown>>();
  private readonly jobs = new Set<Promise<unknown>>();
  private closing = false;

  /** Calls under way, counting a handed-off call whose job still runs (a call waiting on its job counts once). */
  get size(): number {
    return Math.max(this.calls.size, this.jobs.size);
  }

  /** False once shutdown has begun: new calls are refused, calls under way go on. */
  get accepting(): boolean {
    return !this.closing;
  }

  track<T>(call: Promise<T>): Promise<T> {
    return InFlightCalls.hold(this.calls, call);
  }

  trackJob<T>(job: Promise<T>): Promise<T> {
    return InFlightCalls.hold(this.jobs, job);
  }

  private static hold<T>(set: Set<Promise<unknown>>, work: Promise<T>): Promise<T> {
    set.add(work);
    const forget = (): void => {
      set.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  /**
   * Stop taking calls; resolve when every call and job under way has settled, or after `graceMs`.
   * True if all settled.
   */
  async drain(graceMs: number): Promise<boolean> {
    this.closing = true;
    if (this.calls.size === 0 && this.jobs.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const settled = Promise.allSettled([...this.calls, ...this.jobs]).then(() => true as const);
    try {
      return await Promise.race([settled, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
