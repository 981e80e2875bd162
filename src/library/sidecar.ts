/**
 * The sidecar: the JSON record written beside every saved image (`<stem>.json`) and the only thing
 * later sessions read to find images. One schema types what is written and checks what is read.
 *
 * Format `flux-mcp.image/1`: a field, once written, keeps its name and meaning; later versions may
 * only add fields, so reading drops fields it does not know instead of refusing the file.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { inputRecordSchema } from './input-record.js';
import { type SavedImageFile, savedImageSchema } from './saved-image.js';

export const SIDECAR_SCHEMA = 'flux-mcp.image/1';

const int = z.number().int();

/** A name in the directory itself: a path could make the library serve any file on disk. */
export function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== '.' &&
    name !== '..' &&
    !name.includes('/') &&
    !name.includes('\\') &&
    !name.includes('\0')
  );
}

/** A name in the sidecar's own directory. */
const fileNameSchema = z.string().min(1).refine(isPlainFileName, 'expected a file name without directories');

/** Token counts reported by token-billed models. */
export const tokenUsageSchema = z.object({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
});

export const sidecarSchema = z.object({
  schema: z.literal(SIDECAR_SCHEMA),
  /** The image's file name, beside the sidecar. */
  file: fileNameSchema,
  /** ISO time the image was saved; the library sorts and filters by it. */
  createdAt: z.string().refine((time) => !Number.isNaN(Date.parse(time)), 'expected an ISO time'),
  tool: z.string(),
  model: z.string(),
  prompt: z.string(),
  endpoint: z.string(),
  /** Every parameter sent to the gateway besides model and prompt. */
  parameters: z.record(z.string(), z.unknown()),
  seed: int.optional(),
  requestId: z.string().optional(),
  elapsedMs: int.nonnegative(),
  /** Gateway requests it took, retries included. The first sidecars, from before retries, lack it: one. */
  attempts: int.positive().default(1),
  /** Flat price per image, or null when the model bills by tokens (see usage). */
  priceUsd: z.number().nullable(),
  usage: tokenUsageSchema.optional(),
  /** edit_images: each reference image (and the mask) as given, with its hash and size. */
  inputs: z.array(inputRecordSchema).readonly().optional(),
  /** The saved bytes; where they are follows from `file`. */
  image: savedImageSchema.pick({ width: true, height: true, mimeType: true, bytes: true, sha256: true }),
  notes: z.array(z.string()).readonly(),
  /** The job that made it (wait_for_image finds a finished job by it); absent before jobs existed. */
  job: z.string().max(40).optional(),
  /** One of several images one call made (`count`): which, of how many. */
  variant: z.object({ index: int.positive(), of: int.positive() }).optional(),
  server: z.object({ name: z.string(), version: z.string() }),
});

/** Everything known about how an image was made. Never holds the API key. */
export type ImageSidecar = z.output<typeof sidecarSchema>;

export function sidecarText(sidecar: ImageSidecar): string {
  return `${JSON.stringify(sidecar, null, 2)}\n`;
}

type SidecarReading =
  | { readonly ok: true; readonly sidecar: ImageSidecar }
  | { readonly ok: false; readonly reason: string };

/** A sidecar from its text, or why the text is not one (said in a few words, for a log line). */
export function parseSidecar(text: string): SidecarReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
  const version = (json as { schema?: unknown } | null)?.schema;
  if (typeof version === 'string' && version.startsWith('flux-mcp.image/') && version !== SIDECAR_SCHEMA)
    return { ok: false, reason: `a ${version} sidecar; this server reads ${SIDECAR_SCHEMA}` };
  // zod 4 says "expected object, received undefined" for a missing field; "Required" is plainer.
  const parsed = sidecarSchema.safeParse(json, {
    error: (issue) => (issue.input === undefined ? 'Required' : undefined),
  });
  if (parsed.success) return { ok: true, sidecar: parsed.data };
  return { ok: false, reason: `not an apiyi-flux-mcp sidecar (${issuesText(parsed.error.issues)})` };
}

const MAX_ISSUES_SHOWN = 3;

/** "image: Required; file: expected a file name without directories", at most three of them. */
function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const message = issue.message.replace(/^Invalid input: /, '');
    return issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${message}` : message;
  });
  const more = issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** A saved image as the library knows it: the file's facts, where its sidecar is, how it was made. */
export interface SavedImage
  extends SavedImageFile,
    Readonly<Pick<ImageSidecar, 'file' | 'createdAt' | 'tool' | 'model' | 'prompt'>> {
  readonly sidecarPath: string;
}

/** The image a sidecar in `directory` describes; both the save path and the library build it here. */
export function savedImageOf(directory: string, sidecarPath: string, sidecar: ImageSidecar): SavedImage {
  const imagePath = path.join(directory, sidecar.file);
  return {
    path: imagePath,
    uri: pathToFileURL(imagePath).href,
    ...sidecar.image,
    file: sidecar.file,
    sidecarPath,
    createdAt: sidecar.createdAt,
    tool: sidecar.tool,
    model: sidecar.model,
    prompt: sidecar.prompt,
  };
}
