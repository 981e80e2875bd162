/**
 * The result of an image call, in a shape every agent stack takes (.ci/clients):
 * - structuredContent carries every fact, never base64: Claude Code and Codex give the model
 *   structuredContent alone when it is present. The text block is rendered from it, so the two
 *   cannot disagree;
 * - a text block: the path first (some clients show only text), the facts, notes, what to do next;
 * - an inline preview image, when the presentation says so (pipeline/presentation.ts);
 * - a resource_link only when the user turned them on (they break LangChain and the Agents SDK).
 *
 * Two shapes share one schema: `status: "done"` with the saved images, and `status: "running"`
 * when a long call is handed off to wait_for_image (pipeline/image-call.ts).
 */
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { formatBytes } from '../core/units.js';
import type { Preview } from '../imaging/preview.js';
import { savedImageSchema } from '../library/saved-image.js';
import { type SavedImage, tokenUsageSchema } from '../library/sidecar.js';
import type { ToolOutput } from './call.js';

/**
 * What clients are told about both image tools: they write new files (never overwriting one),
 * each call is paid and makes a new image, and they reach the network.
 */
export const IMAGE_TOOL_HINTS = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
} as const;

/** A saved image as a result gives it: where it is, what it is, its seed (the hash stays in the sidecar). */
const resultImageSchema = savedImageSchema.omit({ sha256: true }).extend({ seed: z.number().int().optional() });

/** One of several images a call asked for that was not made. */
const failedImageSchema = z.object({
  index: z.number().int(),
  seed: z.number().int().optional(),
  category: z.string(),
  message: z.string(),
});

export const imageResultSchema = z.object({
  status: z.enum(['done', 'running']).describe('"running": handed off; call wait_for_image with the job'),
  job: z.string().describe('The job id, for wait_for_image'),
  images: z.array(resultImageSchema).describe('The saved images (none while running)'),
  model: z.string(),
  seed: z.number().int().optional().describe("The first image's seed; reuse it to reproduce the image"),
  requestId: z.string().optional().describe("The gateway's x-request-id, for support"),
  elapsedMs: z.number().int().describe('Wall time of the call'),
  /** running: how long the model usually takes, as the catalog says it. */
  usually: z.string().optional(),
  attempts: z.number().int().optional().describe('Gateway requests made, retries included'),
  priceUsd: z.number().optional().describe('Flat price of the image in USD (absent for token-billed models)'),
  usage: tokenUsageSchema.optional().describe('Token usage reported by token-billed models'),
  notes: z.array(z.string()).optional().describe('What the server adjusted or dropped, and why'),
  /** With count > 1: the images that were not made, and why (the others are saved and listed). */
  failed: z.array(failedImageSchema).optional(),
  next: z.string().describe('What to do next'),
});
type FailedImage = z.output<typeof failedImageSchema>;
export type ImageResult = z.output<typeof imageResultSchema>;

/** The advice every finished image result ends with. */
const NEXT_STEP = 'The image is saved on disk; refer to it by its path (e.g. as images[0] of edit_images).';

interface DoneInput {
  readonly job: string;
  readonly saved: SavedImage;
  readonly model: string;
  readonly seed: number | undefined;
  readonly requestId: string | undefined;
  readonly elapsedMs: number;
  readonly attempts: number;
  readonly priceUsd: number | null;
  readonly usage: ImageResult['usage'];
  readonly notes: readonly string[];
}

/** The structured result of a finished call. */
export function doneResult(input: DoneInput): ImageResult {
  return {
    status: 'done',
    job: input.job,
    // Parsing keeps the schema's fields of the saved image and drops the rest.
    images: [resultImageSchema.parse({ ...input.saved, ...(input.seed !== undefined ? { seed: input.seed } : {}) })],
    model: input.model,
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
    ...(input.requestId ? { requestId: input.requestId } : {}),
    elapsedMs: Math.round(input.elapsedMs),
    attempts: input.attempts,
    ...(input.priceUsd !== null ? { priceUsd: input.priceUsd } : {}),
    ...(input.usage && Object.keys(input.usage).length > 0 ? { usage: input.usage } : {}),
    ...(input.notes.length > 0 ? { notes: [...input.notes] } : {}),
    next: NEXT_STEP,
  };
}

/**
 * The result of a call that made several images (`count`): every image made, in order, with what
 * they cost together and what failed. `parts` are the images' own results, in variant order.
 */
