#!/usr/bin/env node
/**
 * `npm run bench`: what the server costs around the gateway, measured against the simulator (no
 * added latency unless a scenario says so). Prints a table (median, p95, min, max, runs, target)
 * and writes the same to bench/results/<date>.json, which git ignores: a run never changes a
 * tracked file. Timings are wall clock on this machine; run it on an otherwise idle machine (check
 * `uptime`). Needs `npm run build` first (npm run bench does it). `node bench/bench.mjs 1 7` runs
 * scenarios 1 and 7 only.
 *
 * Scenarios:
 * 1. cold start: spawn `node dist/index.js`, initialize + tools/list answered (20 runs); for
 *    scale, plain Node answering the same two messages with a hard-coded reply, and a minimal
 *    server made of the MCP SDK alone (bundled the same way): the floors.
 * 2. per-call overhead: one stdio session, 50 sequential generate_image calls (flux-2-pro,
 *    1024x1024 JPEG): wall time per call, the simulator's own time per call (measured inside it),
 *    and the difference; with the inline preview off and on (768 px).
 * 3. preview cost for a 1 MP and a 4 MP result.
 * 4. big edits: 8 × 19.6 MB PNG references on flux-2-pro (JSON path) and 16 on gpt-image-2
 *    (multipart): wall time and the server's peak RSS.
 * 5. concurrency: 32 simultaneous calls (256x256) with 1 s simulator latency: total wall time,
 *    with FLUX_MCP_MAX_CONCURRENT=32 and with the default cap of 24.
 * 6. idle footprint: RSS of a started, idle server.
 * 7. hostile inputs: the server's peak RSS for one gpt-image-2 edit with the heaviest inputs it
 *    accepts (an 8K JPEG and an 8K RGBA PNG, the largest 16-bit PNG and WebP a decode may take,
 *    each with EXIF orientation 6, so turned upright whole) after a call with decompression bombs
 *    it refuses, and for three such edits at once (test/hostile/memory.test.ts asserts the same).
 * 8. a library of 100,000 images (bench/library-fixture.mjs, made once and cached): the index
 *    rebuilt from the sidecars, the first list_images after a start, later ones, a word search, a
 *    full paging of resources/list, and the server's RSS.
 * 9. 500 calls at once at 1 s simulator latency over stdio, each asking for progress: total time,
 *    progress notifications per call, the server's RSS.
 * 10. variants: one call with count 8 at 1 s simulator latency (the eight requests in parallel).
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { build } from 'esbuild';
import sharp from 'sharp';
import { makePreview } from '../dist/imaging/preview.js';
import { GatewaySimulator } from '../dist/simulator/gateway-simulator.js';
import { renderImage } from '../dist/simulator/render.js';
import { libraryFixture } from './library-fixture.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = path.join(ROOT, 'dist', 'index.js');
/** Git-ignored: results belong to one machine and one run, never to the repository. */
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const KEY = 'sk-bench';

const rows = [];
function summarize(name, unit, values, target) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const row = {
    name,
    unit,
    median: at(0.5),
    p95: at(0.95),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    runs: sorted.length,
    ...(target ? { target } : {}),
  };
  rows.push(row);
  process.stderr.write(`  ${name}: median ${format(row.median, unit)} (${row.runs} runs)\n`);
  return row;
}
const format = (value, unit) => {
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 's') return `${value.toFixed(2)} s`;
  if (unit === '×') return `${value.toFixed(2)}×`;
  if (unit === 'count') return value.toFixed(1);
  return `${value.toFixed(1)} ms`;
};

function serverEnv(simulator, extra = {}) {
  return {
    ...process.env,
    APIYI_API_KEY: KEY,
    APIYI_BASE_URL: simulator?.baseUrl ?? 'http://127.0.0.1:9/v1',
    FLUX_MCP_OUTPUT_DIR: path.join(work, 'out'),
    FLUX_MCP_LOG_LEVEL: 'error',
    ...extra,
  };
}

async function connect(env) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [ENTRY], env, stderr: 'inherit' });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** Peak (VmHWM) or current (VmRSS) resident set of a process, in MB (Linux /proc). */
async function residentMb(pid, field) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

// ---- 1. cold start -------------------------------------------------------------------------

