/**
 * An image call after its arguments are checked, shared by both tools. It runs as a job
 * (pipeline/jobs.ts): wait for a slot (queuing), prepare the request (an edit reads, checks and
 * copies its inputs only now, so at most as many calls as there are slots hold inputs at once),
 * post it (retries inside), save the paid image, report progress all along. The tool handler only
 * waits for the job:
 * - up to the hand-off bound (FLUX_MCP_HANDOFF_AFTER_MS), then it returns a normal "still running"
 *   result naming the job, before the client's own limit cuts the call (Claude Desktop: ~60 s);
 *   `wait_for_image` collects the image later;
 * - not at all once the client cancels; a job cancelled before its request went out makes none,
 *   one cancelled after still saves the paid image.
 * A result that reached no client is handed, once and within 30 minutes, to the next call with the
 * same effective arguments instead of being bought again.
 */
import { asToolFailure, cancelledFailure, type ToolFailure } from '../core/failure.js';
import type { RequestBody } from '../gateway/bodies.js';
import type { GatewayClient } from '../gateway/client.js';
import type { GatewayImage } from '../gateway/image-answer.js';
import type { Presentation, ToolCall, ToolOutput } from './call.js';
import type { ToolContext } from './context.js';
import { type Delivery, deliverImage } from './deliver.js';
import { combinedResult, type ImageResult } from './image-result.js';
import { type Job, jobKey, REUSE_WINDOW_MS } from './jobs.js';
import { present } from './presentation.js';

/** A request ready to post, with what the delivery needs to know of how it was made. */
interface PreparedRequest extends Pick<Delivery, 'notes' | 'inputs'> {
  /** The body of one image's request, from its wire parameters (each variant has its own seed). */
  readonly bodyFor: (parameters: Readonly<Record<string, unknown>>) => RequestBody;
  /** What the inputs are, for the job's key: each input's sha256 (or the URL passed through). */
  readonly inputKeys?: readonly string[];
  /** Called once the request is done with, however it ended (an edit removes its input copies). */
  readonly dispose?: (() => Promise<void>) | undefined;
}

/** Everything a delivery needs except the image (which the request brings) and what preparing it tells. */
interface ImageCall extends Omit<Delivery, 'image' | 'notes' | 'inputs' | 'job'> {
  readonly gateway: GatewayClient;
  /** Makes the request to post to `endpoint`, once a slot is free; throws a ToolFailure to refuse it. */
  readonly prepare: () => Promise<PreparedRequest>;
  readonly presentation: Presentation;
  /** Whether the caller chose the seed (a seed the server picked does not make two calls differ). */
  readonly seedGiven: boolean;
  /** Adds what only this tool's result carries (edit_images: its inputs). */
  readonly finish?: (result: ImageResult) => ImageResult;
  /**
   * The images to make (`count`), each with its own wire parameters and seed; the first one's are
   * the call's `parameters` and `seed`. One gateway request each, in parallel, under the limits.
   */
  readonly variants: readonly Variant[];
}

