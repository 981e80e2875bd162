/**
 * `notifications/progress` for one tool call, when the client asked for them (a progressToken in
 * the request's _meta): validated → queued (place in line, at a few milestones) → sending →
 * waiting (every few seconds, with the elapsed time) → downloading → saved. A call sends a bounded
 * number of notifications apart from the waiting ticks, so 500 calls at once make ~5,000, not
 * hundreds of thousands. `progress` grows by one with every notification, as the spec requires;
 * there is no total, since the gateway gives no estimate. Nothing is sent after the client
 * cancelled the call.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ProgressReporter } from '../pipeline/call.js';

type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Waiting notifications come at least this often (clients show them as signs of life). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

/** Longest progress message, in characters. */
const MAX_MESSAGE = 199;

export class CallProgress implements ProgressReporter {
  private count = 0;
  private ticker: NodeJS.Timeout | undefined;
  private lastPosition: number | undefined;
  /** What the call waits for ("waiting for <model>: 5 s"), known once it is validated. */
  private label = 'the gateway';
  private jobId: string | undefined;
  /** Once the call has answered, its progress token is spent: a job that goes on says nothing more. */
  private closed = false;

  constructor(
    private readonly extra: Pick<ToolExtra, '_meta' | 'signal' | 'sendNotification'>,
    private readonly intervalMs = DEFAULT_PROGRESS_INTERVAL_MS,
  ) {}

  private get token(): string | number | undefined {
    return this.extra._meta?.progressToken;
  }

  private send(text: string): void {
    if (this.token === undefined || this.extra.signal.aborted || this.closed) return;
    // Claude Code cuts longer progress messages.
    const message = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
    this.count += 1;
    this.extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: this.token, progress: this.count, message },
      })
      .catch(() => undefined); // A closed transport must not fail the call.
  }

  private stopWaiting(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  validated(what: string, model: string): void {
    this.label = model;
    this.send(`validated: ${what}`);
  }

  /**
   * The call's place in line. The limiter announces only a few milestones per call; a place that
   * is not lower than the last one told adds nothing, so it is not sent.
   */
  queued(position: number, waiting: number): void {
    if (this.lastPosition !== undefined && position >= this.lastPosition) return;
    this.lastPosition = position;
    this.send(`queued: position ${position} of ${waiting} waiting for a free slot`);
  }

  sending(attempt: number, attempts: number): void {
    this.stopWaiting();
    this.send(`sending to the gateway${attempt > 1 ? ` (attempt ${attempt} of ${attempts})` : ''}`);
    const started = performance.now();
    const job = this.jobId ? ` (${this.jobId})` : '';
    this.send(`waiting for ${this.label}: 0 s${job}`);
    this.ticker = setInterval(
      () => this.send(`waiting for ${this.label}: ${Math.round((performance.now() - started) / 1000)} s${job}`),
      this.intervalMs,
    );
    this.ticker.unref();
  }

  retrying(reason: string, attempt: number, attempts: number, delayMs: number): void {
    this.stopWaiting();
    this.send(`retrying: ${reason}; attempt ${attempt} of ${attempts} in ${(delayMs / 1000).toFixed(1)} s`);
  }

  downloading(attempt: number): void {
    this.stopWaiting();
    this.send(attempt > 1 ? `downloading the result (attempt ${attempt})` : 'downloading the result');
  }

  saved(path: string): void {
    this.stopWaiting();
    this.send(`saved: ${path}`);
  }

  /** The job the call runs as, named in the waiting messages. */
  job(id: string): void {
    this.jobId = id;
  }

  handedOff(job: string): void {
    this.stopWaiting();
    this.send(`handed off as ${job}: call wait_for_image with {"job": "${job}"}; calling again would pay twice`);
  }

  /** Always called when the call ends, however it ends. */
  finish(): void {
    this.stopWaiting();
    this.closed = true;
  }
}
