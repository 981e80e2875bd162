/** Fields both image tools take besides the output parameters: the prompt and the file name. */
import * as z from 'zod';
import { COUNT, PROMPT_MAX_CHARS, PROMPT_MAX_TOKENS } from '../catalog/parameters.js';
import { PREVIEW_MODES } from '../config.js';

export const promptField = z
  .string()
  .trim()
  .min(1)
  .max(PROMPT_MAX_CHARS)
  .describe(
    `What to draw (up to ~${PROMPT_MAX_TOKENS / 1000}K tokens): ` +
      `subject, setting, style, lighting; hex colours (#FF5500) are exact. Needed unless like is given.`,
  );

/** The file name hint, without words: edit_images says once that its other arguments are generate_image's. */
export const bareFilenameField = z.string().max(1000).optional();
export const filenameField = bareFilenameField.describe(
  'Short name for the file, e.g. "logo-draft" (date, time and an id are added).',
);

export const barePreviewField = z.enum(PREVIEW_MODES).optional();
export const previewField = barePreviewField.describe(
  'Inline preview; default "auto": where this client shows images to its model.',
);

/** `count` without words, for edit_images (its description points to generate_image). */
export const bareCountField = z.number().int().min(COUNT.min).max(COUNT.max).optional();
export const countField = bareCountField.describe(
  `Images at once, ${COUNT.min}–${COUNT.max} (default ${COUNT.default}), each its own seed and price.`,
);
