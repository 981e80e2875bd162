/**
 * What is recorded about each input image, in the sidecar and in the edit result's
 * structuredContent (one schema for both). Never a data URL's bytes.
 */
import * as z from 'zod';

const int = z.number().int();

export const inputRecordSchema = z.object({
  role: z.enum(['image', 'mask']),
  /** 1 for image 1 …; absent for the mask. */
  index: int.optional(),
  /** As given: the path or URL; a data URL only as its type and length. */
  source: z.string(),
  kind: z.enum(['file', 'url', 'data']),
  /** The file actually read, when it differs from the source (~, file://, symlinks). */
  path: z.string().optional(),
  /** Of the bytes as given, with their size, upright dimensions and format. */
  sha256: z.string().optional(),
  bytes: int.optional(),
  width: int.optional(),
  height: int.optional(),
  format: z.string().optional(),
  /** EXIF orientation, when not upright. */
  orientation: int.optional(),
  /** Sent byte for byte, passed through as a URL (the gateway fetches it), or normalized first. */
  sent: z.enum(['original', 'url', 'normalized']),
  normalized: z.object({ width: int, height: int, bytes: int, sha256: z.string(), changes: z.string() }).optional(),
});
export type InputRecord = z.output<typeof inputRecordSchema>;
