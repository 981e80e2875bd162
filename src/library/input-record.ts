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
  /**
   * The original image data (pixels untouched; see `cleaned`), passed through as a URL (the
   * gateway fetches it), or normalized first (re-encoded, so without metadata).
   */
  sent: z.enum(['original', 'url', 'normalized']),
  normalized: z.object({ width: int, height: int, bytes: int, sha256: z.string(), changes: z.string() }).optional(),
  /**
   * Sent as original, but without what was not the image: location and camera metadata (EXIF, XMP,
   * text chunks) unless kept, and bytes after the image's end. What was sent, and what was left out.
   */
  cleaned: z.object({ bytes: int, sha256: z.string(), removed: z.string() }).optional(),
});
export type InputRecord = z.output<typeof inputRecordSchema>;
