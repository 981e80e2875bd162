/**
 * The library index (`.flux-mcp/library-index.jsonl` in the output directory) through the built
 * server over stdio, as clients run it: built when missing, rebuilt with one warning when cut short
 * or garbled, kept true when another process saves into the same directory (the CLI, a real
 * second process) and when the user deletes images. Whatever happens to the index, every image
 * with a good sidecar is listed, by `list_images` and by `resources/list`, and nothing else.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldLines, IndexFold } from '../src/library/index-file.js';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { TEST_KEY } from './helpers/harness.js';
import { runNode } from './helpers/run-node.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let simulator: GatewaySimulator;
let outputDir: string;
let indexFile: string;

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: outputDir,
    APIYI_API_KEY: TEST_KEY,
    APIYI_BASE_URL: simulator.baseUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_PREVIEW_SIZE: '0',
    FLUX_MCP_LOG_LEVEL: 'warn',
  };
}

interface Server {
  readonly client: Client;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [ENTRY], env: env(), stderr: 'pipe' });
  const chunks: string[] = [];
  transport.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const client = new Client({ name: 'library-index-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => chunks.join(''), close: () => client.close() };
}

async function generate(server: Server, prompt: string): Promise<string> {
  const result = (await server.client.callTool({
    name: 'generate_image',
    arguments: { prompt, size: '256x256' },
  })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
}

/** Paths list_images gives, newest first. */
async function listed(server: Server, query?: string): Promise<string[]> {
  const result = (await server.client.callTool({
    name: 'list_images',
    arguments: { limit: 100, ...(query ? { query } : {}) },
  })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return (result.structuredContent as { images: { path: string }[] }).images.map((image) => image.path);
}

/** Image URIs of every page of resources/list. */
async function resourceUris(server: Server): Promise<string[]> {
  const uris: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await server.client.listResources(cursor === undefined ? {} : { cursor });
    uris.push(...page.resources.map((resource) => resource.uri).filter((uri) => uri.startsWith('file:')));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return uris;
}

/** Both listings hold exactly these images, newest first. */
async function expectListed(server: Server, newestFirst: readonly string[]): Promise<void> {
  expect(await listed(server)).toEqual(newestFirst);
  expect(await resourceUris(server)).toEqual(newestFirst.map((file) => pathToFileURL(file).href));
}

const damageWarnings = (server: Server): string[] =>
  server
    .stderr()
    .split('\n')
    .filter((line) => line.includes('library index') && line.includes('is damaged'));

/** The lines of a well-formed index file. */
async function indexLines(): Promise<string[]> {
  const data = await readFile(indexFile);
  expect(foldLines(data, new IndexFold(), true).damage).toBeUndefined();
  return data.toString('utf8').trimEnd().split('\n');
}

/** Oldest first, like the made images. */
const made: string[] = [];
const newestFirst = (): string[] => [...made].reverse();

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does it first)');
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  outputDir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-index-'));
  indexFile = path.join(outputDir, '.flux-mcp', 'library-index.jsonl');
});
afterAll(async () => {
  await simulator.close();
  await rm(outputDir, { recursive: true, force: true });
});

