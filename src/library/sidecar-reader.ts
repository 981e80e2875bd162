/**
 * Reading one `*.json` of the output directory as a sidecar, or saying in a few words why it is
 * not one. The directory is shared with people and other programs, so the name may be a directory,
 * a FIFO, a link, a half-copied or hand-edited file, or a sidecar whose image is gone or is not a
 * plain file (resources/read opens the image, so it must be one).
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { kindOf, NotARegularFileError, readRegularFile } from './regular-file.js';
import { parseSidecar, type SavedImage, savedImageOf } from './sidecar.js';

/** Sidecars are a few KB even with 16 inputs recorded; a bigger file is something else. */
export const MAX_SIDECAR_BYTES = 1_000_000;

type SidecarOutcome =
  | { readonly ok: true; readonly image: SavedImage }
  /** `missing`: the name is gone (removed since the directory was listed), which is no fault of the file. */
  | { readonly ok: false; readonly reason: string; readonly missing?: true };

/** The image the sidecar `sidecarName` in `directory` describes, or why it is skipped. */
export async function readSidecar(directory: string, sidecarName: string): Promise<SidecarOutcome> {
  const sidecarPath = path.join(directory, sidecarName);
  let text: string;
  try {
    text = await readRegularFile(sidecarPath, MAX_SIDECAR_BYTES);
  } catch (error) {
    if (error instanceof NotARegularFileError) return { ok: false, reason: error.message };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: 'gone', missing: true };
    return {
      ok: false,
      reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  const reading = parseSidecar(text);
  if (!reading.ok) return reading;
  const image = savedImageOf(directory, sidecarPath, reading.sidecar);
  const stats = await lstat(image.path).catch(() => undefined);
  if (stats === undefined) return { ok: false, reason: `its image ${image.file} is missing` };
  const kind = kindOf(stats);
  if (kind !== 'file') return { ok: false, reason: `its image ${image.file} is a ${kind}, not a regular file` };
  // The size is the file's own, not what a (possibly planted) sidecar claims.
  return { ok: true, image: { ...image, bytes: stats.size } };
}
