/**
 * The result of a successful image call, in a shape every agent stack takes (.ci/clients):
 * - a text block: the path first (some clients show only text), the facts, notes, what to do next;
 * - an inline preview image, when the presentation says so (pipeline/presentation.ts);
 * - a resource_link only when the user turned them on (they break LangChain and the Agents SDK);
 * - structuredContent with every fact of the text block, never base64: Claude Code and Codex give
 *   the model structuredContent alone when it is present.
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

/** A saved image as a result gives it: where it is and what it is (the hash stays in the sidecar). */
const resultImageSchema = savedImageSchema.omit({ sha256: true });

export const imageResultSchema = z.object({
  images: z.array(resultImageSchema).describe('The saved images (one per call)'),
  model: z.string(),
  seed: z.number().int().optional().describe('Seed sent to the model; reuse it to reproduce the image'),
  requestId: z.string().optional().describe("The gateway's x-request-id, for support"),
  elapsedMs: z.number().int().describe('Wall time of the call'),
  attempts: z.number().int().describe('Gateway requests made, retries included'),
  priceUsd: z.number().optional().describe('Flat price of the image in USD (absent for token-billed models)'),
  usage: tokenUsageSchema.optional().describe('Token usage reported by token-billed models'),
  notes: z.array(z.string()).optional().describe('What the server adjusted or dropped, and why'),
  next: z.string().describe('What to do with the image next'),
});
export type ImageResult = z.output<typeof imageResultSchema>;

export interface ImageResultInput {
  readonly saved: SavedImage;
  readonly preview: Preview | undefined;
  readonly model: string;
  readonly seed: number | undefined;
  readonly requestId: string | undefined;
  readonly elapsedMs: number;
  readonly attempts: number;
  readonly priceUsd: number | null;
  readonly usage: ImageResult['usage'];
  readonly notes: readonly string[];
  readonly resourceLink: boolean;
}

/** The advice every image result ends with. */
export const NEXT_STEP = 'The image is saved on disk; refer to it by its path (e.g. as images[0] of edit_images).';

export function imageResult(input: ImageResultInput): ToolOutput<ImageResult> {
  const { saved, preview } = input;
  const format = saved.mimeType.replace('image/', '');
  const facts = [
    `${saved.width}×${saved.height} ${format}`,
    input.model,
    ...(input.seed !== undefined ? [`seed ${input.seed}`] : []),
  ];
  const extras = [
    ...(input.requestId ? [`request ${input.requestId}`] : []),
    `${(input.elapsedMs / 1000).toFixed(1)} s`,
    ...(input.attempts > 1 ? [`${input.attempts} attempts`] : []),
    formatBytes(saved.bytes),
    ...(input.priceUsd !== null ? [`$${input.priceUsd}`] : []),
    ...(input.usage?.total_tokens !== undefined ? [`${input.usage.total_tokens} tokens`] : []),
  ];
  const lines = [
    `${saved.path} — ${facts.join(', ')}`,
    extras.join(' · '),
    ...input.notes.map((note) => `Note: ${note}`),
    NEXT_STEP,
  ];

  const content: ContentBlock[] = [{ type: 'text', text: lines.join('\n') }];
  if (preview) content.push({ type: 'image', data: preview.base64, mimeType: preview.mimeType });
  if (input.resourceLink)
    content.push({
      type: 'resource_link',
      uri: saved.uri,
      name: saved.file,
      mimeType: saved.mimeType,
      description: `${saved.width}×${saved.height} image from ${input.model}`,
    });

  return {
    content,
    structuredContent: {
      // Parsing keeps the schema's fields of the saved image and drops the rest.
      images: [resultImageSchema.parse(saved)],
      model: input.model,
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
      ...(input.requestId ? { requestId: input.requestId } : {}),
      elapsedMs: Math.round(input.elapsedMs),
      attempts: input.attempts,
      ...(input.priceUsd !== null ? { priceUsd: input.priceUsd } : {}),
      ...(input.usage && Object.keys(input.usage).length > 0 ? { usage: input.usage } : {}),
      ...(input.notes.length > 0 ? { notes: [...input.notes] } : {}),
      next: NEXT_STEP,
    },
  };
}