export function combinedResult(
  job: string,
  parts: readonly ImageResult[],
  failed: readonly FailedImage[],
  elapsedMs: number,
): ImageResult {
  const [first] = parts;
  if (!first) throw new Error('combinedResult needs at least one image');
  const prices = parts.map((part) => part.priceUsd);
  const usage = sumUsage(parts.map((part) => part.usage));
  const notes = [...new Set(parts.flatMap((part) => part.notes ?? []))];
  return {
    status: 'done',
    job,
    images: parts.flatMap((part) => part.images),
    model: first.model,
    ...(first.seed !== undefined ? { seed: first.seed } : {}),
    ...(first.requestId ? { requestId: first.requestId } : {}),
    elapsedMs: Math.round(elapsedMs),
    attempts: parts.reduce((sum, part) => sum + (part.attempts ?? 1), 0),
    ...(prices.every((price) => price !== undefined)
      ? { priceUsd: Math.round(prices.reduce((sum, price) => sum! + price!, 0)! * 1e6) / 1e6 }
      : {}),
    ...(usage ? { usage } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(failed.length > 0 ? { failed: [...failed] } : {}),
    next:
      parts.length > 1
        ? 'The images are saved on disk; refer to each by its path (e.g. as images[0] of edit_images).'
        : NEXT_STEP,
  };
}

function sumUsage(usages: readonly ImageResult['usage'][]): ImageResult['usage'] {
  const present = usages.filter((usage) => usage !== undefined);
  if (present.length === 0) return undefined;
  const total = (key: 'input_tokens' | 'output_tokens' | 'total_tokens'): number | undefined => {
    const values = present.map((usage) => usage[key]).filter((value) => value !== undefined);
    return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
  };
  const input = total('input_tokens');
  const output = total('output_tokens');
  const all = total('total_tokens');
  return {
    ...(input !== undefined ? { input_tokens: input } : {}),
    ...(output !== undefined ? { output_tokens: output } : {}),
    ...(all !== undefined ? { total_tokens: all } : {}),
  };
}

/** The text block, rendered from the structured result (so every fact in it is in both). */
function resultText(result: ImageResult): string {
  if (result.status === 'running')
    return [result.next, ...(result.notes ?? []).map((note) => `Note: ${note}`)].join('\n');
  const lines: string[] = [];
  for (const image of result.images) {
    const format = image.mimeType.replace('image/', '');
    const seed = image.seed ?? result.seed;
    const facts = [
      `${image.width}×${image.height} ${format}`,
      result.model,
      ...(seed !== undefined ? [`seed ${seed}`] : []),
    ];
    lines.push(`${image.path} — ${facts.join(', ')}`);
  }
  const bytes = result.images.reduce((sum, image) => sum + image.bytes, 0);
  const extras = [
    ...(result.requestId ? [`request ${result.requestId}`] : []),
    `${(result.elapsedMs / 1000).toFixed(1)} s`,
    ...((result.attempts ?? 1) > 1 ? [`${result.attempts} attempts`] : []),
    formatBytes(bytes),
    ...(result.priceUsd !== undefined ? [`$${result.priceUsd}`] : []),
    ...(result.usage?.total_tokens !== undefined ? [`${result.usage.total_tokens} tokens`] : []),
  ];
  const failed = (result.failed ?? []).map(
    (failure) =>
      `Not made: image ${failure.index}${failure.seed !== undefined ? ` (seed ${failure.seed})` : ''}: ` +
      `${failure.category}: ${failure.message}`,
  );
  return [
    ...lines,
    extras.join(' · '),
    `Job ${result.job}`,
    ...failed,
    ...(result.notes ?? []).map((note) => `Note: ${note}`),
    result.next,
  ].join('\n');
}

/** The content blocks of a result: text, then the preview and the link when the presentation says so. */
export function resultOutput(
  result: ImageResult,
  preview: Preview | undefined,
  resourceLink: boolean,
): ToolOutput<ImageResult> {
  const content: ContentBlock[] = [{ type: 'text', text: resultText(result) }];
  if (preview) content.push({ type: 'image', data: preview.base64, mimeType: preview.mimeType });
  if (resourceLink) {
    for (const image of result.images) {
      content.push({
        type: 'resource_link',
        uri: image.uri,
        name: image.path.split(/[\\/]/).pop() ?? image.path,
        mimeType: image.mimeType,
        description: `${image.width}×${image.height} image from ${result.model}`,
      });
    }
  }
  return { content, structuredContent: result };
}
