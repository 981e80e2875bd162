/**
 * What decoding an image whole costs in memory, judged from its header before deciding to. A
 * normalization that turns an image upright holds all of it (and a rotated copy): about its
 * decoded size and a fifth, measured with libvips; WebP more, about 10 bytes a pixel whatever its
 * channels (libwebp decodes the whole picture, and keeps its own buffers beside libvips'). Each
 * decode must fit MAX_DECODE_BYTES, which with the decode gate (decode-gate.ts) keeps a call
 * under 400 MB and three under 1 GB whatever their inputs (bench scenario 7, test/hostile).
 */
import type { ImageHeader } from './inspect.js';

/** Most memory one decode may take. */
export const MAX_DECODE_BYTES = 200_000_000;

const WEBP_BYTES_PER_PIXEL = 10;
const ROTATION_OVERHEAD = 1.2;

/** Estimated peak memory of decoding (and turning) the whole image. */
export function decodeBytes(header: ImageHeader): number {
  const pixels = header.width * header.height;
  if (header.format === 'webp') return pixels * WEBP_BYTES_PER_PIXEL;
  return Math.ceil(pixels * header.bytesPerPixel * ROTATION_OVERHEAD);
}
