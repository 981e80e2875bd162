/**
 * The facts of a saved image file, defined once. Everything that describes a saved image to the
 * outside — the sidecar's `image` record, a tool result, a `list_images` entry, a resource — picks
 * or extends this object instead of spelling the fields again. The library's full record of a
 * saved image (these facts, its sidecar and how it was made) is `SavedImage` in sidecar.ts.
 */
import * as z from 'zod';

const int = z.number().int();

export const savedImageSchema = z.object({
  path: z.string().describe('Absolute path of the saved image'),
  uri: z.string().describe('file:// URI of the saved image'),
  width: int,
  height: int,
  mimeType: z.string(),
  bytes: int,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits'),
});
export type SavedImageFile = Readonly<z.output<typeof savedImageSchema>>;
