/**
 * The Claude Desktop bundle's manifest (mcpb/manifest.json; `npm run pack:mcpb` packs it, and
 * .ci/mcpb-smoke.mjs runs the packed bundle) says what the server does: it is valid for mcpb, its
 * version is the package's, its tools are the server's tools/list, and every value Claude Desktop
 * can hand the server through it, defaults included, is one the server's configuration accepts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getMcpConfigForManifest, MANIFEST_SCHEMAS } from '@anthropic-ai/mcpb/node';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../src/config.js';
import { askSession } from '../src/transports/compute-start-answers.js';

interface UserConfigOption {
  type: string;
  default?: string;
  required?: boolean;
  sensitive?: boolean;
}
const manifest = JSON.parse(readFileSync('mcpb/manifest.json', 'utf8')) as {
  manifest_version: keyof typeof MANIFEST_SCHEMAS;
  name: string;
  version: string;
  server: { entry_point: string; mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  tools: { name: string; description: string }[];
  user_config: Record<string, UserConfigOption>;
};
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; files: string[] };
const HOME = path.resolve('/home/tester');

/** `${name}` as a bundle manifest writes a variable (a literal, not a template). */
const variable = (name: string): string => `\${${name}}`;

/** The env Claude Desktop starts the server with, for these user settings (mcpb's own substitution). */
async function envFor(userConfig: Record<string, string>): Promise<Record<string, string>> {
  const config = await getMcpConfigForManifest({
    manifest: manifest as unknown as Parameters<typeof getMcpConfigForManifest>[0]['manifest'],
    extensionPath: '/extensions/apiyi-flux-mcp',
    systemDirs: { HOME },
    userConfig,
    pathSeparator: '/',
  });
  return config?.env ?? {};
}

/** The first sentence of a tool's description: what the manifest shows for it. */
const firstSentence = (description: string): string => /^.*?\.(?=\s|$)/.exec(description.split('\n')[0]!)![0];

describe('the Claude Desktop bundle manifest', () => {
  it('is a valid mcpb manifest of the current version, named apiyi-flux-mcp, at the package version', () => {
    expect(manifest.manifest_version).toBe('0.3');
    const parsed = MANIFEST_SCHEMAS[manifest.manifest_version].safeParse(manifest);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(manifest.name).toBe('apiyi-flux-mcp');
    expect(manifest.version).toBe(pkg.version);
    expect(pkg.files).toContain(manifest.server.entry_point);
    expect(manifest.server.mcp_config.command).toBe('node');
    expect(manifest.server.mcp_config.args).toEqual([`${variable('__dirname')}/${manifest.server.entry_point}`]);
  });

  it("lists the server's tools, each with the first sentence of its description", async () => {
    const config = loadConfig({ APIYI_API_KEY: '' }, HOME);
    const { toolsList } = await askSession(config, LATEST_PROTOCOL_VERSION);
    const tools = (toolsList['tools'] as { name: string; description: string }[]).map((t) => ({
      name: t.name,
      description: firstSentence(t.description),
    }));
    // On failure, this is the list to put in mcpb/manifest.json.
    expect(manifest.tools).toEqual(tools);
  });

  it('passes every user setting to a setting of the server, and asks for the key as a secret', () => {
    const known = SETTINGS.map((s) => s.env as string);
    const used = Object.entries(manifest.server.mcp_config.env).map(([env, value]) => {
      expect(known).toContain(env);
      return /^\$\{user_config\.(\w+)\}$/.exec(value)?.[1];
    });
    expect(used.sort()).toEqual(Object.keys(manifest.user_config).sort());
    expect(manifest.user_config['api_key']).toMatchObject({ type: 'string', sensitive: true, required: true });
    expect(manifest.user_config['output_dir']?.type).toBe('directory');
    expect(manifest.server.mcp_config.env['APIYI_API_KEY']).toBe(variable('user_config.api_key'));
  });

  it('gives the server its own defaults when only the key is set (Claude Desktop leaves the HOME variable in a default as is)', async () => {
    const env = await envFor({ api_key: 'sk-test' });
    expect(env['FLUX_MCP_OUTPUT_DIR']).toBe(`${variable('HOME')}/Pictures/flux-mcp`);
    expect(loadConfig(env, HOME)).toEqual(loadConfig({ APIYI_API_KEY: 'sk-test' }, HOME));
  });

  it('accepts what a user can enter: a picked folder, a preview mode, a relay URL, or a cleared field', async () => {
    const config = loadConfig(
      await envFor({
        api_key: 'sk-test',
        output_dir: path.join(HOME, 'Art'),
        preview: 'off',
        base_url: 'https://relay.example/v1/',
      }),
      HOME,
    );
    expect(config).toMatchObject({
      outputDir: path.join(HOME, 'Art'),
      preview: 'off',
      baseUrl: 'https://relay.example/v1',
    });
    const cleared = loadConfig(await envFor({ api_key: 'sk-test', output_dir: '', preview: '', base_url: '' }), HOME);
    expect(cleared).toEqual(loadConfig({ APIYI_API_KEY: 'sk-test' }, HOME));
  });
});
