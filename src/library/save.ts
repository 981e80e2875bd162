/**
 * Saving a paid image: the image file, then its JSON sidecar beside it, both written atomically,
 * neither ever overwriting anything. The sidecar is what later sessions read to find images.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { redact } from '../core/redact.js';
import type { ImageInfo } from '../imaging/inspect.js';
import { NameTakenError, writeFileExclusive } from './atomic-write.js';
import type { InputRecord } from './input-record.js';
import { imageStem } from './naming.js';

export const SIDECAR_SCHEMA = 'flux-mcp.image/1';

/** Everything known about how an image was made. Never holds the API key. */
export interface ImageSidecar {
  readonly schema: typeof SIDECAR_SCHEMA;
  readonly file: string;
  readonly createdAt: string;
  readonly tool: string;
  readonly model: string;
  readonly prompt: string;
  readonly endpoint: string;
  /** Every parameter sent to the gateway besides model and prompt. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly seed?: number;
  readonly requestId?: string;
  readonly elapsedMs: number;
  /** Gateway requests it took, retries included. */
  readonly attempts: number;
  /** Flat price per image, or null when the model bills by tokens (see usage). */
  readonly priceUsd: number | null;
  readonly usage?: Readonly<Partial<Record<'input_tokens' | 'output_tokens' | 'total_tokens', number>>>;
  /** edit_images: each reference image (and the mask) as given, with its hash and size. */
  readonly inputs?: readonly InputRecord[];
  readonly image: {
    readonly width: number;
    readonly height: number;
    readonly mimeType: string;
    readonly bytes: number;
    readonly sha256: string;
  };
  readonly notes: readonly string[];
  readonly server: { readonly name: string; readonly version: string };
}

export type SidecarFields = Omit<ImageSidecar, 'schema' | 'file' | 'createdAt' | 'image'>;

export interface SavedImage {
  readonly path: string;
  readonly uri: string;
  readonly fileName: string;
  readonly sidecarPath: string;
  readonly width: number;
  readonly height: number;
  readonly mimeType: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface SaveRequest {
  readonly outputDir: string;
  readonly bytes: Buffer;
  readonly info: ImageInfo;
  /** The caller's filename hint, or the prompt: becomes the slug. */
  readonly nameHint: string;
  readonly createdAt: Date;
  readonly sidecar: SidecarFields;
  /** Never written: removed from the sidecar whatever it quotes. */
  readonly secrets?: readonly (string | undefined)[];
}

const MAX_NAME_ATTEMPTS = 5;

export async function saveImage(request: SaveRequest): Promise<SavedImage> {
  const { outputDir, bytes, info, createdAt } = request;
  await mkdir(outputDir, { recursive: true });
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  for (let attempt = 1; ; attempt++) {
    const stem = imageStem(createdAt, request.nameHint);
    const fileName = `${stem}.${info.extension}`;
    let imagePath: string;
    try {
      imagePath = await writeFileExclusive(outputDir, fileName, bytes);
    } catch (error) {
      if (error instanceof NameTakenError && attempt < MAX_NAME_ATTEMPTS) continue;
      throw error;
    }
    const sidecar: ImageSidecar = {
      schema: SIDECAR_SCHEMA,
      file: fileName,
      createdAt: createdAt.toISOString(),
      ...request.sidecar,
      image: { width: info.width, height: info.height, mimeType: info.mimeType, bytes: bytes.length, sha256 },
    };
    const sidecarText = redact(`${JSON.stringify(sidecar, null, 2)}\n`, request.secrets ?? []);
    const sidecarPath = await writeFileExclusive(outputDir, `${stem}.json`, sidecarText);
    return {
      path: imagePath,
      uri: pathToFileURL(imagePath).href,
      fileName,
      sidecarPath,
      width: info.width,
      height: info.height,
      mimeType: info.mimeType,
      bytes: bytes.length,
      sha256,
    };
  }
}
