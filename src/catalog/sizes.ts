/**
 * Size arithmetic against a model's SizeRule: parsing "WxH", listing what is wrong with a size
 * (each problem with the nearest valid values), finding the nearest valid size, and turning an
 * aspect ratio into a concrete size.
 */
import { thousands } from '../core/units.js';
import type { SizeRule } from './models.js';

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** One megapixel, the size the gateways default to (1024 × 1024). */
export const DEFAULT_PIXELS = 1024 * 1024;

/** A size every model takes, for examples in messages ("e.g. "1024x1024""). */
export const EXAMPLE_SIZE: Size = { width: 1024, height: 1024 };

/** Aspect ratios to show as examples ("such as 1:1, 16:9 …"); any whole-number ratio is taken. */
export const EXAMPLE_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:2', '21:9'] as const;

const SIZE_PATTERN = /^\s*(\d{1,6})\s*[x×X*]\s*(\d{1,6})\s*$/;
const RATIO_PATTERN = /^\s*(\d{1,4})\s*:\s*(\d{1,4})\s*$/;

export function parseSize(text: string): Size | null {
  const match = SIZE_PATTERN.exec(text);
  if (!match) return null;
  return { width: Number(match[1]), height: Number(match[2]) };
}

export function formatSize(size: Size): string {
  return `${size.width}x${size.height}`;
}

export function parseAspectRatio(text: string): { w: number; h: number } | null {
  const match = RATIO_PATTERN.exec(text);
  if (!match) return null;
  const w = Number(match[1]);
  const h = Number(match[2]);
  return w > 0 && h > 0 ? { w, h } : null;
}

function roundTo(value: number, multiple: number): number {
  return Math.round(value / multiple) * multiple;
}

function clampSide(value: number, rule: SizeRule): number {
  const lowest = Math.ceil(rule.minSide / rule.multipleOf) * rule.multipleOf;
  const highest = Math.floor(rule.maxSide / rule.multipleOf) * rule.multipleOf;
  return Math.min(highest, Math.max(lowest, value));
}

/** The valid multiples either side of a side length, e.g. 1000 → [992, 1008]. */
function neighbouringMultiples(value: number, rule: SizeRule): number[] {
  const below = clampSide(Math.floor(value / rule.multipleOf) * rule.multipleOf, rule);
  const above = clampSide(Math.ceil(value / rule.multipleOf) * rule.multipleOf, rule);
  return below === above ? [below] : [below, above];
}

function ratioOf(size: Size): number {
  return Math.max(size.width, size.height) / Math.min(size.width, size.height);
}

function fits(size: Size, rule: SizeRule): boolean {
  return sizeProblems(size, rule).length === 0;
}

/**
 * Everything wrong with a size under a rule, one sentence each, each ending with the nearest
 * valid value(s). Empty when the size is valid.
 */
export function sizeProblems(size: Size, rule: SizeRule): string[] {
  if (rule.documentedExceptions?.includes(formatSize(size))) return [];
  const problems: string[] = [];
  for (const side of ['width', 'height'] as const) {
    const value = size[side];
    if (value < rule.minSide) {
      problems.push(`${side} ${value} is below the minimum of ${rule.minSide}: use ${clampSide(value, rule)}`);
    } else if (value > rule.maxSide) {
      problems.push(`${side} ${value} is above the maximum of ${rule.maxSide}: use ${clampSide(value, rule)}`);
    } else if (value % rule.multipleOf !== 0) {
      const options = neighbouringMultiples(value, rule);
      problems.push(`${side} ${value} is not a multiple of ${rule.multipleOf}: use ${options.join(' or ')}`);
    }
  }
  const pixels = size.width * size.height;
  if (pixels > rule.maxPixels) {
    problems.push(
      `${formatSize(size)} is ${thousands(pixels)} px, over the ` +
        `${megapixels(rule.maxPixels)} limit of ${thousands(rule.maxPixels)} px`,
    );
  }
  if (rule.minPixels !== undefined && pixels < rule.minPixels) {
    problems.push(
      `${formatSize(size)} is ${thousands(pixels)} px, under the minimum of ${thousands(rule.minPixels)} px`,
    );
  }
  if (rule.maxRatio !== undefined && ratioOf(size) > rule.maxRatio) {
    problems.push(
      `${formatSize(size)} has an aspect ratio of ${ratioOf(size).toFixed(2)}:1, over the limit of ${rule.maxRatio}:1`,
    );
  }
  return problems;
}

