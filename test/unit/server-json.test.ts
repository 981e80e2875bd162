/**
 * server.json, what `mcp-publisher publish` sends to the MCP Registry: valid by the registry's
 * rules (test/helpers/registry-server-json.ts), and saying the same as package.json, the bundle's
 * manifest and the server (name, version, variables), so a release cannot publish a stale one.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.js';
import { SERVER_NAME, SERVER_VERSION } from '../../src/core/version.js';
import { serverJsonSchema } from '../helpers/registry-server-json.js';

const read = async (file: string) => JSON.parse(await readFile(new URL(`../../${file}`, import.meta.url), 'utf8'));

describe('server.json', () => {
  it('follows the registry schema and the official registry requirements', async () => {
    const parsed = serverJsonSchema.safeParse(await read('server.json'));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('matches package.json (mcpName, version, the npm package) and names the release bundle', async () => {
    const server = serverJsonSchema.parse(await read('server.json'));
    const pkg = await read('package.json');
    expect(server.name).toBe(pkg.mcpName);
    expect([server.version, pkg.version]).toEqual([SERVER_VERSION, SERVER_VERSION]);
    const npm = server.packages!.find((p) => p.registryType === 'npm')!;
    expect([npm.identifier, npm.version]).toEqual([SERVER_NAME, SERVER_VERSION]);
    const mcpb = server.packages!.find((p) => p.registryType === 'mcpb')!;
    expect(mcpb.identifier).toMatch(
      new RegExp(`/releases/download/v${SERVER_VERSION}/${SERVER_NAME}-${SERVER_VERSION}\\.mcpb$`),
    );
    expect(mcpb.identifier.startsWith(server.repository!.url)).toBe(true);
    expect(pkg.repository.url).toContain(server.repository!.url.replace(/^https:\/\//, ''));
    const manifest = await read('mcpb/manifest.json');
    expect(manifest.version).toBe(SERVER_VERSION);
  });

  it('declares only real settings, the key as a required secret', async () => {
    const server = serverJsonSchema.parse(await read('server.json'));
    const variables = server.packages!.flatMap((p) => p.environmentVariables ?? []);
    const known = SETTINGS.map((s) => s.env as string);
    for (const variable of variables) expect(known).toContain(variable.name);
    expect(variables.find((v) => v.name === 'APIYI_API_KEY')).toMatchObject({ isRequired: true, isSecret: true });
  });

  it('refuses what the registry refuses', () => {
    const good = {
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name: 'io.github.someone/thing',
      description: 'A thing',
      version: '1.0.0',
    };
    expect(serverJsonSchema.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, name: 'no-slash' },
      { ...good, description: 'x'.repeat(101) },
      { ...good, version: '^1.0.0' },
      { ...good, version: 'latest' },
      { ...good, packages: [{ registryType: 'npm', identifier: 'thing', transport: { type: 'stdio' } }] },
      {
        ...good,
        packages: [
          { registryType: 'mcpb', identifier: 'https://example.com/thing.mcpb', transport: { type: 'stdio' } },
        ],
      },
      { ...good, registry_type: 'npm' },
    ]) {
      expect(serverJsonSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
