/** Fields both image tools take besides the output parameters: the prompt and the file name. */
import * as z from 'zod';
import { PROMPT_MAX_CHARS, PROMPT_MAX_TOKENS } from '../catalog/parameters.js';
import { PREVIEW_MODES } from '../config.js';

export const promptField = z
  .string()
  .trim()
  .min(1)
  .max(PROMPT_MAX_CHARS)
  .describe(
    `What to draw, in natural language (up to ~${PROMPT_MAX_TOKENS / 1000}K tokens). Be concrete: subject, setting, style, lighting, camera. Hex colours such as #FF5500 are rendered exactly; structured JSON is accepted too.`,
  );

export const filenameField = z
  .string()
  .max(1000)
  .optional()
  .describe(
    'Optional short name for the saved file, e.g. "logo-draft". The server adds date, time and a random id, and never overwrites a file.',
  );

export const previewField = z
  .enum(PREVIEW_MODES)
  .optional()
  .describe(
    'Inline preview image in the result: "auto" (default: only where this client shows images to the model), "on", or "off" (saves tokens).',
  );
