/**
 * Saving a paid image: the image file, then its JSON sidecar beside it, both written atomically,
 * neither ever overwriting anything. The sidecar is what later sessions read to find images.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { redact } from '../core/redact.js';
import type { ImageInfo } from '../imaging/inspect.js';
import { NameTakenError, writeFileExclusive } from './atomic-write.js';
import { imageStem } from './naming.js';
import { type ImageSidecar, type SavedImage, SIDECAR_SCHEMA, savedImageOf, sidecarText } from './sidecar.js';

/** What the caller knows about how the image was made; saving adds where, when and what bytes. */
type SidecarFields = Omit<ImageSidecar, 'schema' | 'file' | 'createdAt' | 'image'>;

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
    try {
      await writeFileExclusive(outputDir, fileName, bytes);
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
    const text = redact(sidecarText(sidecar), request.secrets ?? []);
    const sidecarPath = await writeFileExclusive(outputDir, `${stem}.json`, text);
    return savedImageOf(outputDir, sidecarPath, sidecar);
  }
}
