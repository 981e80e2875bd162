/**
 * What an image really is, read from its bytes (magic number, then the header with sharp), never
 * from a file name or a declared content type. Nothing here decodes pixels: sizes are known before
 * anyone decides to decode.
 */
import { open } from 'node:fs/promises';
import { loadSharp } from './sharp.js';
import { SNIFF_BYTES, sniffImageFormat } from './sniff.js';

export const IMAGE_FORMATS = {
  jpeg: { mimeType: 'image/jpeg', extension: 'jpg' },
  png: { mimeType: 'image/png', extension: 'png' },
  webp: { mimeType: 'image/webp', extension: 'webp' },
} as const;
export type ImageFormat = keyof typeof IMAGE_FORMATS;

export interface ImageInfo {
  readonly format: ImageFormat;
  readonly mimeType: (typeof IMAGE_FORMATS)[ImageFormat]['mimeType'];
  readonly extension: (typeof IMAGE_FORMATS)[ImageFormat]['extension'];
  readonly width: number;
  readonly height: number;
  readonly hasAlpha: boolean;
  readonly bytes: number;
}

function isImageFormat(format: string | undefined): format is ImageFormat {
  return format !== undefined && Object.hasOwn(IMAGE_FORMATS, format);
}

/** What an image header says, read by sharp without decoding the pixels. */
export interface ImageHeader extends Omit<ImageInfo, 'bytes'> {
  /** EXIF orientation, 1 (upright) when absent. `width` and `height` are as stored. */
  readonly orientation: number;
  /** Bytes one decoded pixel takes: channels × bytes per sample (a 16-bit RGBA PNG: 8). */
  readonly bytesPerPixel: number;
  /** Width and height as displayed, once the orientation is applied. */
  readonly upright: { readonly width: number; readonly height: number };
}

/** The first bytes of a buffer or a file, for its magic number. */
export async function headOf(input: Buffer | string, bytes = SNIFF_BYTES): Promise<Buffer> {
  if (Buffer.isBuffer(input)) return input.subarray(0, bytes);
  const handle = await open(input, 'r');
  try {
    const head = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(head, 0, bytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The header of an image in a buffer or a file (only the header is read), or null when it is not
 * a png, jpeg or webp image. The format comes from the magic number, never from a name, and only
 * those three formats reach sharp at all.
 */
export async function readImageHeader(input: Buffer | string): Promise<ImageHeader | null> {
  const sniffed = sniffImageFormat(await headOf(input).catch(() => Buffer.alloc(0)));
  if (!sniffed) return null;
  const sharp = await loadSharp();
  let metadata: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    metadata = await sharp(input).metadata();
  } catch {
    return null;
  }
  if (metadata.format !== sniffed) return null;
  const { format, width, height } = metadata;
  if (!isImageFormat(format) || !width || !height) return null;
  const orientation = metadata.orientation ?? 1;
  return {
    format,
    ...IMAGE_FORMATS[format],
    width,
    height,
    hasAlpha: metadata.hasAlpha === true,
    orientation,
    bytesPerPixel: (metadata.channels ?? 4) * (metadata.depth === 'ushort' ? 2 : metadata.depth === 'uchar' ? 1 : 4),
    upright: orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height },
  };
}

/** The image's format and size, or null when the bytes are not a png, jpeg or webp image. */
export async function inspectImage(bytes: Buffer): Promise<ImageInfo | null> {
  const header = await readImageHeader(bytes);
  if (!header) return null;
  const { format, mimeType, extension, width, height, hasAlpha } = header;
  return { format, mimeType, extension, width, height, hasAlpha, bytes: bytes.length } as ImageInfo;
}