/** "4 MP", "20 MP", "8.3 MP": a pixel count in megapixels, to one decimal. */
export function roundMegapixels(pixels: number): string {
  const exact = pixels % (1024 * 1024) === 0 ? pixels / (1024 * 1024) : pixels / 1_000_000;
  return `${Math.round(exact * 10) / 10} MP`;
}

/** "4 MP (2048x2048)" for square limits, as the gateway words them; else "8.3 MP". */
export function megapixels(pixels: number): string {
  const side = Math.sqrt(pixels);
  if (Number.isInteger(side) && pixels % (1024 * 1024) === 0) return `${pixels / (1024 * 1024)} MP (${side}x${side})`;
  return `${Math.round((pixels / 1_000_000) * 10) / 10} MP`;
}

/**
 * The valid size closest to the requested one, keeping its aspect ratio as far as the rule
 * allows: scale into the pixel and side limits, clamp the ratio, round to the multiple, then
 * step down (or up) until every limit holds.
 */
export function nearestValidSize(size: Size, rule: SizeRule): Size {
  let width = Math.max(1, size.width);
  let height = Math.max(1, size.height);

  if (rule.maxRatio !== undefined && ratioOf({ width, height }) > rule.maxRatio) {
    if (width > height) width = height * rule.maxRatio;
    else height = width * rule.maxRatio;
  }

  let scale = 1;
  const pixels = width * height;
  if (pixels > rule.maxPixels) scale = Math.sqrt(rule.maxPixels / pixels);
  if (rule.minPixels !== undefined && pixels < rule.minPixels) scale = Math.sqrt(rule.minPixels / pixels);
  scale = Math.min(scale, rule.maxSide / width, rule.maxSide / height);
  scale = Math.max(scale, rule.minSide / width, rule.minSide / height);

  let candidate: Size = {
    width: clampSide(roundTo(width * scale, rule.multipleOf), rule),
    height: clampSide(roundTo(height * scale, rule.multipleOf), rule),
  };
  // Rounding can push the area just over (or under) a limit: walk one multiple at a time.
  for (let step = 0; step < 512 && !fits(candidate, rule); step++) {
    const area = candidate.width * candidate.height;
    const longIsWidth = candidate.width >= candidate.height;
    if (area > rule.maxPixels || (rule.maxRatio !== undefined && ratioOf(candidate) > rule.maxRatio)) {
      candidate = longIsWidth
        ? { ...candidate, width: clampSide(candidate.width - rule.multipleOf, rule) }
        : { ...candidate, height: clampSide(candidate.height - rule.multipleOf, rule) };
    } else {
      candidate = longIsWidth
        ? { ...candidate, height: clampSide(candidate.height + rule.multipleOf, rule) }
        : { ...candidate, width: clampSide(candidate.width + rule.multipleOf, rule) };
    }
  }
  return candidate;
}

/**
 * A concrete size of about `targetPixels` for an aspect ratio, valid under the rule, using the
 * rule's upstream multiple when it has one (legacy models prefer multiples of 32). Returns null
 * when the rule cannot get within 2 % of the ratio (e.g. 100:1 with sides of at most 2048).
 */
export function sizeForAspectRatio(
  ratio: { w: number; h: number },
  rule: SizeRule,
  targetPixels = DEFAULT_PIXELS,
): Size | null {
  const multiple = rule.upstreamSizeHint?.multipleOf ?? rule.multipleOf;
  const exact = ratio.w / ratio.h;
  const width = Math.sqrt(targetPixels * exact);
  const rounded: Size = { width: roundTo(width, multiple), height: roundTo(width / exact, multiple) };
  const size = fits(rounded, rule) ? rounded : nearestValidSize(rounded, rule);
  const achieved = size.width / size.height;
  return Math.abs(achieved - exact) / exact <= 0.02 ? size : null;
}

/** Why a size falls outside the upstream hint, or null when it is inside. */
export function upstreamSizeHintMiss(size: Size, rule: SizeRule): string | null {
  const hint = rule.upstreamSizeHint;
  if (!hint) return null;
  const sides = [size.width, size.height];
  const inside = sides.every((s) => s >= hint.minSide && s <= hint.maxSide && s % hint.multipleOf === 0);
  return inside ? null : `${hint.minSide}–${hint.maxSide} px per side in multiples of ${hint.multipleOf}`;
}
