/**
 * The small inline preview a model can look at. Clients cap whole tool results (Claude Desktop
 * at 1 MB), so the preview is a JPEG bounded by its base64 length, not by pixels alone.
 */
import { decodeLimits, loadSharp } from './sharp.js';

/** Budget on the base64 text of the preview ("under 300 KB"). */
export const PREVIEW_BASE64_BUDGET = 300_000;

/**
 * Largest image a preview is made of: several times what any model makes. The image comes from
 * the gateway's answer, and an answer is not trusted to be what was asked for: a decompression
 * bomb is refused by the decoder instead of being expanded.
 */
export const MAX_PREVIEW_SOURCE_PIXELS = 64_000_000;

export interface Preview {
  readonly base64: string;
  readonly mimeType: 'image/jpeg';
  readonly width: number;
  readonly height: number;
}

const QUALITIES = [80, 65, 50, 35];

const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

/** A JPEG whose long edge is at most `longEdge` (never upscaled) and whose base64 fits the budget. */
export async function makePreview(
  image: Buffer,
  longEdge: number,
  budget = PREVIEW_BASE64_BUDGET,
  maxPixels = MAX_PREVIEW_SOURCE_PIXELS,
): Promise<Preview> {
  const sharp = await loadSharp();
  let edge = longEdge;
  for (;;) {
    for (const quality of QUALITIES) {
      const { data, info } = await sharp(image, decodeLimits(maxPixels))
        .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality })
        .toBuffer({ resolveWithObject: true });
      if (base64Length(data.length) < budget || edge <= 64) {
        return { base64: data.toString('base64'), mimeType: 'image/jpeg', width: info.width, height: info.height };
      }
    }
    edge = Math.max(64, Math.floor(edge * 0.75));
  }
}
