/**
 * One preview for several images (`count`): a contact sheet, the images side by side in a grid
 * within the same long edge and base64 budget as a single preview. A model sees all the variants
 * in one image; a client gets one image block, not eight.
 */
import { MAX_PREVIEW_SOURCE_PIXELS, makePreview, type Preview } from './preview.js';
import { decodeLimits, loadSharp } from './sharp.js';

/** Between cells, in the sheet's background grey. */
const GAP = 4;

/** The images in a grid of about square cells (2 × 2 for four, 3 × 3 for eight), as one preview. */
export async function makeContactSheet(images: readonly Buffer[], longEdge: number): Promise<Preview> {
  const sharp = await loadSharp();
  const columns = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / columns);
  const cell = Math.max(16, Math.floor((longEdge - GAP * (Math.max(columns, rows) - 1)) / Math.max(columns, rows)));
  // One image at a time is decoded (and shrunk to its cell), so a sheet of eight images costs
  // what one does.
  const tiles = [];
  for (const [index, image] of images.entries()) {
    const { data, info } = await sharp(image, decodeLimits(MAX_PREVIEW_SOURCE_PIXELS))
      .resize(cell, cell, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const column = index % columns;
    const row = Math.floor(index / columns);
    tiles.push({
      input: data,
      raw: { width: info.width, height: info.height, channels: info.channels },
      left: column * (cell + GAP) + Math.floor((cell - info.width) / 2),
      top: row * (cell + GAP) + Math.floor((cell - info.height) / 2),
    });
  }
  const sheet = await sharp({
    create: {
      width: columns * cell + GAP * (columns - 1),
      height: rows * cell + GAP * (rows - 1),
      channels: 3,
      background: '#e8e8e8',
    },
  })
    .composite(tiles)
    .png({ compressionLevel: 1 })
    .toBuffer();
  return makePreview(sheet, longEdge);
}
