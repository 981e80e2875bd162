/**
 * The MCP Registry's rules for server.json (schema 2025-12-11, and the official registry's own
 * requirements), written from its documentation: docs/reference/server-json/generic-server-json.md,
 * official-registry-requirements.md and the package-types page of modelcontextprotocol/registry.
 * CI cannot fetch static.modelcontextprotocol.io, so the rules are here, as zod, for the fields a
 * server.json may hold; `mcp-publisher validate` is the last word before publishing.
 */
import * as z from 'zod';

const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** "Version ranges are rejected (e.g. '^1.2.3', '~1.2.3', '>=1.2.3', '1.x', '1.*')", and "latest". */
const exactVersion = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => v !== 'latest' && !/[\^~<>=*| ]|(^|\.)[xX](\.|$)/.test(v), 'must be one exact version, not a range');

const input = {
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  format: z.enum(['string', 'number', 'boolean', 'filepath']).optional(),
  value: z.string().optional(),
  isSecret: z.boolean().optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
};

const keyValueInput = z.strictObject({ name: z.string().min(1), ...input });

const argument = z.union([
  z.strictObject({
    type: z.literal('positional'),
    valueHint: z.string().optional(),
    isRepeated: z.boolean().optional(),
    ...input,
  }),
  z.strictObject({ type: z.literal('named'), name: z.string().min(1), isRepeated: z.boolean().optional(), ...input }),
]);

const transport = z.union([
  z.strictObject({ type: z.literal('stdio') }),
  z.strictObject({
    type: z.enum(['streamable-http', 'sse']),
    url: z.string().min(1),
    headers: z.array(keyValueInput).optional(),
  }),
]);

const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lowercase hex digits');

const packageEntry = z
  .strictObject({
    registryType: z.string().min(1),
    registryBaseUrl: z.url().optional(),
    identifier: z.string().min(1),
    version: exactVersion.optional(),
    fileSha256: sha256.optional(),
    runtimeHint: z.string().optional(),
    transport,
    runtimeArguments: z.array(argument).optional(),
    packageArguments: z.array(argument).optional(),
    environmentVariables: z.array(keyValueInput).optional(),
  })
  // The official registry: npm packages from registry.npmjs.org only, with a version; MCPB files
  // from GitHub or GitLab releases only, with their sha256.
  .superRefine((p, ctx) => {
    if (p.registryType === 'npm') {
      if (p.registryBaseUrl !== undefined && p.registryBaseUrl !== 'https://registry.npmjs.org')
        ctx.addIssue({ code: 'custom', message: 'npm packages must come from https://registry.npmjs.org' });
      if (p.version === undefined) ctx.addIssue({ code: 'custom', message: 'an npm package needs its version' });
    }
    if (p.registryType === 'mcpb') {
      if (
        !/^https:\/\/(github\.com|gitlab\.com)\/[^/]+\/[^/]+\/(-\/)?releases\/download\/[^/]+\/[^/]+\.mcpb$/.test(
          p.identifier,
        )
      )
        ctx.addIssue({ code: 'custom', message: 'an MCPB package must be a .mcpb file of a GitHub or GitLab release' });
      if (p.fileSha256 === undefined) ctx.addIssue({ code: 'custom', message: 'an MCPB package needs fileSha256' });
    }
  });

export const serverJsonSchema = z.strictObject({
  $schema: z.literal(SCHEMA_URL),
  name: z
    .string()
    .min(3)
    .max(200)
    .regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, 'reverse-DNS namespace, one slash, then the server name'),
  title: z.string().min(1).max(100).optional(),
  description: z.string().min(1).max(100),
  repository: z
    .strictObject({
      url: z.url(),
      source: z.string().min(1),
      id: z.string().optional(),
      subfolder: z.string().optional(),
    })
    .optional(),
  websiteUrl: z.url().optional(),
  version: exactVersion,
  icons: z
    .array(
      z.strictObject({
        src: z.url().max(255),
        mimeType: z.enum(['image/png', 'image/jpeg', 'image/jpg', 'image/svg+xml', 'image/webp']).optional(),
        sizes: z.array(z.string().regex(/^(\d+x\d+|any)$/)).optional(),
        theme: z.enum(['light', 'dark']).optional(),
      }),
    )
    .optional(),
  packages: z.array(packageEntry).optional(),
  remotes: z.array(z.object({ type: z.enum(['streamable-http', 'sse']), url: z.string() })).optional(),
  // Only the publisher-provided key survives publishing, up to 4 KB.
  _meta: z
    .strictObject({ 'io.modelcontextprotocol.registry/publisher-provided': z.record(z.string(), z.unknown()) })
    .refine((m) => JSON.stringify(m).length <= 4096, 'publisher-provided metadata is limited to 4 KB')
    .optional(),
});
