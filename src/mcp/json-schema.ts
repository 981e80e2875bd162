/**
 * The JSON Schemas clients see in tools/list. Agent stacks hand input schemas to model providers
 * that accept only a subset of JSON Schema in strict mode, and refuse a tool outright over one
 * keyword: OpenAI strict function calling rejects `default`, `minLength` and `maxLength`;
 * Anthropic strict tool use rejects numeric ranges, string lengths and `maxItems`; Gemini's
 * function declarations take an OpenAPI subset (.ci/clients/lib/schema-rules.mjs cites each).
 * So an advertised input schema keeps only the keywords all of them accept; the ranges, lengths
 * and defaults live in the descriptions, and the server still enforces every rule itself.
 */
import * as z from 'zod';

/** Keywords every major provider accepts in strict mode, in input schemas. */
const PORTABLE_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'description',
]);

/** Keys whose value is a map of names to schemas, or a schema. */
const SCHEMA_MAPS = new Set(['properties']);
const SCHEMA_VALUES = new Set(['items', 'additionalProperties']);

function portable(node: unknown): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!PORTABLE_KEYWORDS.has(key)) continue;
    if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, portable(schema)]));
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = portable(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * zod writes the safe-integer range (±2^53) into every integer; that tells a model nothing and
 * costs tokens in every session, so output schemas leave it out.
 */
function withoutSafeIntegerBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSafeIntegerBounds);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (
      (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) ||
      (key === 'maximum' && value === Number.MAX_SAFE_INTEGER)
    )
      continue;
    out[key] = withoutSafeIntegerBounds(value);
  }
  return out;
}

export type ObjectSchema = { type: 'object'; [key: string]: unknown };

/** The input schema of a tool as clients see it: portable keywords only. */
export function advertisedInputSchema(schema: z.ZodObject): ObjectSchema {
  return portable(z.toJSONSchema(schema, { io: 'input' })) as ObjectSchema;
}

/**
 * The output schema of a tool as clients see it: they validate structuredContent with it, and do
 * not show it to their model, so it carries no descriptions.
 */
export function advertisedOutputSchema(schema: z.ZodObject): ObjectSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
  return lean(withoutSafeIntegerBounds(rest)) as ObjectSchema;
}

/**
 * An output schema without what only costs bytes: descriptions, `additionalProperties: false`, and
 * the `required` lists of nested objects (a looser schema than the server's own check, which every
 * result it sends passes first, still validates every result).
 */
function lean(node: unknown, root = true): unknown {
  if (Array.isArray(node)) return node.map((item) => lean(item, false));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // As keys of `properties`, these names would be fields of ours: only the keywords are strings/arrays/false.
    if (key === 'description' && typeof value === 'string') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'required' && Array.isArray(value) && !root) continue;
    out[key] = key === 'properties' ? leanProperties(value) : lean(value, false);
  }
  return out;
}

function leanProperties(properties: unknown): unknown {
  if (typeof properties !== 'object' || properties === null) return properties;
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, lean(schema, false)]));
}

/**
 * Arguments as strict-mode models send them: every optional field present, unused ones `null`.
 * A top-level `null` means "not given".
 */
export function withoutNulls(args: unknown): unknown {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null));
}