const INITIALIZE = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`;
const INITIALIZED = `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`;
const LIST = `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`;

/** ms from spawn until the answer to tools/list (id 2) has arrived. */
async function timeToToolsList(args, env) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env });
  child.stdin.write(INITIALIZE + INITIALIZED + LIST);
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"id":2')) resolve();
    });
    child.once('exit', () => reject(new Error(`${args.join(' ')} exited before answering tools/list`)));
  });
  const elapsed = performance.now() - started;
  child.kill();
  return elapsed;
}

const PLAIN_NODE = `let b='';process.stdin.on('data',c=>{b+=c;let i;while((i=b.indexOf('\\n'))>=0){const m=JSON.parse(b.slice(0,i));b=b.slice(i+1);if(m.id!==undefined)process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:m.id,result:m.method==='tools/list'?{tools:[]}:{protocolVersion:'2025-06-18',capabilities:{tools:{}},serverInfo:{name:'floor',version:'1'}}})+'\\n')}})`;

/** The smallest server the MCP SDK allows, bundled like ours: the floor for any SDK server. */
async function buildSdkOnlyServer() {
  const source = path.join(work, 'sdk-only.mjs');
  await writeFile(
    source,
    `import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
const server = new Server({ name: 'sdk-only', version: '1' }, { capabilities: { tools: {} }, jsonSchemaValidator: { getValidator() { throw new Error('unused'); } } });
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [] }));
await server.connect(new StdioServerTransport());
`,
  );
  const outfile = path.join(work, 'sdk-only.bundle.mjs');
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.18',
    nodePaths: [path.join(ROOT, 'node_modules')],
    plugins: [
      {
        name: 'stub-ajv',
        setup(b) {
          b.onResolve({ filter: /^ajv(-formats)?$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
            contents: 'export default function x() {}',
            loader: 'js',
          }));
        },
      },
    ],
    logLevel: 'error',
  });
  return outfile;
}

async function coldStart() {
  process.stderr.write('1. cold start\n');
  const env = serverEnv(undefined);
  const sdkOnly = await buildSdkOnlyServer();
  const runs = { ours: [], plain: [], sdk: [] };
  await timeToToolsList([ENTRY], env); // warm the file system cache once
  for (let i = 0; i < 20; i++) {
    runs.plain.push(await timeToToolsList(['-e', PLAIN_NODE], env));
    runs.sdk.push(await timeToToolsList([sdkOnly], env));
    runs.ours.push(await timeToToolsList([ENTRY], env));
  }
  summarize('cold start: plain Node answering initialize + tools/list (floor)', 'ms', runs.plain);
  summarize('cold start: the MCP SDK alone, bundled (floor for an SDK server)', 'ms', runs.sdk);
  const ours = summarize('cold start: apiyi-flux-mcp (initialize + tools/list)', 'ms', runs.ours);
  const plain = rows.find((row) => row.name.startsWith('cold start: plain Node'));
  // The runs alternate, so each run of ours has a floor measured right before it, on the same load.
  summarize(
    'cold start: apiyi-flux-mcp ÷ plain Node (each run ÷ the floor run just before it)',
    '×',
    runs.ours.map((ms, i) => ms / runs.plain[i]),
    '≤ 2×',
  );
  process.stderr.write(`   medians: ${(ours.median / plain.median).toFixed(2)}× the floor\n`);
}

// ---- 2. per-call overhead ------------------------------------------------------------------

async function perCallOverhead(previewSize) {
  const simulator = await GatewaySimulator.start({ apiKey: KEY });
  const { client } = await connect(serverEnv(simulator, { FLUX_MCP_PREVIEW_SIZE: String(previewSize) }));
  const walls = [];
  const simulated = [];
  try {
    const args = { prompt: 'A lighthouse on a cliff at dawn', size: '1024x1024', output_format: 'jpeg' };
    await client.callTool({ name: 'generate_image', arguments: { ...args, seed: 0 } }); // warm-up: loads sharp and undici
    for (let i = 1; i <= 50; i++) {
      simulator.reset();
      const started = performance.now();
      const result = await client.callTool({ name: 'generate_image', arguments: { ...args, seed: i } });
      walls.push(performance.now() - started);
      if (result.isError) throw new Error(result.content[0].text);
      simulated.push(simulator.requests.reduce((sum, r) => sum + (r.handledMs ?? 0), 0));
    }
  } finally {
    await client.close();
    await simulator.close();
  }
  const label = previewSize === 0 ? 'preview off' : `preview ${previewSize} px`;
  summarize(`per call, ${label}: wall time`, 'ms', walls);
  summarize(`per call, ${label}: simulator's own time`, 'ms', simulated);
  summarize(
    `per call, ${label}: overhead (wall − simulator)`,
    'ms',
    walls.map((w, i) => w - simulated[i]),
    previewSize === 0 ? '≤ 10 ms' : '≤ 35 ms',
  );
}

