/**
 * `wait_for_image`: collect the image of a call that was handed off (`status: "running"`). It waits
 * up to the same bound as the original call and returns exactly what that call would have returned
 * (same text, preview and structuredContent), "still running" again, or the original failure. It
 * works across restarts and processes: jobs are recorded beside the images (library/job-store.ts).
 */
import * as z from 'zod';
import { findModel } from '../catalog/models.js';
import { ERROR_CATEGORIES, type ErrorCategory, invalidArgument, ToolFailure } from '../core/failure.js';
import { show } from '../core/text.js';
import { isJobId, type JobRecord, writerAlive } from '../library/job-store.js';
import type { ToolCall, ToolOutput } from '../pipeline/call.js';
import type { ToolContext } from '../pipeline/context.js';
import { awaitJob } from '../pipeline/image-call.js';
import type { ImageResult } from '../pipeline/image-result.js';
import { present } from '../pipeline/presentation.js';
import { defineTool } from './definition.js';

const waitForImageInput = z.strictObject({
  job: z
    .string()
    .trim()
    .max(64)
    .describe('The job of a result with status "running" (from generate_image or edit_images)'),
});

/** Checks results without listing a schema: they are generate_image's and edit_images' own. */
const anyImageResult = z.looseObject({ status: z.enum(['done', 'running']), job: z.string() });

/** How often a job running in another process is looked at again. */
const POLL_MS = 500;

export function waitForImageTool(ctx: ToolContext) {
  return defineTool({
    name: 'wait_for_image',
    title: 'Wait for a handed-off image',
    description:
      'Collect a generate_image or edit_images call that returned status "running": waits as long, then gives ' +
      'that call\'s own result, or "running" again. Never pays again.',
    inputSchema: waitForImageInput,
    outputSchema: anyImageResult,
    advertiseOutputSchema: false,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async (args, call) => {
      if (!isJobId(args.job)) {
        throw invalidArgument(
          `job ${show(args.job)} is not a job id: ` +
            `give the "job" of a result whose status is "running" (e.g. "job_mh2k3x9qa1b2c3")`,
          'Nothing was sent to the gateway.',
        );
      }
      const job = ctx.jobs.get(args.job);
      if (job) return awaitJob(ctx, call, job, job.presentation);
      const record = await ctx.jobs.store.read(args.job);
      if (record) return fromRecord(ctx, call, record);
      throw invalidArgument(
        `no job ${args.job} on this server: ` +
          `its images go to ${ctx.config.outputDir}, and a job is found there for a week`,
        'Check the job id in the result you were given; list_images finds images by prompt and time.',
      );
    },
  });
}

/** A job another process ran, or this one before a restart, from its record. */
async function fromRecord(ctx: ToolContext, call: ToolCall, first: JobRecord): Promise<ToolOutput<ImageResult>> {
  let record = first;
  const deadline = ctx.config.handoffAfterMs === 0 ? Number.POSITIVE_INFINITY : Date.now() + ctx.config.handoffAfterMs;
  while (record.state === 'running') {
    if (!writerAlive(record)) {
      throw new ToolFailure(
        'unavailable',
        `job ${record.id} was running in a server process that stopped before it finished`,
        {
          hint:
            'If the gateway had made the image, it was billed but not saved. ' +
            'Make it again; the same seed reproduces it on models that take one.',
        },
      );
    }
    if (Date.now() >= deadline || call.signal.aborted) return runningAgain(ctx, record);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    record = (await ctx.jobs.store.read(record.id)) ?? record;
  }
  if (record.state === 'failed' || !record.result) {
    const failure = record.failure;
    const category =
      failure && Object.hasOwn(ERROR_CATEGORIES, failure.category)
        ? (failure.category as ErrorCategory)
        : 'internal_error';
    throw new ToolFailure(category, failure?.message ?? `job ${record.id} failed`, {
      ...(failure?.hint ? { hint: failure.hint } : {}),
      ...(failure?.requestId ? { requestId: failure.requestId } : {}),
    });
  }
  await ctx.jobs.store.claim(record.id).catch(() => false);
  const { structured, preview, resourceLink } = record.result;
  return present(ctx, structured as ImageResult, { preview, resourceLink });
}

/** "Still running" for a job of another process. */
async function runningAgain(ctx: ToolContext, record: JobRecord): Promise<ToolOutput<ImageResult>> {
  const model = findModel(record.model);
  const elapsedMs = Date.now() - Date.parse(record.createdAt);
  const seconds = Math.round(elapsedMs / 1000);
  const usually = model?.speed ?? 'unknown';
  return present(
    ctx,
    {
      status: 'running',
      job: record.id,
      images: [],
      model: record.model,
      elapsedMs,
      usually,
      next:
        `Still working: job ${record.id} (${record.model}, ${seconds} s so far; usually ${usually}). ` +
        `Call wait_for_image with {"job": "${record.id}"} again. ` +
        `Do not call ${record.tool} again: that would pay twice.`,
    },
    { preview: false, resourceLink: false },
  );
}
