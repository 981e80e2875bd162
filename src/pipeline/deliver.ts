/**
 * After the gateway answered: save the paid image with its sidecar, make the preview, build the
 * result. Shared by every image tool. A paid image is never dropped because of a local problem:
 * if the output directory cannot be written, the image goes to the system temp directory and the
 * result says so.
 */
import path from 'node:path';
import type { Endpoint } from '../catalog/gateway.js';
import type { ModelSpec } from '../catalog/models.js';
import { secretsOf } from '../config.js';
import { ToolFailure } from '../core/failure.js';
import { ensurePrivateDir, privateTempRoot } from '../core/private-dir.js';
import { SERVER_NAME, SERVER_VERSION } from '../core/version.js';
import type { GatewayImage } from '../gateway/image-answer.js';
import type { InputRecord } from '../library/input-record.js';
import { type SaveRequest, saveImage } from '../library/save.js';
import type { SavedImage } from '../library/sidecar.js';
import type { ToolContext } from './context.js';
import { doneResult, type ImageResult } from './image-result.js';

export interface Delivery {
  readonly tool: string;
  readonly model: ModelSpec;
  readonly prompt: string;
  readonly endpoint: Endpoint;
  /** Everything sent besides model and prompt. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly seed: number | undefined;
  readonly notes: readonly string[];
  /** edit_images: the inputs, for the sidecar. */
  readonly inputs?: readonly InputRecord[];
  readonly image: GatewayImage;
  readonly nameHint: string;
  /** performance.now() when the call started. */
  readonly startedAt: number;
  /** The job the image belongs to (in the sidecar, so wait_for_image finds it after a restart). */
  readonly job: string;
  /** Which of the call's images this is, when it made several. */
  readonly variant?: { readonly index: number; readonly of: number };
}

/**
 * Where images go when the configured directory cannot be written: this user's private directory
 * in the system temp directory (0700, never through a link another user planted).
 */
export const RESCUE_DIR = path.join(privateTempRoot(), 'flux-mcp-rescued');

export async function deliverImage(ctx: ToolContext, delivery: Delivery): Promise<ImageResult> {
  const { image, model } = delivery;
  const notes = [...delivery.notes];
  const createdAt = new Date();
  const request: SaveRequest = {
    outputDir: ctx.config.outputDir,
    bytes: image.bytes,
    info: image.info,
    nameHint: delivery.nameHint,
    createdAt,
    secrets: secretsOf(ctx.config),
    sidecar: {
      tool: delivery.tool,
      model: model.id,
      prompt: delivery.prompt,
      endpoint: delivery.endpoint,
      parameters: delivery.parameters,
      ...(delivery.seed !== undefined ? { seed: delivery.seed } : {}),
      ...(image.requestId ? { requestId: image.requestId } : {}),
      elapsedMs: Math.round(performance.now() - delivery.startedAt),
      attempts: image.attempts,
      priceUsd: model.priceUsd,
      ...(image.usage ? { usage: image.usage } : {}),
      ...(delivery.inputs ? { inputs: delivery.inputs } : {}),
      notes,
      job: delivery.job,
      ...(delivery.variant ? { variant: delivery.variant } : {}),
      server: { name: SERVER_NAME, version: SERVER_VERSION },
    },
  };

  let saved: SavedImage;
  try {
    saved = await saveImage(request);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    ctx.log.error(`could not save to ${ctx.config.outputDir} (${code}); trying ${RESCUE_DIR}`);
    try {
      await ensurePrivateDir(RESCUE_DIR);
      saved = await saveImage({ ...request, outputDir: RESCUE_DIR });
    } catch {
      throw new ToolFailure(
        'storage_error',
        `the image was made but could not be written to ${ctx.config.outputDir} (${code})`,
        {
          ...(image.requestId ? { requestId: image.requestId } : {}),
          hint: 'Check that FLUX_MCP_OUTPUT_DIR is an absolute path to a writable directory with free space.',
        },
      );
    }
    notes.push(
      `${ctx.config.outputDir} could not be written (${code}), ` +
        `so the image was saved in ${RESCUE_DIR}; fix FLUX_MCP_OUTPUT_DIR.`,
    );
  }
  // The index learns of it at once (a rescued image is not in the library); this never fails the call.
  await ctx.library.add(saved);
  // So does the ledger, which the spending report and the cap count; nor does this fail the call.
  await ctx.ledger
    .record({
      at: saved.createdAt,
      model: model.id,
      image: saved.file,
      job: delivery.job,
      priceUsd: model.priceUsd,
      ...(image.usage ? { usage: image.usage } : {}),
    })
    .catch((error: unknown) => ctx.log.warn(`could not add ${saved.file} to the ledger: ${(error as Error).message}`));
  ctx.log.info(
    `${delivery.tool} ${model.id}: saved ${saved.path}${image.requestId ? ` (request ${image.requestId})` : ''}`,
  );

  return doneResult({
    job: delivery.job,
    saved,
    model: model.id,
    seed: delivery.seed,
    requestId: image.requestId,
    elapsedMs: performance.now() - delivery.startedAt,
    attempts: image.attempts,
    priceUsd: model.priceUsd,
    usage: image.usage,
    notes,
  });
}
