/**
 * "More like this": an earlier result's prompt, model and parameters, found from its path (or
 * file:// URI) or its job, for generate_image to make new images with new seeds. Only images of
 * this server's library qualify: a path elsewhere could make the server read any JSON on disk.
 */
import { findModel, type ModelSpec, PARAM_NAMES, type ParamName } from '../catalog/models.js';
import { invalidArgument } from '../core/failure.js';
import { show } from '../core/text.js';
import { isJobId } from '../library/job-store.js';
import { readRegularFile } from '../library/regular-file.js';
import { type ImageSidecar, parseSidecar } from '../library/sidecar.js';
import type { ToolContext } from './context.js';
import type { ImageResult } from './image-result.js';

export interface LikeSource {
  readonly path: string;
  readonly sidecar: ImageSidecar;
  /** The source's model, when this server still has it. */
  readonly model: ModelSpec | undefined;
}

const HINT = 'Give the path (or job) of an image this server made: list_images finds them.';

export async function resolveLike(ctx: ToolContext, like: string): Promise<LikeSource> {
  const path = isJobId(like) ? await pathOfJob(ctx, like) : like;
  const image = await ctx.library.get(path);
  if (!image) {
    throw invalidArgument(`like ${show(like)} is not an image this server saved in ${ctx.config.outputDir}`, HINT);
  }
  let sidecar: ImageSidecar;
  try {
    const reading = parseSidecar(await readRegularFile(image.sidecarPath, 1_000_000));
    if (!reading.ok) throw new Error(reading.reason);
    sidecar = reading.sidecar;
  } catch (error) {
    throw invalidArgument(`like ${show(like)}: its sidecar cannot be read (${(error as Error).message})`, HINT);
  }
  return { path: image.path, sidecar, model: findModel(sidecar.model) };
}

async function pathOfJob(ctx: ToolContext, id: string): Promise<string> {
  const running = ctx.jobs.get(id);
  const outcome = running?.finished;
  const structured = outcome?.ok
    ? outcome.result
    : ((await ctx.jobs.store.read(id))?.result?.structured as ImageResult | undefined);
  const path = structured?.images?.[0]?.path;
  if (!path) {
    const why =
      running && !running.finished ? 'is still running: collect it with wait_for_image first' : 'made no image';
    throw invalidArgument(`like ${show(id)}: that job ${why}`, HINT);
  }
  return path;
}

/**
 * The source's parameters that `model` takes, less the seed (new images get new seeds) and less any
 * size when the caller chose one; with the names of those left behind.
 */
export function likeParameters(
  source: LikeSource,
  model: ModelSpec,
  callerSetsSize: boolean,
): { parameters: Partial<Record<ParamName, unknown>>; dropped: string[] } {
  const parameters: Partial<Record<ParamName, unknown>> = {};
  const dropped: string[] = [];
  const sizeParams: readonly ParamName[] = ['size', 'width', 'height', 'aspect_ratio'];
  for (const name of PARAM_NAMES) {
    const value = source.sidecar.parameters[name];
    if (value === undefined || name === 'seed') continue;
    if (callerSetsSize && sizeParams.includes(name)) continue;
    if (model.params.includes(name)) parameters[name] = value;
    else dropped.push(name);
  }
  return { parameters, dropped };
}
