/**
 * The simulator's own size arithmetic against the documented size rules (documented-rules.ts):
 * reading "WxH", saying what is wrong with a size, and choosing the size it renders when the
 * request gives only an aspect ratio, or nothing (an edit matches image 1). Written apart from
 * the server's catalog on purpose: the two must agree because both follow the documentation,
 * not because they share code.
 */
import type { OutputSizeRules, WireSize } from './documented-rules.js';

/** A size as the gateway's examples write it: "1024x1024". */
export function parseWireSize(text: string): WireSize | null {
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(text);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : null;
}

export const wireSizeText = (size: WireSize): string => `${size.width}x${size.height}`;

const ratioOf = (size: WireSize): number =>
  Math.max(size.width, size.height) / Math.max(1, Math.min(size.width, size.height));

/** The first rule a size breaks, as one sentence; null when the gateway takes it. */
export function sizeViolation(size: WireSize, rules: OutputSizeRules): string | null {
  const text = wireSizeText(size);
  if (rules.presets.includes(text) || rules.exceptions.includes(text)) return null;
  for (const side of ['width', 'height'] as const) {
    const value = size[side];
    if (rules.minSide !== undefined && value < rules.minSide)
      return `${side} ${value} is below the minimum of ${rules.minSide}`;
    if (value > rules.maxSide) return `${side} ${value} is above the maximum of ${rules.maxSide}`;
    if (value % rules.multipleOf !== 0) return `${side} ${value} is not a multiple of ${rules.multipleOf}`;
  }
  const pixels = size.width * size.height;
  if (pixels > rules.maxPixels) return `${text} is ${pixels} px, over the maximum of ${rules.maxPixels} px`;
  if (rules.minPixels !== undefined && pixels < rules.minPixels)
    return `${text} is ${pixels} px, under the minimum of ${rules.minPixels} px`;
  if (rules.maxRatio !== undefined && ratioOf(size) > rules.maxRatio)
    return `${text} is longer than ${rules.maxRatio}:1`;
  return null;
}

/** "16:9" → 16/9 (width over height), or null when it is not two positive whole numbers. */
export function parseAspectRatio(text: string): number | null {
  const match = /^(\d{1,4}):(\d{1,4})$/.exec(text);
  if (!match) return null;
  const w = Number(match[1]);
  const h = Number(match[2]);
  return w > 0 && h > 0 ? w / h : null;
}

/**
 * The most elongated ratio the rules can render at all: the documented ratio cap, else the
 * longest side over the shortest (2048:64 = 32:1 for FLUX).
 */
export function widestRatio(rules: OutputSizeRules): number {
  return rules.maxRatio ?? rules.maxSide / (rules.minSide ?? rules.multipleOf);
}

/** About one megapixel: what the gateway renders by default (1024 × 1024). */
const ONE_MEGAPIXEL = 1024 * 1024;

/**
 * A valid size of about `pixels` at the given width/height ratio: the exact sides for the area,
 * scaled into the side limits, rounded to the multiple, then nudged one multiple at a time until
 * the pixel limits hold. The ratio must be within widestRatio(rules).
 */
export function sizeAtRatio(ratio: number, rules: OutputSizeRules, pixels = ONE_MEGAPIXEL): WireSize {
  const area = Math.min(rules.maxPixels, Math.max(rules.minPixels ?? 0, pixels));
  let width = Math.sqrt(area * ratio);
  let height = Math.sqrt(area / ratio);
  const shrink = Math.min(1, rules.maxSide / width, rules.maxSide / height);
  width *= shrink;
  height *= shrink;
  const smallest = rules.minSide ?? rules.multipleOf;
  const grow = Math.max(1, smallest / width, smallest / height);
  width *= grow;
  height *= grow;

  const m = rules.multipleOf;
  const lowest = Math.ceil(smallest / m) * m;
  const highest = Math.floor(rules.maxSide / m) * m;
  const side = (value: number): number => Math.min(highest, Math.max(lowest, Math.round(value / m) * m));
  let size = { width: side(width), height: side(height) };
  // Rounding can land just outside a limit: shrink the long side when too big, grow the short
  // side when too small or too elongated.
  for (let step = 0; step < 1000; step++) {
    const area = size.width * size.height;
    const wide = size.width >= size.height;
    const tooBig = area > rules.maxPixels;
    const tooSmall = rules.minPixels !== undefined && area < rules.minPixels;
    const tooLong = rules.maxRatio !== undefined && ratioOf(size) > rules.maxRatio;
    if (tooBig) size = wide ? { ...size, width: size.width - m } : { ...size, height: size.height - m };
    else if (tooSmall || tooLong)
      size = wide ? { ...size, height: size.height + m } : { ...size, width: size.width + m };
    else break;
  }
  return size;
}

/**
 * What an edit without a size renders: image 1's size when the rules take it ([S0] "If
 * aspect_ratio is omitted, output dimensions match the first input image"), else the closest
 * valid size at image 1's ratio (clamped to the ratio cap).
 */
export function sizeMatching(image: WireSize, rules: OutputSizeRules): WireSize {
  if (sizeViolation(image, rules) === null) return image;
  const widest = widestRatio(rules);
  const ratio = Math.min(widest, Math.max(1 / widest, image.width / image.height));
  return sizeAtRatio(ratio, rules, image.width * image.height);
}
