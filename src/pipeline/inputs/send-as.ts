/**
 * What is sent for a checked input: the image normalized (turned upright, scaled to the model's
 * budget; re-encoded, so without metadata), or else the bytes as given, cleaned of what is not the
 * image (bytes after its end, and unless kept, location and camera metadata) without touching the
 * pixels. Either way it is a file in the call's workspace, sent from there.
 */
import { readFile } from 'node:fs/promises';
import type { InputRule } from '../../catalog/models.js';
import type { Size } from '../../catalog/sizes.js';
import { formatBytes } from '../../core/units.js';
import { decodeBytes, MAX_DECODE_BYTES } from '../../imaging/decode-cost.js';
import { IMAGE_FORMATS, type ImageFormat, type ImageHeader } from '../../imaging/inspect.js';
import { applyNormalization, type NormalizationPlan, normalizedFormat, planNormalization } from './normalize.js';
import type { Obtained } from './obtain.js';
import { type Copied, InputProblem, measureFile, writeParts } from './read.js';
import type { Workspace } from './workspace.js';

/** The file to send, and how it came from the input. */
export interface SendAs {
  readonly file: string;
  readonly size: number;
  /** The format of the file sent (a normalized WebP is sent as JPEG or PNG). */
  readonly format: ImageFormat;
  /** The size the gateway will see. */
  readonly dimensions: Size;
  readonly normalized?: { readonly plan: NormalizationPlan; readonly copied: Copied };
  readonly cleaned?: { readonly removed: readonly string[]; readonly copied: Copied };
  /** Could have been normalized, but normalization is off. */
  readonly skippedPlan?: NormalizationPlan;
}

interface SendOptions {
  readonly rule: InputRule;
  readonly normalize: boolean;
  readonly keepMetadata: boolean;
  readonly workspace: Workspace;
}

export async function sendAs(input: Obtained, header: ImageHeader, options: SendOptions): Promise<SendAs> {
  const plan = planNormalization(header, options.rule);
  if (plan && options.normalize) {
    const cost = decodeBytes(header);
    if (cost > MAX_DECODE_BYTES) {
      throw new InputProblem(
        `is a ${header.width}×${header.height} ${header.format.toUpperCase()} that would take about ` +
          `${formatBytes(cost)} of memory to turn upright or scale (more than the ${formatBytes(MAX_DECODE_BYTES)} ` +
          `one image may take here): save it as an 8-bit JPEG, or downscale it, and pass the new file`,
      );
    }
    const format = normalizedFormat(header);
    const file = options.workspace.file(`normalized.${IMAGE_FORMATS[format].extension}`);
    await applyNormalization(input.file, header, plan, file, options.rule.maxPixels);
    const copied = await measureFile(file);
    return { file, size: copied.size, format, dimensions: plan.to, normalized: { plan, copied } };
  }
  const stored = { width: header.width, height: header.height };
  const base = { format: header.format, dimensions: stored, ...(plan ? { skippedPlan: plan } : {}) };
  // Loaded on first use (it brings zlib): start-up does not pay for it.
  const { cleanImage, DamagedImageError } = await import('../../imaging/container.js');
  let cleaned: ReturnType<typeof cleanImage>;
  try {
    // At most the input limit in memory, for one input at a time.
    cleaned = cleanImage(await readFile(input.file), header.format, {
      keepMetadata: options.keepMetadata,
      orientation: header.orientation,
    });
  } catch (error) {
    if (error instanceof DamagedImageError)
      throw new InputProblem(`${error.message}: open and save it again, then pass the new file`);
    throw error;
  }
  if (!cleaned) return { file: input.file, size: input.size, ...base };
  const file = options.workspace.file(`cleaned.${header.extension}`);
  const copied = await writeParts(cleaned.parts, file);
  return { file, size: copied.size, ...base, cleaned: { removed: cleaned.removed, copied } };
}
