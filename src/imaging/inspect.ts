/**
 * What an image really is, read from its bytes with sharp (magic number and header), never from
 * a file name or a declared content type.
 */
import { loadSharp } from './sharp.js';

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

/** The image's format and size, or null when the bytes are not a png, jpeg or webp image. */
export async function inspectImage(bytes: Buffer): Promise<ImageInfo | null> {
  const sharp = await loadSharp();
  let metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch {
    return null;
  }
  const { format, width, height } = metadata;
  if (!isImageFormat(format) || !width || !height) return null;
  return {
    format,
    ...IMAGE_FORMATS[format],
    width,
    height,
    hasAlpha: metadata.hasAlpha === true,
    bytes: bytes.length,
  };
}