// ---- 3. preview cost -----------------------------------------------------------------------

async function previewCost() {
  process.stderr.write('3. preview cost\n');
  for (const [label, width, height] of [
    ['1 MP', 1024, 1024],
    ['4 MP', 2048, 2048],
  ]) {
    const image = await renderImage({ width, height, format: 'jpeg', key: label });
    await makePreview(image, 768);
    const times = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await makePreview(image, 768);
      times.push(performance.now() - started);
    }
    summarize(`preview (768 px JPEG) of a ${label} result`, 'ms', times);
  }
}

// ---- 4. big edits --------------------------------------------------------------------------

/** Incompressible 16-bit PNG: 19.6 MB within FLUX's input limits (1808x1808, ≤ 4 MP, ×16), sent as is. */
async function noisePng(file) {
  const raw = randomFillSync(Buffer.alloc(1808 * 1808 * 3 * 2));
  await writeFile(
    file,
    await sharp(raw, { raw: { width: 1808, height: 1808, channels: 3, depth: 'ushort' } })
      .toColourspace('rgb16')
      .png({ compressionLevel: 0 })
      .toBuffer(),
  );
  return file;
}

async function bigEdits() {
  process.stderr.write('4. big edits (making 8 × 19.6 MB references)\n');
  const references = [];
  for (let i = 0; i < 8; i++) references.push(await noisePng(path.join(work, `reference-${i}.png`)));
  const simulator = await GatewaySimulator.start({ apiKey: KEY });
  try {
    for (const [label, args, target] of [
      [
        'edit, 8 × 19.6 MB PNG, flux-2-pro (JSON)',
        { prompt: 'combine image 1 … image 8', images: references },
        '≤ 350 MB',
      ],
      [
        'edit, 16 × 19.6 MB PNG, gpt-image-2 (multipart)',
        { prompt: 'combine them', model: 'gpt-image-2', quality: 'low', images: [...references, ...references] },
        undefined,
      ],
    ]) {
      const walls = [];
      const peaks = [];
      for (let run = 0; run < 3; run++) {
        const { client, transport } = await connect(serverEnv(simulator));
        try {
          const started = performance.now();
          const result = await client.callTool({ name: 'edit_images', arguments: args }, undefined, {
            timeout: 600_000,
          });
          walls.push((performance.now() - started) / 1000);
          peaks.push(await residentMb(transport.pid, 'VmHWM'));
          if (result.isError) throw new Error(result.content[0].text);
        } finally {
          await client.close();
        }
      }
      summarize(`${label}: wall time`, 's', walls);
      summarize(`${label}: server peak RSS`, 'MB', peaks, target);
    }
  } finally {
    await simulator.close();
  }
}

// ---- 5. concurrency ------------------------------------------------------------------------

async function concurrency(maxConcurrent) {
  const simulator = await GatewaySimulator.start({ apiKey: KEY, latencyMs: 1000 });
  const extra = maxConcurrent ? { FLUX_MCP_MAX_CONCURRENT: String(maxConcurrent) } : {};
  const { client } = await connect(serverEnv(simulator, extra));
  const totals = [];
  try {
    await client.callTool({ name: 'generate_image', arguments: { prompt: 'warm-up', size: '256x256' } });
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          client.callTool({
            name: 'generate_image',
            arguments: { prompt: `Concurrent call ${i}`, size: '256x256', seed: run * 100 + i },
          }),
        ),
      );
      totals.push((performance.now() - started) / 1000);
      const failed = results.find((r) => r.isError);
      if (failed) throw new Error(failed.content[0].text);
    }
  } finally {
    await client.close();
    await simulator.close();
  }
  const label = maxConcurrent
    ? `FLUX_MCP_MAX_CONCURRENT=${maxConcurrent}`
    : 'default cap of 24 (8 calls wait for a second round)';
  summarize(
    `32 simultaneous calls at 1 s latency, ${label}: total`,
    's',
    totals,
    maxConcurrent ? '≤ 1.25 s' : undefined,
  );
}

