/**
 * The documentation's reference sections (README.md and docs/*.md), rendered from the code that
 * defines them (catalog, config, tool schemas, error categories), so the documentation cannot
 * drift from the server. `npm run docs` rewrites them; a test fails when a file is out of date.
 */
import * as z from 'zod';
import { modelTableMarkdown, priceTableMarkdown } from '../catalog/describe.js';
import { SETTINGS } from '../config.js';
import { ERROR_CATEGORIES } from '../core/failure.js';
import { editImagesInput } from '../tools/edit-images.js';
import { generateImageInput } from '../tools/generate-image.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

interface JsonProperty {
  type?: string;
  items?: { type?: string };
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

function argumentTable(schema: z.ZodObject): string {
  const json = z.toJSONSchema(schema, { io: 'input' }) as {
    properties: Record<string, JsonProperty>;
    required?: string[];
  };
  const rows = Object.entries(json.properties).map(([name, p]) => {
    const type = p.enum
      ? p.enum.map((v) => `\`${String(v)}\``).join(', ')
      : p.type === 'array'
        ? `list of ${p.items?.type ?? 'any'}s`
        : (p.type ?? 'any');
    const required = json.required?.includes(name) ? 'yes' : '';
    return `| \`${name}\` | ${cell(type)} | ${required} | ${cell(p.description ?? '')} |`;
  });
  return ['| argument | type | required | description |', '|---|---|---|---|', ...rows].join('\n');
}

function readmeSections(): Record<string, string> {
  return {
    models: modelTableMarkdown(),
    prices: priceTableMarkdown(),
    configuration: [
      '| variable | default | meaning |',
      '|---|---|---|',
      ...SETTINGS.map((v) => `| \`${v.env}\` | ${cell(v.shownDefault)} | ${cell(v.description)} |`),
    ].join('\n'),
    'generate_image-arguments': argumentTable(generateImageInput),
    'edit_images-arguments': argumentTable(editImagesInput),
    errors: [
      '| category | meaning | CLI exit code |',
      '|---|---|---|',
      ...Object.entries(ERROR_CATEGORIES).map(
        ([name, { meaning, exitCode }]) => `| \`${name}\` | ${cell(meaning)} | ${exitCode} |`,
      ),
    ].join('\n'),
  };
}

/** The files with generated sections, relative to the repository; each section is in one of them. */
export const DOC_FILES = ['README.md', 'docs/configuration.md', 'docs/tools.md'] as const;

const marker = (name: string): RegExp =>
  new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);

/** The names of the generated sections. */
export function sectionNames(): string[] {
  return Object.keys(readmeSections());
}

/** The sections a document holds, by name. */
export function sectionsIn(text: string): string[] {
  return sectionNames().filter((name) => marker(name).test(text));
}

/** A document with every generated section it holds replaced by its current rendering. */
export function renderDoc(text: string): string {
  let out = text;
  for (const [name, body] of Object.entries(readmeSections())) {
    out = out.replace(marker(name), (_match, open: string, close: string) => `${open}\n${body}\n${close}`);
  }
  return out;
}
