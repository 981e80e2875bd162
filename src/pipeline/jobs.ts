/**
 * Image calls as jobs. A job runs on its own, not inside the tool handler that started it: the
 * handler only waits for it, and may stop waiting (the hand-off of a long call, a client that
 * cancels or goes away) while the job goes on to save the paid image. Each job is written to the
 * job store as it starts and ends, so `wait_for_image` finds it later, in this process or another,
 * and a result no client received can be handed to the next identical call instead of being bought
 * again.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import type { ModelSpec } from '../catalog/models.js';
import { asToolFailure, type ToolFailure } from '../core/failure.js';
import type { Logger } from '../core/log.js';
import type { Redactor } from '../core/redact.js';
import { type FailureRecord, JOB_SCHEMA, type JobRecord, type JobStore, newJobId } from '../library/job-store.js';
import type { Presentation } from './call.js';
import type { ImageResult } from './image-result.js';

/** How a job ended: its result, or the failure its call would have returned. */
type JobOutcome =
  | { readonly ok: true; readonly result: ImageResult }
  | { readonly ok: false; readonly failure: ToolFailure };

/** An undelivered result is kept for an identical call this long. */
export const REUSE_WINDOW_MS = 30 * 60_000;

export class Job {
  /** Set once no call waits for it: its result, undelivered, may go to an identical call. */
  abandoned = false;
  /** The effective arguments' digest, known once its inputs are (edit_images reads them in its slot). */
  key: string | undefined;
  finished: JobOutcome | undefined;
  readonly outcome: Promise<JobOutcome>;

  constructor(
    readonly id: string,
    readonly tool: string,
    readonly model: ModelSpec,
    /** How the call that started it shows results; wait_for_image shows them the same way. */
    readonly presentation: Presentation,
    readonly startedAt: number,
    outcome: Promise<JobOutcome>,
  ) {
    this.outcome = outcome.then((settled) => {
      this.finished = settled;
      return settled;
    });
  }

  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }
}

interface JobsOptions {
  readonly store: JobStore;
  readonly log: Logger;
  /** Keeps the process alive for the job at shutdown (mcp/in-flight.ts). */
  readonly track: (work: Promise<unknown>) => void;
  /** Never written into a record, whatever a failure quotes. */
  readonly redactor: Redactor;
}

type JobWork = (job: Job) => Promise<ImageResult>;

export class Jobs {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly options: JobsOptions) {}

  get store(): JobStore {
    return this.options.store;
  }

  /** Starts a job now; it runs to its end whoever waits for it. */
  start(tool: string, model: ModelSpec, presentation: Presentation, work: JobWork): Job {
    const id = newJobId();
    const record = this.record(id, tool, model.id, 'running');
    let job!: Job;
    const outcome = (async (): Promise<JobOutcome> => {
      await this.write(record);
      try {
        const result = await work(job);
        await this.write({
          ...this.record(id, tool, model.id, 'done', job.key),
          result: { structured: result, ...presentation },
          ...(job.abandoned ? { abandoned: true } : {}),
        });
        return { ok: true, result };
      } catch (error) {
        const failure = asToolFailure(error);
        await this.write({ ...this.record(id, tool, model.id, 'failed', job.key), failure: failureRecord(failure) });
        return { ok: false, failure };
      }
    })();
    job = new Job(id, tool, model, presentation, Date.now(), outcome);
    this.jobs.set(id, job);
    this.options.track(job.outcome);
    // Forgotten from memory once no identical call could take it; the store keeps the record.
    void job.outcome.then(() => setTimeout(() => this.jobs.delete(id), REUSE_WINDOW_MS).unref());
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** A job of this process with the key that no call waits for any more, still running. */
  abandonedRunning(key: string, except: Job): Job | undefined {
    for (const job of this.jobs.values()) {
      if (job !== except && job.key === key && job.abandoned && !job.finished) return job;
    }
    return undefined;
  }

  private record(id: string, tool: string, model: string, state: JobRecord['state'], key = ''): JobRecord {
    const now = new Date().toISOString();
    return {
      schema: JOB_SCHEMA,
      id,
      tool,
      model,
      key,
      state,
      createdAt: now,
      updatedAt: now,
      pid: process.pid,
      host: os.hostname(),
    };
  }

  /** A job's record is a convenience for finding it later: failing to write it never fails the call. */
  private async write(record: JobRecord): Promise<void> {
    try {
      await this.options.store.write(this.options.redactor.value(record));
    } catch (error) {
      this.options.log.warn(`could not record job ${record.id}: ${(error as Error).message}`);
    }
  }
}

function failureRecord(failure: ToolFailure): FailureRecord {
  return {
    category: failure.category,
    message: failure.message,
    ...(failure.details.hint ? { hint: failure.details.hint } : {}),
    ...(failure.details.requestId ? { requestId: failure.details.requestId } : {}),
  };
}

/**
 * What would make two calls buy the same image: the tool, model, prompt, every parameter sent and
 * each input's content (or URL). A seed the server picked counts as "not given": two calls that
 * gave none would both have been happy with either image.
 */
export function jobKey(parts: {
  readonly tool: string;
  readonly model: string;
  readonly prompt: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly seedGiven: boolean;
  readonly inputs?: readonly string[];
}): string {
  const { seed: _seed, ...rest } = parts.parameters;
  const parameters = parts.seedGiven ? parts.parameters : rest;
  const canonical = JSON.stringify([parts.tool, parts.model, parts.prompt, sorted(parameters), parts.inputs ?? []]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sorted(record: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