// ---- 10. variants ----------------------------------------------------------------------------

/** One call with count 8 at 1 s simulator latency: the eight requests go in parallel. */
async function variants() {
  process.stderr.write('10. variants\n');
  const simulator = await GatewaySimulator.start({ apiKey: KEY, latencyMs: 1000 });
  const { client } = await connect(serverEnv(simulator, { FLUX_MCP_PREVIEW: 'off' }));
  const totals = [];
  try {
    await client.callTool({ name: 'generate_image', arguments: { prompt: 'warm-up', size: '256x256' } });
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const result = await client.callTool({
        name: 'generate_image',
        arguments: { prompt: `Eight variants, run ${run}`, size: '512x512', count: 8 },
      });
      totals.push((performance.now() - started) / 1000);
      if (result.isError) throw new Error(result.content[0].text);
      if (result.structuredContent.images.length !== 8) throw new Error('fewer than 8 images');
    }
  } finally {
    await client.close();
    await simulator.close();
  }
  summarize('one call with count 8 at 1 s latency: total', 's', totals, '≈ 1 s');
}

// ---- 6. idle footprint ---------------------------------------------------------------------

async function idleFootprint() {
  process.stderr.write('6. idle footprint\n');
  const values = [];
  for (let run = 0; run < 5; run++) {
    const { client, transport } = await connect(serverEnv(undefined));
    await client.listTools();
    await sleep(500); // let start-up garbage be collected, as in a real idle session
    values.push(await residentMb(transport.pid, 'VmRSS'));
    await client.close();
  }
  summarize('idle server RSS (after initialize + tools/list)', 'MB', values, '≤ 80 MB');
}

// ---- 7. hostile inputs ---------------------------------------------------------------------

