#!/usr/bin/env node
/**
 * `npm run registry:server-json`: writes server.json, the MCP Registry's description of this
 * server, from package.json (name, version, mcpName, repository) and the bundle that
 * `npm run pack:mcpb` just made (its sha256, which changes with every pack: run this after the
 * pack whose file you upload). test/unit/server-json.test.ts checks the result against the
 * registry's rules; `mcp-publisher publish` sends it (docs/development.md, "Releasing").
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const bundleName = `${pkg.name}-${pkg.version}.mcpb`;
const shaFile = path.join(root, 'release', `${bundleName}.sha256`);
const sha256 = (
  await readFile(shaFile, 'utf8').catch(() => {
    throw new Error(`server-json: ${path.relative(root, shaFile)} is missing: run npm run pack:mcpb first`);
  })
).split(/\s+/)[0];
const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

const serverJson = {
  $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
  name: pkg.mcpName,
  title: 'FLUX and gpt-image-2 images (APIYI)',
  description: 'FLUX and gpt-image-2 images through the APIYI gateway: checked calls, saved to disk.',
  repository: { url: repository, source: 'github' },
  websiteUrl: pkg.homepage,
  version: pkg.version,
  packages: [
    {
      registryType: 'npm',
      registryBaseUrl: 'https://registry.npmjs.org',
      identifier: pkg.name,
      version: pkg.version,
      transport: { type: 'stdio' },
      environmentVariables: [
        {
          name: 'APIYI_API_KEY',
          description: 'Your APIYI key (sk-…), from the console at api.apiyi.com. Images are billed to it.',
          isRequired: true,
          isSecret: true,
          format: 'string',
        },
        {
          name: 'FLUX_MCP_OUTPUT_DIR',
          description: 'Absolute path of the folder where images and their JSON sidecars are saved.',
          isRequired: false,
          format: 'filepath',
          default: '~/Pictures/flux-mcp',
        },
        {
          name: 'FLUX_MCP_PREVIEW',
          description: 'auto, on or off: a small preview in results for the model to see.',
          isRequired: false,
          format: 'string',
          default: 'auto',
          choices: ['auto', 'on', 'off'],
        },
      ],
    },
    {
      registryType: 'mcpb',
      identifier: `${repository}/releases/download/v${pkg.version}/${bundleName}`,
      version: pkg.version,
      fileSha256: sha256,
      transport: { type: 'stdio' },
    },
  ],
};

await writeFile(path.join(root, 'server.json'), `${JSON.stringify(serverJson, null, 2)}\n`);
process.stdout.write(
  `server.json: ${pkg.mcpName} ${pkg.version}, npm ${pkg.name} and ${bundleName} (sha256 ${sha256})\n`,
);
