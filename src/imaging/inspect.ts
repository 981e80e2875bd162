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

/** What an image header says, read by sharp without decoding the pixels. */
export interface ImageHeader extends Omit<ImageInfo, 'bytes'> {
  /** EXIF orientation, 1 (upright) when absent. `width` and `height` are as stored. */
  readonly orientation: number;
  /** Width and height as displayed, once the orientation is applied. */
  readonly upright: { readonly width: number; readonly height: number };
}

/**
 * The header of an image in a buffer or a file (only the header is read), or null when it is not
 * a png, jpeg or webp image. The format comes from the magic number, never from a name.
 */
export async function readImageHeader(input: Buffer | string): Promise<ImageHeader | null> {
  const sharp = await loadSharp();
  let metadata: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    metadata = await sharp(input).metadata();
  } catch {
    return null;
  }
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