/** A 16000 × 16000 palette PNG of one colour: ~30 KB that decodes to 768 MB. */
function pngBomb(side = 16_000) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1;
  header[9] = 3;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('PLTE', Buffer.from([200, 60, 40, 40, 60, 200])),
    chunk('IDAT', deflateSync(Buffer.alloc((Math.ceil(side / 8) + 1) * side), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function hostileInputs() {
  process.stderr.write('7. hostile inputs (making the inputs)\n');
  const solid = (width, height, channels) =>
    sharp({ create: { width, height, channels, background: { r: 60, g: 90, b: 120, alpha: 0.5 } } });
  const make = async (name, image) => {
    const file = path.join(work, name);
    await image.withMetadata({ orientation: 6 }).toFile(file);
    return file;
  };
  const heaviest = [
    await make('8k.jpg', solid(7680, 4320, 3).jpeg({ quality: 80 })),
    await make('8k.png', solid(7680, 4320, 4).png({ compressionLevel: 1 })),
    await make('16bit.png', solid(4800, 4160, 4).toColourspace('rgb16').png({ compressionLevel: 1 })),
    await make('20mp.webp', solid(5472, 3648, 3).webp({ lossless: true, effort: 0 })),
  ];
  const bombs = [
    await make('33mp.webp', solid(7680, 4320, 3).webp({ lossless: true, effort: 0 })),
    path.join(work, 'bomb.png'),
  ];
  await writeFile(bombs[1], pngBomb());
  const simulator = await GatewaySimulator.start({ apiKey: KEY });
  const edit = (client, images, i) =>
    client.callTool(
      { name: 'edit_images', arguments: { prompt: `hostile ${i}`, images, model: 'gpt-image-2', quality: 'low' } },
      undefined,
      { timeout: 600_000 },
    );
  try {
    for (const [label, concurrent, target] of [
      ['one hostile call', 1, '≤ 400 MB'],
      ['three hostile calls at once', 3, '≤ 1 GB'],
    ]) {
      const peaks = [];
      for (let run = 0; run < 3; run++) {
        const { client, transport } = await connect(serverEnv(simulator));
        try {
          const refused = await edit(client, bombs, 0);
          if (!refused.isError) throw new Error('the bombs were not refused');
          const results = await Promise.all(Array.from({ length: concurrent }, (_, i) => edit(client, heaviest, i)));
          const failed = results.find((r) => r.isError);
          if (failed) throw new Error(failed.content[0].text);
          peaks.push(await residentMb(transport.pid, 'VmHWM'));
        } finally {
          await client.close();
        }
      }
      summarize(
        `${label} (4 inputs of up to 33 MP turned upright, after refused bombs): server peak RSS`,
        'MB',
        peaks,
        target,
      );
    }
  } finally {
    await simulator.close();
  }
}

// ---- 8. a library of 100,000 images -------------------------------------------------------

const LIBRARY_SIZE = 100_000;

async function timed(work) {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

async function listImages(client, args) {
  const result = await client.callTool({ name: 'list_images', arguments: args });
  if (result.isError) throw new Error(result.content[0].text);
  return result.structuredContent;
}

/** Every page of resources/list; returns how many resources and pages there were. */
async function pageThrough(client) {
  let resources = 0;
  let pages = 0;
  let cursor;
  do {
    const page = await client.listResources(cursor === undefined ? {} : { cursor });
    resources += page.resources.length;
    pages += 1;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { resources, pages };
}

async function libraryAtScale() {
  process.stderr.write(`8. a library of ${LIBRARY_SIZE.toLocaleString('en')} images\n`);
  const directory = await libraryFixture(LIBRARY_SIZE);
  // The server trusts the directory's modification time once it is a few seconds old; a library
  // made just now waits that long, as it would in use.
  const age = Date.now() - (await stat(directory)).mtimeMs;
  if (age < 3500) await sleep(3500 - age);
  const env = serverEnv(undefined, { FLUX_MCP_OUTPUT_DIR: directory });
  const label = `library of ${LIBRARY_SIZE.toLocaleString('en')}`;

  await rm(path.join(directory, '.flux-mcp'), { recursive: true, force: true });
  {
    const { client } = await connect(env);
    const [ms, listed] = await timed(() => listImages(client, {}));
    if (listed.matched !== LIBRARY_SIZE) throw new Error(`listed ${listed.matched} of ${LIBRARY_SIZE} images`);
    summarize(`${label}: index rebuilt from the sidecars (first list_images without an index)`, 's', [ms / 1000]);
    // Making the index folder changed the directory's time, which the server trusts once it is a
    // few seconds old: a session in use lists again later, and the index then records that time.
    await sleep(3500);
    await listImages(client, {});
    await client.close();
  }

  const firsts = [];
  const spawnToFirst = [];
  let session;
  for (let run = 0; run < 5; run++) {
    if (session) await session.client.close();
    const spawned = performance.now();
    session = await connect(env);
    const [ms, listed] = await timed(() => listImages(session.client, {}));
    if (listed.matched !== LIBRARY_SIZE) throw new Error(`listed ${listed.matched} of ${LIBRARY_SIZE} images`);
    firsts.push(ms);
    spawnToFirst.push(performance.now() - spawned);
  }
  const { client, transport } = session;
  try {
    summarize(`${label}: first list_images after start (index present)`, 'ms', firsts, '≤ 300 ms');
    summarize(`${label}: spawn → initialize → first list_images answered`, 'ms', spawnToFirst);

    const later = [];
    for (let i = 0; i < 50; i++) later.push((await timed(() => listImages(client, {})))[0]);
    summarize(`${label}: later list_images (newest 20)`, 'ms', later, '≤ 20 ms');

    const searches = [];
    for (let i = 0; i < 50; i++) {
      const [ms, found] = await timed(() => listImages(client, { query: 'lighthouse dawn' }));
      if (found.matched === 0) throw new Error('the word search found nothing');
      searches.push(ms);
    }
    summarize(`${label}: word search ("lighthouse dawn")`, 'ms', searches, '≤ 20 ms');

    const filtered = [];
    for (let i = 0; i < 20; i++) {
      const args = { model: 'flux-2-max', since: '2026-08-01', until: '2026-08-31', query: 'fox' };
      filtered.push((await timed(() => listImages(client, args)))[0]);
    }
    summarize(`${label}: model + time range + word`, 'ms', filtered);
    summarize(
      `${label}: server RSS with the library loaded and searched`,
      'MB',
      [await residentMb(transport.pid, 'VmRSS')],
      '≤ 150 MB',
    );

    const pagings = [];
    for (let run = 0; run < 3; run++) {
      const [ms, { resources, pages }] = await timed(() => pageThrough(client));
      // The images, after the model catalog and the spending report.
      if (resources !== LIBRARY_SIZE + 2) throw new Error(`paged through ${resources} resources`);
      if (run === 0) process.stderr.write(`   ${pages} pages\n`);
      pagings.push(ms / 1000);
    }
    summarize(`${label}: full paging of resources/list (2,001 pages)`, 's', pagings, '≤ 2 s');

    const first = (await listImages(client, { limit: 1 })).images[0];
    const reads = [];
    for (let i = 0; i < 20; i++) {
      reads.push((await timed(() => client.readResource({ uri: first.uri })))[0]);
    }
    summarize(`${label}: resources/read of one image`, 'ms', reads);

    summarize(`${label}: server peak RSS (loading, 2,001 pages three times, all of the above)`, 'MB', [
      await residentMb(transport.pid, 'VmHWM'),
    ]);
  } finally {
    await client.close();
  }
}

// ---- 9. 500 calls at once -----------------------------------------------------------------

async function manyCalls() {
  const calls = 500;
  process.stderr.write(`9. ${calls} calls at once\n`);
  const simulator = await GatewaySimulator.start({ apiKey: KEY, latencyMs: 1000 });
  const { client, transport } = await connect(serverEnv(simulator));
  try {
    await client.callTool({ name: 'generate_image', arguments: { prompt: 'warm-up', size: '256x256' } });
    let notifications = 0;
    let queued = 0;
    const onprogress = (progress) => {
      notifications += 1;
      if (progress.message?.startsWith('queued')) queued += 1;
    };
    const [ms, results] = await timed(() =>
      Promise.all(
        Array.from({ length: calls }, (_, i) =>
          client.callTool(
            { name: 'generate_image', arguments: { prompt: `Burst call ${i}`, size: '256x256', seed: i } },
            undefined,
            { onprogress, timeout: 600_000 },
          ),
        ),
      ),
    );
    const failed = results.find((r) => r.isError);
    if (failed) throw new Error(failed.content[0].text);
    const label = `${calls} calls at once at 1 s latency (default cap of 24)`;
    summarize(`${label}: total`, 's', [ms / 1000]);
    summarize(`${label}: progress notifications per call`, 'count', [notifications / calls], '≤ 10');
    summarize(`${label}: of which "queued" per call`, 'count', [queued / calls], '≤ 5');
    summarize(`${label}: server peak RSS`, 'MB', [await residentMb(transport.pid, 'VmHWM')]);
  } finally {
    await client.close();
    await simulator.close();
  }
}

// ---- run -----------------------------------------------------------------------------------

const work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-bench-'));
try {
  const only = process.argv.slice(2);
  const want = (n) => only.length === 0 || only.includes(String(n));
  if (want(1)) await coldStart();
  if (want(2)) {
    process.stderr.write('2. per-call overhead\n');
    await perCallOverhead(0);
    await perCallOverhead(768);
  }
  if (want(3)) await previewCost();
  if (want(4)) await bigEdits();
  if (want(5)) {
    process.stderr.write('5. concurrency\n');
    await concurrency(32);
    await concurrency(undefined);
  }
  if (want(6)) await idleFootprint();
  if (want(7)) await hostileInputs();
  if (want(8)) await libraryAtScale();
  if (want(9)) await manyCalls();
  if (want(10)) await variants();
} finally {
  await rm(work, { recursive: true, force: true });
}

const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 1024 ** 3),
};
const table = [
  '| figure | median | p95 | min | max | runs | target |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${format(r.median, r.unit)} | ${format(r.p95, r.unit)} | ${format(r.min, r.unit)} | ${format(r.max, r.unit)} | ${r.runs} | ${r.target ?? ''} |`,
  ),
].join('\n');
console.log(`Machine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}\n`);
console.log(table);
const date = new Date().toISOString();
const results = path.join(RESULTS_DIR, `${date.replace(/[:.]/g, '-')}.json`);
await mkdir(RESULTS_DIR, { recursive: true });
await writeFile(results, `${JSON.stringify({ date, machine, results: rows }, null, 2)}\n`);
console.log(`\nWritten to ${results} (git-ignored).`);
