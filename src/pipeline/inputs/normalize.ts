/**
 * Normalizing a reference image before it is sent: turned upright by its EXIF orientation (the
 * gateway would otherwise see a phone photo sideways) and, where the model's input rule asks,
 * scaled to fit its pixel budget with both sides multiples of 16. An image that needs none of
 * this is not touched, so it is sent byte for byte.
 */
import type { InputRule } from '../../catalog/models.js';
import { formatSize, megapixels, type Size } from '../../catalog/sizes.js';
import { withDecodeSlot } from '../../imaging/decode-gate.js';
import type { ImageFormat, ImageHeader } from '../../imaging/inspect.js';
import { decodeLimits, loadSharp } from '../../imaging/sharp.js';

export interface NormalizationPlan {
  /** Upright size before. */
  readonly from: Size;
  readonly to: Size;
  /** EXIF orientation to apply, when not upright. */
  readonly orientation: number | undefined;
  /** Why it is resized, in words: over the rule's pixel budget, sides not multiples of its grid. */
  readonly resizeReasons: readonly string[];
}

/**
 * The size closest in aspect ratio to `size` whose sides are multiples of `multipleOf` and whose
 * area fits `maxPixels`: scale down to fit, then try the multiples either side of each side.
 */
export function fitToRule(size: Size, maxPixels: number, multipleOf: number): Size {
  const scale = Math.min(1, Math.sqrt(maxPixels / (size.width * size.height)));
  const sides = (value: number): number[] => {
    const below = Math.max(multipleOf, Math.floor(value / multipleOf) * multipleOf);
    const above = Math.ceil(value / multipleOf) * multipleOf;
    return below === above ? [below] : [below, above];
  };
  const ratio = Math.log(size.width / size.height);
  let best: Size | undefined;
  let bestScore = Infinity;
  for (const width of sides(size.width * scale)) {
    for (const height of sides(size.height * scale)) {
      if (width * height > maxPixels) continue;
      // Closest aspect ratio first; between equals, the larger image.
      const score = Math.abs(Math.log(width / height) - ratio) - (width * height) / 1e15;
      if (score < bestScore) {
        best = { width, height };
        bestScore = score;
      }
    }
  }
  // Rounding down both sides always fits, except when a side was raised to the minimum multiple
  // (ratios beyond anything the input limits let through): then take that pair anyway.
  return best ?? { width: sides(size.width * scale)[0]!, height: sides(size.height * scale)[0]! };
}

/** What normalization would do to an image under a rule, or undefined when nothing is needed. */
export function planNormalization(header: ImageHeader, rule: InputRule): NormalizationPlan | undefined {
  const resizeReasons: string[] = [];
  const from = header.upright;
  const orientation = header.orientation !== 1 ? header.orientation : undefined;

  let to: Size = from;
  const target = rule.sendAs;
  if (target) {
    const over = from.width * from.height > target.maxPixels;
    const offGrid = from.width % target.multipleOf !== 0 || from.height % target.multipleOf !== 0;
    if (over || offGrid) {
      to = fitToRule(from, target.maxPixels, target.multipleOf);
      if (over) resizeReasons.push(`over ${megapixels(target.maxPixels)}`);
      if (offGrid) resizeReasons.push(`sides not multiples of ${target.multipleOf}`);
    }
  }
  return orientation !== undefined || resizeReasons.length > 0 ? { from, to, orientation, resizeReasons } : undefined;
}

/** "turned upright (EXIF orientation 6), resized 3024x4032 → 1760x2352 (over <budget>)" */
export function describePlan(plan: NormalizationPlan): string {
  const steps: string[] = [];
  if (plan.orientation !== undefined) steps.push(`turned upright (EXIF orientation ${plan.orientation})`);
  if (plan.resizeReasons.length > 0)
    steps.push(`resized ${formatSize(plan.from)} → ${formatSize(plan.to)} (${plan.resizeReasons.join('; ')})`);
  return steps.join(', ');
}

/**
 * The format a normalized image is written in: its own, except WebP, whose encoder holds the
 * whole picture (and more) in memory; an opaque one becomes a JPEG, one with alpha a PNG. Both
 * encoders stream.
 */
export function normalizedFormat(header: ImageHeader): ImageFormat {
  if (header.format !== 'webp') return header.format;
  return header.hasAlpha ? 'png' : 'jpeg';
}

/**
 * Apply a plan to the image file at `input`, writing the result to `destination`: orientation,
 * then a resize that covers the target and crops the few pixels the rounding to multiples of 16
 * leaves over (centred), re-encoded (without metadata: sharp writes none unless asked). The decode
 * is bounded by `maxPixels`, whatever the file claims, and waits for a decode slot.
 */
export async function applyNormalization(
  input: string,
  header: ImageHeader,
  plan: NormalizationPlan,
  destination: string,
  maxPixels: number,
): Promise<void> {
  const sharp = await loadSharp();
  await withDecodeSlot(async () => {
    let image = sharp(input, decodeLimits(maxPixels)).autoOrient();
    if (plan.to.width !== plan.from.width || plan.to.height !== plan.from.height) {
      image = image.resize(plan.to.width, plan.to.height, { fit: 'cover', position: 'centre' });
    }
    // No optimised Huffman coding: it keeps every coefficient of the image in memory for a second pass.
    image =
      normalizedFormat(header) === 'png'
        ? image.png({ compressionLevel: 6 })
        : image.jpeg({ quality: 92, optimiseCoding: false });
    await image.toFile(destination);
  });
}
