/**
 * The CLI end to end: `node dist/index.js <command>` against the simulator. stdout holds only
 * results (paths, or JSON with --json); progress and errors go to stderr; the exit code says what
 * to do: 0 done, 2 bad input, 3 refused by the gateway, 4 transient.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MODELS } from '../src/catalog/models.js';
import { COMMANDS } from '../src/cli/specs.js';
import { SERVER_VERSION } from '../src/core/version.js';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { TEST_KEY } from './helpers/harness.js';
import { writeImage } from './helpers/images.js';
import { type Run, runNode } from './helpers/run-node.js';
import { unwritableFolder } from './helpers/unwritable.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
let simulator: GatewaySimulator;
let work: string;
let outputDir: string;

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does it first)');
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-cli-'));
  outputDir = path.join(work, 'out');
});
afterAll(async () => {
  await simulator.close();
  await rm(work, { recursive: true, force: true });
});
beforeEach(() => simulator.reset());

function cli(args: string[], env: Record<string, string> = {}, cwd = work): Promise<Run> {
  return runNode(
    [ENTRY, ...args],
    {
      PATH: process.env.PATH ?? '',
      HOME: work,
      APIYI_API_KEY: TEST_KEY,
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: outputDir,
      FLUX_MCP_MAX_RETRIES: '0',
      ...env,
    },
    cwd,
  );
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean);

describe('generate', () => {
  it('prints only the saved path on stdout, progress on stderr, and exits 0', async () => {
    const run = await cli(['generate', 'A lighthouse at dawn', '--size', '512x384', '--seed', '5', '--format', 'png']);
    expect(run.code, run.stderr).toBe(0);
    const [saved, ...rest] = lines(run.stdout);
    expect(rest).toEqual([]);
    expect(path.dirname(saved!)).toBe(outputDir);
    expect(saved).toMatch(/\.png$/);
    expect((await stat(saved!)).size).toBeGreaterThan(0);
    expect(run.stderr).toContain('flux-mcp: validated');
    expect(run.stderr).toContain('flux-mcp: saved: ');
    expect(simulator.apiRequests()[0]!.json).toMatchObject({ size: '512x384', seed: 5, output_format: 'png' });
  });

  it('--count makes several images (a path each), --like makes more like one of them', async () => {
    const before = simulator.apiRequests().length;
    const run = await cli(['generate', 'A paper crane', '--size', '256x256', '--count', '3', '--seed', '40']);
    expect(run.code, run.stderr).toBe(0);
    const made = lines(run.stdout);
    expect(made).toHaveLength(3);
    const more = await cli(['generate', '--like', path.relative(work, made[0]!)]);
    expect(more.code, more.stderr).toBe(0);
    expect(lines(more.stdout)).toHaveLength(1);
    const sent = simulator
      .apiRequests()
      .slice(before)
      .map((request) => request.json as { prompt: string; seed: number });
    expect(sent).toHaveLength(4);
    expect(sent[3]).toMatchObject({ prompt: 'A paper crane', size: '256x256' });
    expect([40, 41, 42]).not.toContain(sent[3]!.seed);
  });

  it('--json prints the structured result, --out picks the directory (relative to the working directory)', async () => {
    const run = await cli(['generate', 'A kite', '--size', '256x256', '--json', '--out', 'elsewhere']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { images: { path: string }[]; model: string };
    expect(path.dirname(result.images[0]!.path)).toBe(path.join(work, 'elsewhere'));
    expect(result.model).toBe('flux-2-pro');
  });

  it('exits 1 for a configuration error, the same code the stdio server and `serve` exit with', async () => {
    const bad = { FLUX_MCP_OUTPUT_DIR: 'relative', FLUX_MCP_LOG_LEVEL: 'loud' };
    for (const args of [['generate', 'A kite'], ['images'], ['serve', '--http', '--port', '0'], ['serve']]) {
      const run = await cli(args, bad);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('FLUX_MCP_OUTPUT_DIR "relative" is a relative path');
      expect(run.stderr).toContain('FLUX_MCP_LOG_LEVEL "loud" must be one of');
    }
    expect(simulator.apiRequests()).toEqual([]);
  });

  it('exits 2 for bad input, without calling the gateway, naming the problem', async () => {
    const run = await cli(['generate', 'A kite', '--width', '1000', '--height', '1000']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('invalid_argument: width 1000 is not a multiple of 16: use 992 or 1008');
    expect(simulator.apiRequests()).toEqual([]);
    expect((await cli(['generate'])).code).toBe(2);
    const unknown = await cli(['generate', 'x', '--colour', 'red']);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown option --colour\n')]);
    expect((await cli(['generate', 'x'], { APIYI_API_KEY: '' })).stderr).toContain('missing_api_key');
  });

  it('exits 3 when the gateway refuses (a wrong key), and 4 when it fails (try again)', async () => {
    const refused = await cli(['generate', 'A kite'], { APIYI_API_KEY: 'sk-wrong' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('auth: the gateway refused the API key');
    simulator.enqueue({ status: 503, body: { error: { message: 'busy' } } });
    const transient = await cli(['generate', 'A kite']);
    expect(transient.code).toBe(4);
    expect(transient.stderr).toContain('gateway_error');
    expect(transient.stdout).toBe('');
  });
});

describe('edit', () => {
  it("takes relative paths (the terminal is the user's own directory) and prints the new path", async () => {
    await writeImage(work, 'photo.png', { width: 256, height: 192 });
    await writeImage(work, 'style.jpg', { width: 128, height: 128, format: 'jpeg' });
    const run = await cli(['edit', 'image 1 in the style of image 2', '--image', 'photo.png', '-i', 'style.jpg']);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toHaveLength(1);
    expect(Object.keys(simulator.apiRequests()[0]!.json as object)).toEqual(
      expect.arrayContaining(['input_image', 'input_image_2']),
    );
  });

  it('exits 2 without --image, or with an image that does not exist', async () => {
    expect((await cli(['edit', 'x'])).code).toBe(2);
    const missing = await cli(['edit', 'x', '--image', 'nope.png']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`image 1 "${path.join(work, 'nope.png')}" does not exist`);
  });
});

describe('images and models', () => {
  it('images lists saved paths newest first, searchable', async () => {
    // A library of its own, made here: the other tests may run before or after this one.
    const library = path.join(work, 'library');
    const env = { FLUX_MCP_OUTPUT_DIR: library };
    for (const prompt of ['A lighthouse at dawn', 'A harbour at night']) {
      const made = await cli(['generate', prompt, '--size', '256x256'], env);
      expect(made.code, made.stderr).toBe(0);
    }
    const run = await cli(['images', '--search', 'lighthouse'], env);
    expect(run.code, run.stderr).toBe(0);
    const paths = lines(run.stdout);
    expect(paths).toHaveLength(1);
    expect(paths[0]).toMatch(new RegExp(`^${library}/\\d{8}-\\d{6}-a-lighthouse-at-dawn-`));
    const all = lines((await cli(['images'], env)).stdout);
    expect(all).toHaveLength(2);
    expect(all[0]).toMatch(/-a-harbour-at-night-/);
    expect((await cli(['images', '--since', 'someday'], env)).code).toBe(2);
  });

  it('models prints the catalog, as a table or JSON', async () => {
    const table = await cli(['models']);
    expect(table.code).toBe(0);
    for (const model of MODELS) expect(table.stdout).toContain(model.id);
    const json = JSON.parse((await cli(['models', '--json'])).stdout) as { models: { id: string }[] };
    expect(json.models).toHaveLength(MODELS.length);
  });

  it('--help and --version print to stdout and exit 0; an unknown command exits 2', async () => {
    const help = await cli(['--help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining(' generate "prompt" [options]')]);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });
});

describe('what a newcomer tries', () => {
  it("<command> --help and -h print that command's usage, every option on a line, to stdout, and exit 0", async () => {
    for (const spec of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        // No key and no gateway: help needs neither, and starts nothing.
        const run = await cli([spec.name, flag], { APIYI_API_KEY: '', APIYI_BASE_URL: 'http://127.0.0.1:9/v1' });
        expect([run.code, run.stderr], `${spec.name} ${flag}`).toEqual([0, '']);
        expect(run.stdout).toContain(` ${spec.name} ${spec.usage[0]}`);
        const optionLines = lines(run.stdout).filter((line) => /^ {2}(-\w, | {4})--/.test(line));
        expect(optionLines.map((line) => /--([\w-]+)/.exec(line)![1])).toEqual(Object.keys(spec.options));
      }
    }
    expect((await cli(['help', 'images'])).stdout).toBe((await cli(['images', '--help'])).stdout);
    // --help wins over the rest of the line, even a mistake in it.
    expect((await cli(['generate', '--sead', '5', '--help'])).code).toBe(0);
  });

  it('an unknown option is named with the nearest one, when close, and the command --help; exit 2', async () => {
    const typo = await cli(['generate', 'A kite', '--sead', '5']);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toContain('unknown option --sead; did you mean --seed?\n');
    expect(typo.stderr).toMatch(/Run \S+ generate --help/);
    for (const [args, said] of [
      [['images', '--serch', 'fox'], 'unknown option --serch; did you mean --search?'],
      [['edit', 'x', '--imgae', 'a.png'], 'unknown option --imgae; did you mean --image?'],
      [['serve', '--htp'], 'unknown option --htp; did you mean --http?'],
      [['simulate', '--prot', '0'], 'unknown option --prot; did you mean --port?'],
      [['models', '--jsno'], 'unknown option --jsno; did you mean --json?'],
      [['generate', 'x', '--seed'], 'option --seed needs a value: --seed N'],
      [['images', '--json=yes'], 'option --json takes no value'],
    ] as const) {
      const run = await cli([...args]);
      expect([run.code, run.stderr], args.join(' ')).toEqual([2, expect.stringContaining(said)]);
    }
    expect(simulator.apiRequests()).toEqual([]);
  });

  it('-V, -v and --version print the version', async () => {
    for (const flag of ['-V', '-v', '--version']) expect((await cli([flag])).stdout).toBe(`${SERVER_VERSION}\n`);
  });

  it('without a key, says how to set one in a shell, where to get one, and that simulate needs none', async () => {
    const run = await cli(['generate', 'A kite'], { APIYI_API_KEY: '' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing_api_key: APIYI_API_KEY is not set');
    expect(run.stderr).toContain('export APIYI_API_KEY=');
    expect(run.stderr).toContain('$env:APIYI_API_KEY=');
    expect(run.stderr).toContain('APIYI console');
    expect(run.stderr).toMatch(/`\S+ simulate`/);
    expect(run.stderr).not.toContain('"env" block');
    expect(simulator.apiRequests()).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'a folder images cannot be saved in is said before the call, which goes on (the image is rescued)',
    async () => {
      const base = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-cli-unwritable-'));
      const folder = await unwritableFolder(base);
      try {
        const run = await cli(['generate', 'A kite', '--size', '256x256'], {
          FLUX_MCP_OUTPUT_DIR: folder.dir,
          TMPDIR: base,
        });
        const warning = run.stderr.split('\n').find((line) => line.includes(folder.dir)) ?? '';
        for (const part of [`(${folder.code})`, '--out DIR', 'FLUX_MCP_OUTPUT_DIR']) expect(warning).toContain(part);
        expect(run.stderr.indexOf(warning)).toBeLessThan(run.stderr.indexOf('sending to the gateway'));
        expect(run.code, run.stderr).toBe(0);
        expect(lines(run.stdout)[0]).toContain('flux-mcp-rescued');
        if (folder.code === 'EACCES') expect(await readdir(folder.dir)).toEqual([]);
      } finally {
        await folder.restore();
        await rm(base, { recursive: true, force: true });
      }
    },
  );

  it('simulate and serve --http on a busy port say so, without a stack, and exit 2', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as { port: number };
    try {
      for (const args of [['simulate'], ['serve', '--http']]) {
        const run = await cli([...args, '--port', String(port)]);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.stderr).toContain(`port ${port} is in use; try --port 0 or another port\n`);
        expect(run.stderr).not.toMatch(/\n\s+at /);
        expect(run.stdout).toBe('');
      }
    } finally {
      holder.close();
    }
  });

  it('images --since and --until refuse a date that is not on the calendar, naming the rule', async () => {
    for (const [option, value, why] of [
      ['--since', '2026-13-01', 'month 13 does not exist'],
      ['--until', '2026-02-30', 'day 30 is not in 2026-02'],
      ['--since', '2026-11-22T24:00:00Z', 'hour 24 is past 23'],
    ] as const) {
      const run = await cli(['images', option, value]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `invalid_argument: ${option.slice(2)} "${value}" is not a real date or time (${why})`,
      );
      expect(run.stderr).toContain('YYYY-MM-DD');
    }
  });

  it('says each retry once', async () => {
    simulator.enqueue({ status: 503, headers: { 'retry-after-ms': '0' }, body: { error: { message: 'busy' } } });
    const run = await cli(['generate', 'A kite', '--size', '256x256'], { FLUX_MCP_MAX_RETRIES: '1' });
    expect(run.code, run.stderr).toBe(0);
    expect(simulator.apiRequests()).toHaveLength(2);
    const told = lines(run.stderr).filter((line) => line.includes('attempt 2 of 2 in'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('retrying: the gateway or the upstream provider failed (HTTP 503: "busy")');
  });
});