export interface Variant {
  readonly seed: number | undefined;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** What a result says when it comes from an earlier, abandoned call. */
export const REUSED_NOTE =
  'This image comes from an earlier identical call your client stopped waiting for; it was not billed again.';

export async function runImageCall(
  ctx: ToolContext,
  call: ToolCall,
  spec: ImageCall,
): Promise<ToolOutput<ImageResult>> {
  const job = ctx.jobs.start(spec.tool, spec.model, spec.presentation, (started) => runJob(ctx, call, spec, started));
  call.progress.job(job.id);
  return awaitJob(ctx, call, job, spec.presentation);
}

/**
 * Waits for a job on behalf of one call (the one that started it, or wait_for_image), up to the
 * hand-off bound; the result is shown as `presentation` says.
 */
export async function awaitJob(
  ctx: ToolContext,
  call: ToolCall,
  job: Job,
  presentation: Presentation,
): Promise<ToolOutput<ImageResult>> {
  const bound = handoffBound(ctx, call);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const settled = await Promise.race([
    job.outcome.then((outcome) => ({ kind: 'done' as const, outcome })),
    new Promise<{ kind: 'handoff' }>((resolve) => {
      if (Number.isFinite(bound)) timer = setTimeout(() => resolve({ kind: 'handoff' }), bound);
    }),
    new Promise<{ kind: 'cancelled' }>((resolve) => {
      onAbort = () => resolve({ kind: 'cancelled' });
      if (call.signal.aborted) onAbort();
      else call.signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (onAbort) call.signal.removeEventListener('abort', onAbort);

  if (settled.kind === 'done' && !call.signal.aborted) {
    if (!settled.outcome.ok) throw settled.outcome.failure;
    await ctx.jobs.store.claim(job.id).catch(() => false);
    return present(ctx, settled.outcome.result, presentation);
  }
  await abandon(ctx, job);
  if (settled.kind === 'handoff') {
    call.progress.handedOff(job.id);
    ctx.log.info(`${job.tool} ${job.model.id}: handed off as ${job.id} after ${Math.round(job.elapsedMs / 1000)} s`);
    return present(ctx, runningResult(job), presentation);
  }
  // The client has stopped listening: the answer goes nowhere; the job goes on if it was sent.
  throw cancelledFailure();
}

/** How long a call waits before it hands off; Infinity when it never does. */
function handoffBound(ctx: ToolContext, call: ToolCall): number {
  const bound = ctx.config.handoffAfterMs;
  // Clients known to keep waiting while progress arrives wait to the end (mcp/clients.ts).
  if (bound === 0 || (call.progressRequested && call.client.waitsWithProgress)) return Number.POSITIVE_INFINITY;
  return bound;
}

/** No call waits for the job any more: its result, if it comes, is undelivered. */
async function abandon(ctx: ToolContext, job: Job): Promise<void> {
  if (job.abandoned) return;
  job.abandoned = true;
  if (job.finished?.ok) {
    const record = await ctx.jobs.store.read(job.id);
    if (record) await ctx.jobs.store.write({ ...record, abandoned: true, updatedAt: new Date().toISOString() });
  }
}

/** The hand-off: a normal result that says the image is on its way and how to collect it. */
function runningResult(job: Job): ImageResult {
  const seconds = Math.round(job.elapsedMs / 1000);
  return {
    status: 'running',
    job: job.id,
    images: [],
    model: job.model.id,
    elapsedMs: Math.round(job.elapsedMs),
    usually: job.model.speed,
    next:
      `Still working: job ${job.id} (${job.model.id}, ${seconds} s so far; usually ${job.model.speed}). ` +
      `Call wait_for_image with {"job": "${job.id}"} to get the image. ` +
      `Do not call ${job.tool} again: that would pay twice.`,
  };
}

async function runJob(ctx: ToolContext, call: ToolCall, spec: ImageCall, job: Job): Promise<ImageResult> {
  const { signal, progress } = call;
  const { model } = spec;
  let release: (() => void) | undefined = await ctx.limiter.acquire(model.id, {
    signal,
    onPosition: (position, waiting) => progress.queued(position, waiting),
  });
  let prepared: PreparedRequest | undefined;
  const letGo = async (): Promise<void> => {
    release?.();
    release = undefined;
    const dispose = prepared?.dispose;
    prepared = prepared && { ...prepared, dispose: undefined };
    await dispose?.().catch((error: unknown) => ctx.log.warn(`could not clean up after the call: ${String(error)}`));
  };
  try {
    prepared = await spec.prepare();
    job.key = jobKey({
      tool: spec.tool,
      model: model.id,
      prompt: spec.prompt,
      parameters: { ...spec.parameters, count: spec.variants.length },
      seedGiven: spec.seedGiven,
      ...(prepared.inputKeys ? { inputs: prepared.inputKeys } : {}),
    });
    const earlier = await undeliveredResult(ctx, job, letGo);
    if (earlier) {
      ctx.log.info(
        `${spec.tool} ${model.id}: ${job.id} takes the undelivered result of ${earlier.job}; no new request`,
      );
      progress.saved(earlier.images[0]?.path ?? earlier.job);
      return { ...earlier, notes: [...(earlier.notes ?? []), REUSED_NOTE] };
    }
    // The spending cap refuses the call here, before anything is sent (an undelivered earlier
    // result, already paid for, is never refused), or holds its cost until the job ends.
    const reservation = await ctx.budget.reserve(model, spec.variants.length);
    void job.outcome.finally(() => reservation.release());
    if (!release) {
      // The slot was given up to wait for an earlier job that then failed: take one again.
      release = await ctx.limiter.acquire(model.id, { signal });
    }
    // Each image is saved the moment it arrives, whatever happens to the others.
    const first = release;
    release = undefined;
    const ready = prepared;
    const outcomes = await Promise.all(
      spec.variants.map((variant, index) =>
        makeVariant(ctx, call, spec, job, ready, variant, index, index === 0 ? first : undefined),
      ),
    );
    return combine(ctx, spec, job, outcomes);
  } finally {
    await letGo();
  }
}

type VariantOutcome =
  | { readonly ok: true; readonly result: ImageResult }
  | { readonly ok: false; readonly failure: ToolFailure; readonly index: number; readonly seed: number | undefined };

/** One image of the call: a slot (the first image has the call's), its request, its saving. */
async function makeVariant(
  ctx: ToolContext,
  { signal, progress }: ToolCall,
  spec: ImageCall,
  job: Job,
  prepared: PreparedRequest,
  variant: Variant,
  index: number,
  slot: (() => void) | undefined,
): Promise<VariantOutcome> {
  const { model } = spec;
  const count = spec.variants.length;
  let image: GatewayImage;
  try {
    const release = slot ?? (await ctx.limiter.acquire(model.id, { signal }));
    try {
      image = await spec.gateway.post(spec.endpoint, prepared.bodyFor(variant.parameters), {
        timeoutMs: ctx.config.timeoutMs ?? model.timeoutMs,
        signal,
        // One waiting clock for the call: the first image's.
        ...(index === 0 ? { observer: progress } : {}),
      });
    } finally {
      release();
    }
    const delivered = await deliverImage(ctx, {
      ...spec,
      parameters: variant.parameters,
      seed: variant.seed,
      image,
      notes: prepared.notes,
      ...(prepared.inputs ? { inputs: prepared.inputs } : {}),
      job: job.id,
      ...(count > 1 ? { variant: { index: index + 1, of: count } } : {}),
    });
    const saved = delivered.images[0]!.path;
    ctx.imageSaved(saved);
    if (signal.aborted) {
      ctx.log.warn(
        `${spec.tool} ${model.id}: the client cancelled the call after the request went out; ` +
          `the paid image was saved anyway: ${saved} (${job.id})`,
      );
    } else if (job.abandoned) {
      ctx.log.info(`${spec.tool} ${model.id}: ${job.id}, handed off, is done: ${saved}`);
    }
    progress.saved(saved);
    return { ok: true, result: delivered };
  } catch (error) {
    return { ok: false, failure: asToolFailure(error), index: index + 1, seed: variant.seed };
  }
}

/** The call's result from its images' outcomes: every image made, and what failed; a failure when none was. */
function combine(ctx: ToolContext, spec: ImageCall, job: Job, outcomes: readonly VariantOutcome[]): ImageResult {
  const made = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.result] : []));
  const failed = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome]));
  if (made.length === 0) {
    const [first] = failed;
    if (failed.length > 1) {
      ctx.log.info(`${spec.tool} ${spec.model.id}: all ${failed.length} images of ${job.id} failed`);
    }
    throw first!.failure;
  }
  if (failed.length > 0) {
    ctx.log.warn(`${spec.tool} ${spec.model.id}: ${failed.length} of ${outcomes.length} images of ${job.id} failed`);
  }
  const combined =
    outcomes.length === 1
      ? made[0]!
      : combinedResult(
          job.id,
          made,
          failed.map(({ index, seed, failure }) => ({
            index,
            ...(seed !== undefined ? { seed } : {}),
            category: failure.category,
            message: failure.message,
          })),
          job.elapsedMs,
        );
  return spec.finish ? spec.finish(combined) : combined;
}

/**
 * The result of an earlier job with the same key that no client received, taken (once) for this
 * one: a job of this process still running (waited for without holding a slot), or one finished in
 * the last 30 minutes by any process sharing the folder.
 */
async function undeliveredResult(
  ctx: ToolContext,
  job: Job,
  letGo: () => Promise<void>,
): Promise<ImageResult | undefined> {
  const key = job.key!;
  const running = ctx.jobs.abandonedRunning(key, job);
  if (running) {
    await letGo();
    const outcome = await running.outcome;
    if (outcome.ok && (await ctx.jobs.store.claim(running.id))) return outcome.result;
  }
  for (const record of await ctx.jobs.store.undeliveredWithKey(key, Date.now() - REUSE_WINDOW_MS)) {
    if (record.id === job.id || !record.result) continue;
    if (!(await ctx.jobs.store.claim(record.id))) continue;
    return record.result.structured as ImageResult;
  }
  return undefined;
}
