/**
 * The README, docs/ and the example config say what the code does: generated reference sections
 * are current, every client snippet has that client's documented shape and starts this package,
 * and the package metadata matches the server's.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config.js';
import { SERVER_NAME, SERVER_VERSION } from '../../src/core/version.js';
import { DOC_FILES, renderDoc, sectionNames, sectionsIn } from '../../src/docs/readme.js';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

let readme: string;
let clients: string;
let jsonBlocks: Record<string, any>[];
beforeAll(async () => {
  readme = await read('README.md');
  clients = await read('docs/clients.md');
  jsonBlocks = [...clients.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
});

interface StdioEntry {
  type?: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** `npx -y <this package>`, or `node /absolute/path/dist/index.js` from a clone; known variables only. */
function expectStdioEntry(entry: StdioEntry): void {
  if (entry.command === 'npx') {
    expect(entry.args).toEqual(['-y', SERVER_NAME]);
  } else {
    expect(entry.command).toBe('node');
    expect(entry.args).toHaveLength(1);
    expect(path.posix.isAbsolute(entry.args[0]!)).toBe(true);
    expect(entry.args[0]!.endsWith('/dist/index.js')).toBe(true);
  }
  expect(Object.keys(entry.env)).toContain('APIYI_API_KEY');
  const known = SETTINGS.map((v) => v.env as string);
  for (const name of Object.keys(entry.env)) expect(known).toContain(name);
}

describe('the documentation', () => {
  it('has up-to-date generated sections (run `npm run docs` after changing the catalog, config or schemas)', async () => {
    const found: string[] = [];
    for (const file of DOC_FILES) {
      const text = await read(file);
      expect(renderDoc(text), file).toBe(text);
      found.push(...sectionsIn(text));
    }
    // Each section is in exactly one file.
    expect(found.sort()).toEqual(sectionNames().sort());
  });

  it('gives the two fresh-clone commands in the README', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/```sh\nnpm test\n```/);
  });

  it('leads with npx in the README: one line per client, each starting this package', () => {
    const install = readme.slice(readme.indexOf('## Install'), readme.indexOf('## A key'));
    for (const client of ['Claude Code', 'Claude Desktop', 'Codex', 'Gemini CLI', 'Cursor', 'VS Code']) {
      expect(install).toContain(`| ${client}`);
    }
    const npxLines = install.split('\n').filter((line) => line.includes('npx'));
    expect(npxLines.length).toBeGreaterThanOrEqual(6);
    for (const line of npxLines) expect(line).toMatch(new RegExp(`npx -y ${SERVER_NAME}\\b|"-y", "${SERVER_NAME}"`));
  });

  it('has mcpServers snippets (Claude Desktop, .mcp.json, Cursor, from a clone) in docs/clients.md', () => {
    const mcpServers = jsonBlocks.filter((b) => 'mcpServers' in b);
    expect(mcpServers).toHaveLength(4);
    for (const block of mcpServers) {
      expect(Object.keys(block)).toEqual(['mcpServers']);
      expectStdioEntry(block.mcpServers.flux as StdioEntry);
    }
    expect(mcpServers.map((b) => b.mcpServers.flux.command)).toEqual(['npx', 'npx', 'npx', 'node']);
  });

  it('has a VS Code snippet with top-level servers, "type": "stdio", and the key from an input', () => {
    const vscode = jsonBlocks.filter((b) => 'servers' in b);
    expect(vscode).toHaveLength(1);
    const entry = vscode[0]!.servers.flux as StdioEntry;
    expect(entry.type).toBe('stdio');
    expectStdioEntry(entry);
    const input = vscode[0]!.inputs[0] as { type: string; id: string; password: boolean };
    expect(input).toMatchObject({ type: 'promptString', password: true });
    expect(entry.env.APIYI_API_KEY).toBe(`\${input:${input.id}}`);
  });

  it('has claude mcp add commands with env before the -- separator (npx and from a clone)', () => {
    const lines = clients.split('\n').filter((l) => l.startsWith('claude mcp add '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^claude mcp add flux( -e [A-Z_]+=\\S+)+ -- npx -y ${SERVER_NAME}$`));
    expect(lines[1]).toMatch(/^claude mcp add flux( -e [A-Z_]+=\S+)+ -- node \/\S+\/dist\/index\.js$/);
  });
});

describe('mcp.json.example', () => {
  it('is a Claude-Desktop-shaped mcpServers entry with every main variable', async () => {
    const example = JSON.parse(await read('mcp.json.example')) as { mcpServers: { flux: StdioEntry } };
    expect(Object.keys(example)).toEqual(['mcpServers']);
    expectStdioEntry(example.mcpServers.flux);
    expect(example.mcpServers.flux.command).toBe('npx');
    expect(Object.keys(example.mcpServers.flux.env)).toEqual([
      'APIYI_API_KEY',
      'APIYI_BASE_URL',
      'FLUX_MCP_OUTPUT_DIR',
      'FLUX_MCP_PREVIEW_SIZE',
    ]);
  });
});

describe('package.json', () => {
  it("matches the server's name and version, and its bin is dist/index.js with a shebang", async () => {
    const pkg = JSON.parse(await read('package.json')) as {
      name: string;
      version: string;
      bin: Record<string, string>;
      engines: { node: string };
    };
    expect([pkg.name, pkg.version]).toEqual([SERVER_NAME, SERVER_VERSION]);
    expect(pkg.bin).toEqual({ [SERVER_NAME]: 'dist/index.js' });
    expect(pkg.engines.node).toBe('>=20.18');
    expect((await read('src/index.ts')).startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
