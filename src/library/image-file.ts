/**
 * Reading a library image for resources/read. The output directory is shared with people and
 * other programs, so the file is checked again as it is opened: a regular file (not a link or a
 * FIFO swapped in since it was listed), within the size a read may return, and an image of the
 * type its sidecar says, by magic number, so that a planted sidecar cannot make a read return
 * some other file of the directory.
 */
import { IMAGE_FORMATS } from '../imaging/inspect.js';
import { sniffImageFormat } from '../imaging/sniff.js';
import { readRegularBytes } from './regular-file.js';
import type { SavedImage } from './sidecar.js';

/** The image's bytes; throws NotARegularFileError or NotTheImageError. */
export async function readLibraryImage(
  image: Pick<SavedImage, 'path' | 'file' | 'mimeType'>,
  maxBytes: number,
): Promise<Buffer> {
  const bytes = await readRegularBytes(image.path, maxBytes);
  const format = sniffImageFormat(bytes.subarray(0, 32));
  if (!format || IMAGE_FORMATS[format].mimeType !== image.mimeType) {
    throw new NotTheImageError(`${image.file} does not hold the ${image.mimeType} image its sidecar describes`);
  }
  return bytes;
}

export class NotTheImageError extends Error {
  override readonly name = 'NotTheImageError';
}
