/**
 * `list_images`: find images saved earlier (this session or before) by what their prompt says,
 * the model, or when they were made; for clients whose models cannot browse resources. Returns
 * paths and facts, never image bytes.
 */
import * as z from 'zod';
import { findModel, MODELS } from '../catalog/models.js';
import { invalidArgument } from '../core/failure.js';
import { closest, show } from '../core/text.js';
import { readRegularFile } from '../library/regular-file.js';
import { savedImageSchema } from '../library/saved-image.js';
import { parseSidecar, sidecarSchema } from '../library/sidecar.js';
import type { ToolContext } from '../pipeline/context.js';
import { defineTool } from './definition.js';

const MODEL_IDS = MODELS.map((m) => m.id);

export const listImagesInput = z.strictObject({
  query: z.string().trim().max(500).optional().describe('Words the prompt must all contain, e.g. "red fox"'),
  model: z.string().trim().max(100).optional().describe('Only images from this model id'),
  since: z.string().optional().describe('Made at or after: "2026-11-22" (local day) or an ISO time'),
  until: z.string().optional().describe('Made at or before: "2026-11-22" (to the end of that day) or an ISO time'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe('Most images to return, 1–100, newest first (default 20)'),
});

/** A found image: where it is and what it is, with the model, prompt and time its sidecar records. */
const listedImage = savedImageSchema
  .omit({ sha256: true })
  .extend(sidecarSchema.pick({ model: true, prompt: true, createdAt: true, job: true }).shape);

const listImagesResult = z.object({
  images: z.array(listedImage).describe('Newest first'),
  matched: z.number().int().describe('How many images match, before the limit'),
  directory: z.string(),
});
export type ListImagesResult = z.output<typeof listImagesResult>;

/** "2026-11-22", or that day with a time: "T14:05", seconds, a fraction, and "Z" or an offset ("+01:00"). */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?)?$/;

const TIME_RULE =
  'use "2026-11-22" (YYYY-MM-DD, a real calendar date; a local day) or an ISO date-time such as "2026-11-22T14:05:00Z"';

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number): number =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;

/**
 * A time from "2026-11-22" (the local day's start, or its end with `until`) or an ISO date-time
 * (local time without an offset). Each part is checked (month 1–12, a day the month has, hours
 * 0–23…): Date.parse would roll "2026-02-30" over to March and read "1" as the year 2001.
 */
export function parseTime(field: 'since' | 'until', text: string): Date {
  const refuse = (why: string): never => {
    throw invalidArgument(`${field} ${show(text)} is ${why}: ${TIME_RULE}`);
  };
  const match = DATE_TIME.exec(text.trim());
  if (!match) return refuse('not a date or time');
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const [fraction = '', zulu, sign, offsetHours = '00', offsetMinutes = '00'] = match.slice(7);
  const realMonth = month >= 1 && month <= 12;
  const wrong = [
    realMonth ? undefined : `month ${month} does not exist`,
    realMonth && (day < 1 || day > daysIn(year, month))
      ? `day ${day} is not in ${year}-${String(month).padStart(2, '0')}`
      : undefined,
    hour > 23 ? `hour ${hour} is past 23` : undefined,
    minute > 59 ? `minute ${minute} is past 59` : undefined,
    second > 59 ? `second ${second} is past 59` : undefined,
    sign && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59)
      ? `offset ${sign}${offsetHours}:${offsetMinutes} does not exist`
      : undefined,
  ].filter((problem) => problem !== undefined);
  if (wrong.length > 0) return refuse(`not a real date or time (${wrong.join(', ')})`);
  const ms = Math.floor(Number(`0.${fraction || '0'}`) * 1000);
  const date = new Date(0);
  if (zulu || sign) {
    const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute - offset, second, ms);
    return date;
  }
  date.setFullYear(year, month - 1, day);
  date.setHours(hour, minute, second, ms);
  // A day alone runs to the last millisecond before the next local midnight (23 or 25 hours on a DST change).
  if (field === 'until' && match[4] === undefined) {
    date.setDate(date.getDate() + 1);
    date.setTime(date.getTime() - 1);
  }
  return date;
}

const clip = (text: string, length: number): string => {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
};

/** The job recorded in a sidecar, if any (sidecars from before jobs have none). */
async function jobOf(sidecarPath: string): Promise<string | undefined> {
  try {
    const reading = parseSidecar(await readRegularFile(sidecarPath, 1_000_000));
    return reading.ok ? reading.sidecar.job : undefined;
  } catch {
    return undefined;
  }
}

export function listImagesTool(ctx: ToolContext) {
  return defineTool({
    name: 'list_images',
    title: 'List saved images',
    description:
      'Find images saved earlier, newest first, by words of their prompt, model or time: ' +
      "each image's absolute path (for edit_images), size, model, prompt and time.",
    inputSchema: listImagesInput,
    outputSchema: listImagesResult,
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    handler: async (args) => {
      if (args.model !== undefined && !findModel(args.model)) {
        const guess = closest(args.model, MODEL_IDS);
        throw invalidArgument(
          `model ${show(args.model)} is not a model of this server${guess ? `: did you mean "${guess}"?` : ''} ` +
            `(models: ${MODEL_IDS.join(', ')})`,
        );
      }
      const since = args.since !== undefined ? parseTime('since', args.since) : undefined;
      const until = args.until !== undefined ? parseTime('until', args.until) : undefined;
      const { images: shown, matched } = await ctx.library.query(
        {
          ...(args.query ? { query: args.query } : {}),
          ...(args.model ? { model: args.model } : {}),
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
        },
        args.limit,
      );
      // The job that made each image (for wait_for_image and support) is in its sidecar: read for the page only.
      const jobs = await Promise.all(shown.map((image) => jobOf(image.sidecarPath)));
      const lines = shown.map(
        (image, i) =>
          `${image.path} — ${image.width}×${image.height}, ${image.model}, ${image.createdAt}` +
          `${jobs[i] ? `, ${jobs[i]}` : ''}: "${clip(image.prompt, 100)}"`,
      );
      const summary =
        matched === 0
          ? `No saved image matches in ${ctx.config.outputDir}.`
          : `${matched} image(s) match` +
            `${matched > shown.length ? `; the newest ${shown.length} are listed (raise limit for more)` : ''}:`;
      return {
        content: [{ type: 'text', text: [summary, ...lines].join('\n') }],
        structuredContent: {
          // Parsing keeps the listed fields of each library record and drops the rest.
          images: shown.map((image, i) => listedImage.parse({ ...image, ...(jobs[i] ? { job: jobs[i] } : {}) })),
          matched,
          directory: ctx.config.outputDir,
        },
      };
    },
  });
}
