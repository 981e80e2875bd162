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

type ObjectSchema = { type: 'object'; [key: string]: unknown };

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
 * An output schema as lean as it can be and still say what a result is: the top level's fields,
 * their types and which are required; below that only each value's type (an array of objects, an
 * object). Descriptions and `additionalProperties: false` go too. Clients check results with it and
 * do not show it to their model, while tools/list is paid for in every conversation; a looser
 * schema than the server's own check (which every result passes first) still validates every result.
 */
function lean(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  const { properties, required, type } = schema as { properties?: object; required?: unknown; type?: unknown };
  return {
    type,
    ...(properties
      ? { properties: Object.fromEntries(Object.entries(properties).map(([name, field]) => [name, typeOnly(field)])) }
      : {}),
    ...(Array.isArray(required) && required.length > 0 ? { required } : {}),
  };
}

/** A field's type, with its values (enum) and, for an array, its items' type. */
function typeOnly(field: unknown): unknown {
  if (typeof field !== 'object' || field === null) return field;
  const { type, enum: values, items } = field as { type?: unknown; enum?: unknown; items?: unknown };
  return {
    ...(type !== undefined ? { type } : {}),
    ...(values !== undefined ? { enum: values } : {}),
    ...(items !== undefined ? { items: typeOnly(items) } : {}),
  };
}

/**
 * Arguments as strict-mode models send them: every optional field present, unused ones `null`.
 * A top-level `null` means "not given".
 */
export function withoutNulls(args: unknown): unknown {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null));
}