describe('the library index', () => {
  it('is built at the first listing, holding every saved image, and rebuilt when missing', async () => {
    const server = await startServer();
    try {
      for (const prompt of ['A red fox in the snow', 'A blue whale under the sea', 'A green parrot']) {
        made.push(await generate(server, prompt));
      }
      expect(existsSync(indexFile)).toBe(false); // saves append to an index; the first listing builds it
      await expectListed(server, newestFirst());
      const text = (await indexLines()).join('\n');
      for (const image of made) expect(text).toContain(path.basename(image));

      // Removed while the server runs: written again from what it knows.
      await rm(path.dirname(indexFile), { recursive: true });
      await expectListed(server, newestFirst());
      expect(existsSync(indexFile)).toBe(true);
    } finally {
      await server.close();
    }
    // Removed between runs: the next server rebuilds it from the sidecars, without a warning.
    await rm(path.dirname(indexFile), { recursive: true });
    const next = await startServer();
    try {
      await expectListed(next, newestFirst());
      // The header, then a column of each fact (and, once the directory's time is old enough to trust, that time).
      const fileColumn = (await indexLines()).find((line) => line.startsWith('["=","file",'))!;
      expect(JSON.parse(fileColumn)[2]).toEqual(newestFirst().map((file) => path.basename(file)));
      expect(damageWarnings(next)).toEqual([]);
    } finally {
      await next.close();
    }
  });

  it('is rebuilt with one warning when cut short, and every image is still listed', async () => {
    const size = (await readFile(indexFile)).length;
    await truncate(indexFile, Math.floor(size / 2) + 1);
    expect((await readFile(indexFile)).at(-1)).not.toBe(0x0a); // cut inside a line
    const server = await startServer();
    try {
      await expectListed(server, newestFirst());
      await expectListed(server, newestFirst());
      expect(damageWarnings(server)).toHaveLength(1);
      expect(damageWarnings(server)[0]).toMatch(
        /is damaged \(its last line is cut short\); rebuilding it from the sidecars$/,
      );
      await indexLines();
    } finally {
      await server.close();
    }
  });

  it('is rebuilt with one warning when it holds garbage, and every image is still listed', async () => {
    await writeFile(indexFile, Buffer.from('\u0000\u00ff not an index at all\n{"format":"something-else"}\n'));
    const server = await startServer();
    try {
      await expectListed(server, newestFirst());
      await expectListed(server, newestFirst());
      expect(damageWarnings(server)).toHaveLength(1);
      expect(damageWarnings(server)[0]).toMatch(/does not start with the flux-mcp\.library-index\/2 header/);
    } finally {
      await server.close();
    }
    // A line that is not an index line, after a good header: the same.
    const lines = await indexLines();
    await writeFile(indexFile, [lines[0], '["+","x.json"]', ...lines.slice(1)].join('\n') + '\n');
    const again = await startServer();
    try {
      await expectListed(again, newestFirst());
      expect(damageWarnings(again)).toEqual([expect.stringMatching(/line 2 is not an index line/)]);
    } finally {
      await again.close();
    }
  });

  it('shows, without a restart, an image another process (the CLI) saved into the same directory', async () => {
    const server = await startServer();
    try {
      await expectListed(server, newestFirst());
      const { code, stdout } = await runNode(
        [ENTRY, 'generate', 'A lighthouse made by the CLI', '--size', '256x256'],
        env(),
      );
      expect(code).toBe(0);
      const saved = stdout.trim();
      expect(path.dirname(saved)).toBe(outputDir);
      made.push(saved);

      expect(await listed(server, 'lighthouse')).toEqual([saved]);
      await expectListed(server, newestFirst());
      const { contents } = await server.client.readResource({ uri: pathToFileURL(saved).href });
      expect(Buffer.from((contents[0] as { blob: string }).blob, 'base64').equals(await readFile(saved))).toBe(true);
      // And the other way round: what this server saves, a new process lists from the index.
      made.push(await generate(server, 'A yellow submarine'));
    } finally {
      await server.close();
    }
    const next = await startServer();
    try {
      await expectListed(next, newestFirst());
    } finally {
      await next.close();
    }
  });

  it('stays true when the user deletes images: gone from both listings, and refused by resources/read', async () => {
    const server = await startServer();
    try {
      await expectListed(server, newestFirst());
      // An image deleted with its sidecar, and another whose sidecar alone was deleted.
      const [whole, sidecarOnly] = [made[1]!, made[3]!];
      await unlink(whole);
      await unlink(whole.replace(/\.\w+$/, '.json'));
      await unlink(sidecarOnly.replace(/\.\w+$/, '.json'));
      made.splice(made.indexOf(whole), 1);
      made.splice(made.indexOf(sidecarOnly), 1);
      await expectListed(server, newestFirst());
      for (const gone of [whole, sidecarOnly]) {
        await expect(server.client.readResource({ uri: pathToFileURL(gone).href })).rejects.toThrow(
          /no image of this server's library/,
        );
      }
      // An image deleted without its sidecar: skipped with one warning, as a sidecar naming a missing image is.
      const imageOnly = made[0]!;
      await unlink(imageOnly);
      made.splice(0, 1);
      await expectListed(server, newestFirst());
      await expectListed(server, newestFirst());
      const name = path.basename(imageOnly).replace(/\.\w+$/, '.json');
      expect(server.stderr().split(`skipped ${name}: its image`).length - 1).toBe(1);
    } finally {
      await server.close();
    }
    const next = await startServer();
    try {
      await expectListed(next, newestFirst());
    } finally {
      await next.close();
    }
  });
});
