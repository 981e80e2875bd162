/**
 * Does a tool's input schema, exactly as a library sent it to a provider, pass that provider's
 * documented rules? Each rule set returns violations `{ keyword, path, rule }`; none means the
 * provider accepts the schema.
 *
 * Sources (looked up 2026-12-01):
 * - OpenAI strict function calling (`strict: true`), "Supported schemas":
 *   https://platform.openai.com/docs/guides/structured-outputs#supported-schemas — root an object
 *   (not anyOf); every object `additionalProperties: false` and every property in `required`
 *   (optional fields are written as a union with null); the supported keywords are listed there
 *   (strings: pattern, format; numbers: multipleOf, (exclusive)minimum/maximum; arrays:
 *   minItems, maxItems; plus type, enum, const, anyOf, $ref/$defs, description). Anything else is
 *   outside the documented subset; `default` in particular is rejected ("'default' is not
 *   permitted", openai/openai-agents-python#4390).
 * - OpenAI without strict: `parameters` is any JSON Schema object (root `type: "object"`);
 *   keywords guide the model but are not enforced.
 * - Anthropic `input_schema`: a JSON Schema object (https://platform.claude.com/docs/en/agents-and-tools/tool-use/define-tools).
 *   With `strict: true`, the structured-outputs subset:
 *   https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations
 *   — no numerical constraints (minimum, maximum, multipleOf), no string length constraints
 *   (minLength, maxLength), minItems only 0 or 1, no maxItems, additionalProperties only false.
 * - Gemini `functionDeclarations[].parameters`: the Schema object, "a select subset of an OpenAPI
 *   3.0 schema object" (https://ai.google.dev/api/caching#Schema, the same fields as the `Schema`
 *   type of @google/genai). A field outside it is a 400 "Invalid JSON payload received. Unknown
 *   name …"; `type` is one value (no type arrays), `enum` holds strings.
 * - Gemini `parametersJsonSchema`: JSON Schema (https://ai.google.dev/gemini-api/docs/function-calling),
 *   root an object; keywords outside the supported list are ignored, not rejected.
 */

const OPENAI_STRICT_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  '$ref',
  '$defs',
  'definitions',
  'description',
  'title',
  'pattern',
  'format',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'minItems',
  'maxItems',
]);

const ANTHROPIC_STRICT_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'default',
  'anyOf',
  'allOf',
  '$ref',
  '$defs',
  'definitions',
  'description',
  'title',
  'format',
  'pattern',
  'minItems',
]);

const GEMINI_SCHEMA_FIELDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

/** Every schema node with its JSON path: the root, properties, items, anyOf/allOf/oneOf members, $defs. */
function* nodes(schema, path = '$') {
  if (typeof schema !== 'object' || schema === null) return;
  yield [schema, path];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* nodes(child, `${path}.properties.${key}`);
  if (schema.items) yield* nodes(schema.items, `${path}.items`);
  for (const key of ['anyOf', 'allOf', 'oneOf'])
    for (const [index, child] of (schema[key] ?? []).entries()) yield* nodes(child, `${path}.${key}[${index}]`);
  for (const key of ['$defs', 'definitions'])
    for (const [name, child] of Object.entries(schema[key] ?? {})) yield* nodes(child, `${path}.${key}.${name}`);
}

const isObjectNode = (node) => node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));

function rootIsObject(schema) {
  return schema?.type === 'object' ? [] : [{ keyword: 'type', path: '$', rule: 'root must be type "object"' }];
}

function unknownKeywords(schema, allowed, rule) {
  const violations = [];
  for (const [node, path] of nodes(schema)) {
    for (const keyword of Object.keys(node)) {
      if (!allowed.has(keyword)) violations.push({ keyword, path, rule });
    }
  }
  return violations;
}

export function openaiStrict(schema) {
  const violations = rootIsObject(schema);
  if (schema?.anyOf) violations.push({ keyword: 'anyOf', path: '$', rule: 'root must not be anyOf' });
  for (const [node, path] of nodes(schema)) {
    if (!isObjectNode(node)) continue;
    if (node.additionalProperties !== false)
      violations.push({
        keyword: 'additionalProperties',
        path,
        rule: 'every object needs additionalProperties: false',
      });
    const required = new Set(node.required ?? []);
    for (const key of Object.keys(node.properties ?? {}))
      if (!required.has(key))
        violations.push({
          keyword: 'required',
          path: `${path}.properties.${key}`,
          rule: 'every property must be required',
        });
  }
  violations.push(...unknownKeywords(schema, OPENAI_STRICT_KEYWORDS, 'not a supported keyword in strict mode'));
  return violations;
}

export function anthropicStrict(schema) {
  const violations = rootIsObject(schema);
  for (const [node, path] of nodes(schema)) {
    if (isObjectNode(node) && node.additionalProperties !== false)
      violations.push({ keyword: 'additionalProperties', path, rule: 'objects need additionalProperties: false' });
    if (typeof node.minItems === 'number' && node.minItems > 1)
      violations.push({ keyword: 'minItems', path, rule: 'minItems only 0 or 1' });
  }
  violations.push(...unknownKeywords(schema, ANTHROPIC_STRICT_KEYWORDS, 'not supported with strict tool use'));
  return violations;
}

export function geminiOpenApiSchema(schema) {
  const violations = rootIsObject(
    typeof schema?.type === 'string' ? { ...schema, type: schema.type.toLowerCase() } : schema,
  );
  for (const [node, path] of nodes(schema)) {
    if (Array.isArray(node.type))
      violations.push({ keyword: 'type', path, rule: 'type must be one value (use nullable)' });
    if (Array.isArray(node.enum) && node.enum.some((value) => typeof value !== 'string'))
      violations.push({ keyword: 'enum', path, rule: 'enum values must be strings' });
  }
  violations.push(
    ...unknownKeywords(schema, GEMINI_SCHEMA_FIELDS, 'not a field of the Schema object (400 Unknown name)'),
  );
  return violations;
}

/**
 * The rules that apply to one tool as sent: by provider dialect, the strict flag, and (Gemini)
 * which field carries the schema.
 */
export function checkTool(dialect, tool) {
  if (dialect === 'openai-chat' || dialect === 'openai-responses') {
    return {
      rules: tool.strict ? 'openai-strict' : 'openai',
      violations: tool.strict ? openaiStrict(tool.schema) : rootIsObject(tool.schema),
    };
  }
  if (dialect === 'anthropic') {
    return {
      rules: tool.strict ? 'anthropic-strict' : 'anthropic',
      violations: tool.strict ? anthropicStrict(tool.schema) : rootIsObject(tool.schema),
    };
  }
  if (tool.schemaField === 'parametersJsonSchema')
    return { rules: 'gemini-json-schema', violations: rootIsObject(tool.schema) };
  return { rules: 'gemini-openapi', violations: geminiOpenApiSchema(tool.schema) };
}
