/**
 * Gallery thumbnails: small JPEGs a grid shows at a glance. Unlike the preview (imaging/preview.ts),
 * which a model looks at, a thumbnail only has to be recognizable, so it is fixed-size and cheap:
 * a grid of 24 must stay a few hundred KB in a result that clients cap at 1 MB.
 */
import { loadSharp } from './sharp.js';

export interface Thumbnail {
  readonly mimeType: 'image/jpeg';
  /** Base64 of the JPEG. */
  readonly data: string;
  readonly width: number;
  readonly height: number;
}

/** The image (a file path or its bytes) scaled to fit `edge` × `edge`, never enlarged, as a JPEG. */
export async function makeThumbnail(image: string | Buffer, edge: number, quality = 70): Promise<Thumbnail> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(image, { limitInputPixels: 100_000_000 })
    .rotate()
    .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality, mozjpeg: true })
    .toBuffer({ resolveWithObject: true });
  return { mimeType: 'image/jpeg', data: data.toString('base64'), width: info.width, height: info.height };
}
