/**
 * Gallery thumbnails: small JPEGs a grid shows at a glance. Unlike the preview (imaging/preview.ts),
 * which a model looks at, a thumbnail only has to be recognizable, and a result may carry 24 of
 * them to a client that refuses messages over 1 MB: so each one is held to a byte budget, trading
 * quality first, then size.
 */
import { loadSharp } from './sharp.js';

/** Budget on the base64 text of one thumbnail: 24 of them stay under 400 KB. */
export const THUMBNAIL_BASE64_BUDGET = 16_000;

interface Thumbnail {
  readonly mimeType: 'image/jpeg';
  /** Base64 of the JPEG. */
  readonly data: string;
  readonly width: number;
  readonly height: number;
}

/** Tried in order until one fits the budget; the last is taken whatever its size. */
const ATTEMPTS = [
  { scale: 1, quality: 70 },
  { scale: 1, quality: 50 },
  { scale: 0.75, quality: 50 },
  { scale: 0.5, quality: 40 },
];

/** The image (a file path or its bytes) scaled to fit `edge` × `edge`, never enlarged, as a JPEG. */
export async function makeThumbnail(
  image: string | Buffer,
  edge: number,
  budget = THUMBNAIL_BASE64_BUDGET,
): Promise<Thumbnail> {
  const sharp = await loadSharp();
  let thumbnail: Thumbnail | undefined;
  for (const { scale, quality } of ATTEMPTS) {
    const side = Math.round(edge * scale);
    const { data, info } = await sharp(image, { limitInputPixels: 100_000_000 })
      .rotate()
      .resize(side, side, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    thumbnail = { mimeType: 'image/jpeg', data: data.toString('base64'), width: info.width, height: info.height };
    if (thumbnail.data.length <= budget) break;
  }
  return thumbnail!;
}
