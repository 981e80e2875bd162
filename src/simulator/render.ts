/**
 * Images the simulator "generates": real encoded files of the requested size and format, whose
 * pixels follow from a key (prompt, seed, model), so different prompts and seeds give visibly
 * different images and the same ones give the same image. A gradient, a few discs and a little
 * noise: cheap to compute, and sized on disk roughly like a real photo-like result.
 */
import { createHash } from 'node:crypto';
import type { Sharp } from 'sharp';
import type { ImageFormat } from '../imaging/inspect.js';
import { loadSharp } from '../imaging/sharp.js';

interface RenderRequest {
  readonly width: number;
  readonly height: number;
  readonly format: ImageFormat;
  /** Everything the image should depend on, e.g. model + prompt + seed. */
  readonly key: string;
}

/** A small deterministic PRNG (xorshift32): the same key always draws the same image. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

export async function renderImage(request: RenderRequest): Promise<Buffer> {
  const { width, height } = request;
  const digest = createHash('sha256').update(request.key).digest();
  const random = prng(digest.readUInt32LE(0));
  const colour = (offset: number): [number, number, number] => [
    digest[offset]!,
    digest[offset + 1]!,
    digest[offset + 2]!,
  ];
  const from = colour(4);
  const to = colour(7);
  const discs = Array.from({ length: 3 }, (_, i) => ({
    x: random() * width,
    y: random() * height,
    r: (0.08 + random() * 0.2) * Math.min(width, height),
    rgb: colour(10 + i * 3),
  }));

  // Clamped: gradient + noise can leave 0–255, and a plain Buffer would wrap around. Written
  // row by row, discs as spans, with no allocation per pixel: the simulator renders dozens of
  // images at once in benchmarks, and its time must not swamp the server's.
  const pixels = new Uint8ClampedArray(width * height * 3);
  const dr = to[0] - from[0];
  const dg = to[1] - from[1];
  const db = to[2] - from[2];
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2;
      const noise = (random() - 0.5) * 12;
      const i = row + x * 3;
      pixels[i] = from[0] + dr * t + noise;
      pixels[i + 1] = from[1] + dg * t + noise;
      pixels[i + 2] = from[2] + db * t + noise;
    }
    for (const disc of discs) {
      const dy = y - disc.y;
      if (dy * dy >= disc.r * disc.r) continue;
      const half = Math.sqrt(disc.r * disc.r - dy * dy);
      const end = Math.min(width, Math.floor(disc.x + half) + 1);
      for (let x = Math.max(0, Math.ceil(disc.x - half)); x < end; x++) {
        const noise = ((x * 7919 + y * 104_729) % 13) - 6;
        const i = row + x * 3;
        pixels[i] = disc.rgb[0] + noise;
        pixels[i + 1] = disc.rgb[1] + noise;
        pixels[i + 2] = disc.rgb[2] + noise;
      }
    }
  }

  const sharp = await loadSharp();
  return encode(sharp(Buffer.from(pixels.buffer), { raw: { width, height, channels: 3 } }), request.format);
}

function encode(image: Sharp, format: ImageFormat): Promise<Buffer> {
  switch (format) {
    case 'png':
      return image.png({ compressionLevel: 3 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 85 }).toBuffer();
    case 'jpeg':
      return image.jpeg({ quality: 88 }).toBuffer();
  }
}

interface EditRenderRequest extends RenderRequest {
  /** The reference images in order (image 1 first). */
  readonly references: readonly Buffer[];
}

/**
 * An "edit": the references side by side in order, one vertical strip each (image 1 on the
 * left), under a light tint that follows the key (prompt, seed, model). A swapped, dropped or
 * corrupted reference changes the picture where its strip is, so tests can see what arrived.
 */
export async function renderEdit(request: EditRenderRequest): Promise<Buffer> {
  const { width, height, references } = request;
  const sharp = await loadSharp();
  const strips = await Promise.all(
    references.map(async (reference, i) => {
      const left = Math.floor((i * width) / references.length);
      const stripWidth = Math.floor(((i + 1) * width) / references.length) - left;
      const input = await sharp(reference)
        .resize(stripWidth, height, { fit: 'cover' })
        .flatten({ background: '#808080' })
        .removeAlpha()
        .raw()
        .toBuffer();
      return { input, raw: { width: stripWidth, height, channels: 3 as const }, left, top: 0 };
    }),
  );
  const digest = createHash('sha256').update(request.key).digest();
  const tint = { r: digest[0]!, g: digest[1]!, b: digest[2]!, alpha: 0.15 };
  const image = sharp({ create: { width, height, channels: 3, background: '#000000' } }).composite([
    ...strips,
    { input: { create: { width, height, channels: 4, background: tint } }, left: 0, top: 0 },
  ]);
  return encode(image, request.format);
}
