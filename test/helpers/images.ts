/**
 * Test images: real encoded files made with sharp, each a solid colour (so the simulator's
 * mosaic shows which reference landed where), written to a temp directory; and what arrived at
 * the simulator, decoded back to bytes for hash comparisons.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { SimulatedRequest } from '../../src/simulator/gateway-simulator.js';

interface ImageSpec {
  readonly width: number;
  readonly height: number;
  readonly format?: 'png' | 'jpeg' | 'webp';
  readonly colour?: { r: number; g: number; b: number } | undefined;
  /** PNG/WebP with an alpha channel. */
  readonly alpha?: boolean;
  /** Written as EXIF orientation (JPEG). */
  readonly orientation?: number;
}

export async function makeImage(spec: ImageSpec): Promise<Buffer> {
  const { width, height, colour = { r: 200, g: 60, b: 40 }, alpha = false } = spec;
  let image = sharp({
    create: { width, height, channels: alpha ? 4 : 3, background: { ...colour, alpha: alpha ? 0.5 : 1 } },
  });
  if (spec.orientation) image = image.withMetadata({ orientation: spec.orientation });
  switch (spec.format ?? 'png') {
    case 'png':
      return image.png().toBuffer();
    case 'jpeg':
      return image.jpeg({ quality: 90 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 90 }).toBuffer();
  }
}

export async function writeImage(dir: string, name: string, spec: ImageSpec | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, Buffer.isBuffer(spec) ? spec : await makeImage(spec));
  return file;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export function dataUrl(bytes: Buffer, type: string): string {
  return `data:${type};base64,${bytes.toString('base64')}`;
}

/** The reference images of a JSON edit request, in order: data URLs decoded, URLs as they are. */
export function jsonReferences(request: SimulatedRequest): (Buffer | string)[] {
  const body = request.json as Record<string, unknown>;
  const out: (Buffer | string)[] = [];
  for (let i = 1; ; i++) {
    const value = body[i === 1 ? 'input_image' : `input_image_${i}`];
    if (typeof value !== 'string') return out;
    const data = /^data:image\/(png|jpeg|webp);base64,/.exec(value);
    out.push(data ? Buffer.from(value.slice(data[0].length), 'base64') : value);
  }
}

/** The files of a multipart edit request, in order, as [field, bytes]. */
export function uploadedFiles(request: SimulatedRequest): [string, Buffer][] {
  return request.form!.files.map((file) => [file.field, file.bytes]);
}

/** The average colour of a region of an image, to see which reference landed where. */
export async function averageColour(
  bytes: Buffer,
  region: { left: number; top: number; width: number; height: number },
) {
  // stats() reads its own input, not the pipeline: extract the region to a buffer first.
  const part = await sharp(bytes).extract(region).removeAlpha().png().toBuffer();
  const { channels } = await sharp(part).stats();
  return { r: Math.round(channels[0]!.mean), g: Math.round(channels[1]!.mean), b: Math.round(channels[2]!.mean) };
}
