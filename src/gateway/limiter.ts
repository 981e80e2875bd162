/**
 * How many gateway calls run at once: a global cap (the upstream account's active tasks) and
 * per-model caps (the catalog's, or FLUX_MCP_MODEL_CONCURRENCY). Calls beyond wait in line, first come
 * first served among those that could start, and a call cancelled while waiting leaves the line without
 * ever reaching the gateway.
 *
 * Each waiting call learns its place in line, but not at every move: with 1,000 calls queued,
 * telling every waiter each time the line moves would be ~500,000 progress notifications. A call
 * hears its place when it joins, and again only at a few milestones of the way to the front
 * (see `milestonesOf`): a bounded number per call, so progress traffic grows linearly with calls.
 */
import { cancelledFailure } from '../core/failure.js';

interface LimiterOptions {
  readonly maxConcurrent: number;
  /** Per-model caps; models not named have only the global cap. */
  readonly modelCaps: Readonly<Record<string, number>>;
}

interface Waiter {
  readonly model: string;
  readonly start: () => void;
  readonly onPosition: ((position: number, waiting: number) => void) | undefined;
  /** Places still to announce, highest first; the first is the place it joined at. */
  milestones: number[];
}

/**
 * The places a call that joined the line at `joinedAt` is told about: where it joined, a quarter,
 * half and three quarters of the way to the front, and next in line. At most five, whatever the
 * length of the line.
 */
export function milestonesOf(joinedAt: number): number[] {
  const places = [joinedAt, Math.floor((joinedAt * 3) / 4), Math.floor(joinedAt / 2), Math.floor(joinedAt / 4), 1];
  return places.filter((place, i) => place >= 1 && (i === 0 || place < places[i - 1]!));
}

type Release = () => void;

export class CallLimiter {
  private running = 0;
  private readonly runningByModel = new Map<string, number>();
  private readonly line: Waiter[] = [];

  constructor(private readonly options: LimiterOptions) {}

  /** Calls waiting for a slot. */
  get waiting(): number {
    return this.line.length;
  }

  /**
   * Wait for a slot for `model`; resolves with the function that gives it back. `onPosition`
   * hears the call's place in line (1 = next) when it joins and at a few milestones on the way to
   * the front (`milestonesOf`), if it has to wait at all.
   */
  acquire(
    model: string,
    options: { signal?: AbortSignal; onPosition?: (position: number, waiting: number) => void } = {},
  ): Promise<Release> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelledFailure());
    // Every call still in line is held by a cap (the line is served whenever a slot frees), so
    // a call that fits now overtakes no one who could have run.
    if (this.fits(model)) return Promise.resolve(this.take(model));

    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        model,
        onPosition: options.onPosition,
        milestones: milestonesOf(this.line.length + 1),
        start: () => {
          signal?.removeEventListener('abort', leave);
          resolve(this.take(model));
        },
      };
      const leave = (): void => {
        const index = this.line.indexOf(waiter);
        if (index >= 0) this.line.splice(index, 1);
        reject(cancelledFailure());
        this.announce();
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.line.push(waiter);
      this.announce();
    });
  }

  private capOf(model: string): number {
    return this.options.modelCaps[model] ?? Infinity;
  }

  private fits(model: string): boolean {
    return this.running < this.options.maxConcurrent && (this.runningByModel.get(model) ?? 0) < this.capOf(model);
  }

  private take(model: string): Release {
    this.running += 1;
    this.runningByModel.set(model, (this.runningByModel.get(model) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      this.runningByModel.set(model, this.runningByModel.get(model)! - 1);
      this.startWaiting();
    };
  }

  /** Start every waiting call that now fits, in order (a capped model does not hold up others). */
  private startWaiting(): void {
    let started = false;
    for (let i = 0; i < this.line.length; ) {
      const waiter = this.line[i]!;
      if (this.fits(waiter.model)) {
        this.line.splice(i, 1);
        waiter.start();
        started = true;
      } else {
        i += 1;
      }
    }
    if (started) this.announce();
  }

  /**
   * Tell each waiter that has reached its next milestone where it stands. One pass over the line
   * per move, but a waiter is called only when it passes a milestone: a place it skipped past
   * (several calls ahead of it left at once) is not announced on its own.
   */
  private announce(): void {
    for (const [index, waiter] of this.line.entries()) {
      const position = index + 1;
      const next = waiter.milestones[0];
      if (next === undefined || position > next) continue;
      while (waiter.milestones.length > 0 && waiter.milestones[0]! >= position) waiter.milestones.shift();
      waiter.onPosition?.(position, this.line.length);
    }
  }
}
