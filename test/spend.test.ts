/**
 * Spending through the built server and CLI: the MCP SDK client talks to `node dist/index.js` over
 * stdio, the CLI runs as its own process, both against the gateway simulator over loopback and
 * into the same output directory. The figures are checked against the sidecars actually written;
 * the cap against what the simulator received. Day boundaries are in test/unit/spend.test.ts,
 * where the clock is passed in.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findModel, MODELS, type ModelSpec } from '../src/catalog/models.js';
import { failureCategoryOf } from '../src/core/failure.js';
import { formatUsd } from '../src/core/units.js';
import { ledgerFileOf } from '../src/library/file-ledger.js';
import type { LedgerEntry } from '../src/library/ledger.js';
import type { ImageSidecar } from '../src/library/sidecar.js';
import { SPEND_URI } from '../src/mcp/resources.js';
import type { SpendReport } from '../src/pipeline/spend-report.js';
import { GatewaySimulator } from '../src/simulator/gateway-simulator.js';
import { TEST_KEY, textOf } from './helpers/harness.js';
import { RecordingStdioTransport } from './helpers/recording-stdio-transport.js';
import { type Run, runNode } from './helpers/run-node.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const flat = findModel('flux-2-pro')!;
const cheap = findModel('flux-2-klein-4b')!;
const byTokens = (MODELS as readonly ModelSpec[]).find((m) => m.priceUsd === null)!;
/** Sizes each model takes (token-billed output has a minimum pixel count). */
const SIZE: Record<string, string> = { [flat.id]: '256x256', [cheap.id]: '256x256', [byTokens.id]: '1024x1024' };

let simulator: GatewaySimulator;
let work: string;

beforeAll(async () => {
  if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does it first)');
  simulator = await GatewaySimulator.start({ apiKey: TEST_KEY });
  work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-spend-'));
});
afterAll(async () => {
  await simulator.close();
  await rm(work, { recursive: true, force: true });
});
beforeEach(() => simulator.reset());

function envFor(outputDir: string, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: work,
    APIYI_API_KEY: TEST_KEY,
    APIYI_BASE_URL: simulator.baseUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_MAX_RETRIES: '0',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    ...extra,
  };
}

interface Served {
  call(args: Record<string, unknown>, tool?: string): Promise<CallToolResult>;
  /** Makes one image with `model`; returns its path. */
  make(model: ModelSpec, prompt: string): Promise<string>;
  spend(): Promise<SpendReport>;
  stderr(): string;
  close(): Promise<void>;
}

/** The stdio server as an MCP client starts it, with these settings. */
async function serve(outputDir: string, extra: Record<string, string> = {}): Promise<Served> {
  const transport = new RecordingStdioTransport(process.execPath, [ENTRY], envFor(outputDir, extra));
  const client = new Client({ name: 'spend-tests', version: '1.0.0' });
  await client.connect(transport);
  const call = async (args: Record<string, unknown>, tool = 'generate_image') =>
    (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
  return {
    call,
    make: async (model, prompt) => {
      const result = await call({ prompt, model: model.id, size: SIZE[model.id] });
      expect(result.isError, textOf(result)).toBeFalsy();
      return (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
    },
    spend: async () => {
      const { contents } = await client.readResource({ uri: SPEND_URI });
      expect(contents[0]).toMatchObject({ uri: SPEND_URI, mimeType: 'application/json' });
      return JSON.parse((contents[0] as { text: string }).text) as SpendReport;
    },
    stderr: () => transport.stderrChunks.join(''),
    close: async () => {
      await client.close();
      // Nothing but JSON-RPC on stdout, whatever the ledger did.
      for (const line of transport.stdoutLines) expect(JSON.parse(line)).toHaveProperty('jsonrpc', '2.0');
      expect(transport.trailing).toBe('');
    },
  };
}

function cli(args: string[], outputDir: string, extra: Record<string, string> = {}): Promise<Run> {
  return runNode([ENTRY, ...args], envFor(outputDir, extra), work);
}

/** Every sidecar of the directory, as written. */
async function sidecarsIn(dir: string): Promise<ImageSidecar[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8'))));
}

interface Expected {
  readonly images: number;
  readonly flatUsd: number;
  readonly tokens: { input: number; output: number; total: number };
  readonly tokenImages: number;
}

/** What the sidecars (those saved in [since, until) when given) add up to, by model. */
function addUp(sidecars: readonly ImageSidecar[], since?: string | null, until?: string | null) {
  const byModel = new Map<string, Expected>();
  for (const sidecar of sidecars) {
    if (since && sidecar.createdAt < since) continue;
    if (until && sidecar.createdAt >= until) continue;
    const sum = byModel.get(sidecar.model) ?? {
      images: 0,
      flatUsd: 0,
      tokens: { input: 0, output: 0, total: 0 },
      tokenImages: 0,
    };
    byModel.set(sidecar.model, {
      images: sum.images + 1,
      flatUsd: sum.flatUsd + (sidecar.priceUsd ?? 0),
      tokens: {
        input: sum.tokens.input + (sidecar.usage?.input_tokens ?? 0),
        output: sum.tokens.output + (sidecar.usage?.output_tokens ?? 0),
        total: sum.tokens.total + (sidecar.usage?.total_tokens ?? 0),
      },
      tokenImages: sum.tokenImages + (sidecar.priceUsd === null ? 1 : 0),
    });
  }
  return byModel;
}

/** The ledger's entries, by image, and its header. */
async function ledgerLines(dir: string): Promise<{ header: unknown; entries: LedgerEntry[] }> {
  const [header, ...rest] = (await readFile(ledgerFileOf(dir), 'utf8')).split('\n').filter(Boolean);
  const entries = rest.map((line) => JSON.parse(line) as LedgerEntry);
  return { header: JSON.parse(header!), entries: entries.sort((a, b) => a.image.localeCompare(b.image)) };
}

/** The figures of a report, without when it was made. */
const figures = ({ at: _at, ...rest }: SpendReport) => rest;

describe('the ledger and the spending report', () => {
  let library: string;
  let sidecars: ImageSidecar[];

  beforeAll(async () => {
    library = await mkdtemp(path.join(work, 'library-'));
    const server = await serve(library);
    try {
      const first = await server.make(flat, 'A red fox in the snow');
      await server.make(flat, 'A lighthouse at dawn');
      await server.make(cheap, 'A paper plane');
      await server.make(byTokens, 'A teapot, studio light');
      await server.make(byTokens, 'A bakery logo, flat');
      const edited = await server.call({ prompt: 'Make the fox white', images: [first] }, 'edit_images');
      expect(edited.isError, textOf(edited)).toBeFalsy();
    } finally {
      await server.close();
    }
    sidecars = await sidecarsIn(library);
    expect(sidecars).toHaveLength(6);
  });

  it('adds up what the sidecars say: flat prices, and token-billed images unpriced with their tokens', async () => {
    const server = await serve(library);
    try {
      const report = await server.spend();
      expect(report).toMatchObject({ schema: 'flux-mcp.spend/1', currency: 'USD', outputDir: library, budget: null });
      expect(report.tokenPriceUsdPerMillion).toBeNull();
      for (const period of [report.today, report.thisMonth, report.allTime]) {
        const expected = addUp(sidecars, period.since, period.until);
        const flatSum = [...expected.values()].reduce((sum, model) => sum + model.flatUsd, 0);
        expect(period.images).toBe([...expected.values()].reduce((sum, model) => sum + model.images, 0));
        expect(period.usd).toBeCloseTo(flatSum, 9);
        expect(period.byModel.map((model) => model.model)).toEqual([...expected.keys()].sort());
        for (const model of period.byModel) {
          const sum = expected.get(model.model)!;
          expect(model.images).toBe(sum.images);
          if (sum.tokenImages > 0) {
            expect(model).toMatchObject({ usd: null, tokens: sum.tokens, unpricedImages: sum.tokenImages });
          } else {
            expect(model.usd).toBeCloseTo(sum.flatUsd, 9);
            expect(model.unpricedImages).toBe(0);
          }
        }
      }
      const all = addUp(sidecars).get(byTokens.id)!;
      expect(report.allTime.unpriced).toEqual({ images: 2, tokens: all.tokens });
      expect(all.tokens.output).toBeGreaterThan(0);
      expect(report.notes.join(' ')).toContain('FLUX_MCP_TOKEN_PRICE_USD');
    } finally {
      await server.close();
    }
  });

  it('prices the recorded token usage once FLUX_MCP_TOKEN_PRICE_USD is set', async () => {
    const server = await serve(library, { FLUX_MCP_TOKEN_PRICE_USD: 'input=5,output=40' });
    try {
      const report = await server.spend();
      const expected = addUp(sidecars);
      const tokens = expected.get(byTokens.id)!.tokens;
      const tokenUsd = (tokens.input * 5 + tokens.output * 40) / 1_000_000;
      const flatUsd = [...expected.values()].reduce((sum, model) => sum + model.flatUsd, 0);
      expect(report.tokenPriceUsdPerMillion).toEqual({ input: 5, output: 40 });
      expect(report.allTime.byModel.find((m) => m.model === byTokens.id)!.usd).toBeCloseTo(tokenUsd, 9);
      expect(report.allTime.usd).toBeCloseTo(flatUsd + tokenUsd, 9);
      expect(report.allTime.unpriced.images).toBe(0);
      expect(report.notes).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('keeps one entry per saved image, and neither the key nor anything a sidecar lacks', async () => {
    const { header, entries } = await ledgerLines(library);
    expect(header).toEqual({ format: 'flux-mcp.ledger/1' });
    expect(entries).toEqual(
      sidecars
        .map((s) => ({
          at: s.createdAt,
          model: s.model,
          image: s.file,
          job: s.job,
          priceUsd: s.priceUsd,
          ...(s.usage ? { usage: s.usage } : {}),
        }))
        .sort((a, b) => a.image.localeCompare(b.image)),
    );
    expect(await readFile(ledgerFileOf(library), 'utf8')).not.toContain(TEST_KEY);
  });

  it('rebuilds a ledger deleted under a running server from the sidecars', async () => {
    const before = await ledgerLines(library);
    const server = await serve(library);
    try {
      const figuresBefore = figures(await server.spend());
      await rm(ledgerFileOf(library));
      expect(figures(await server.spend())).toEqual(figuresBefore);
      expect(await ledgerLines(library)).toEqual(before);
      expect(server.stderr()).not.toContain('damaged');
    } finally {
      await server.close();
    }
  });

  it('rebuilds a garbled or cut-short ledger from the sidecars, with a warning', async () => {
    const before = await ledgerLines(library);
    const ledgerFile = (): string => ledgerFileOf(library);
    const text = await readFile(ledgerFile(), 'utf8');
    const lines = text.split('\n');
    const damages: [string, () => Promise<void>][] = [
      [
        'a line is not a ledger entry',
        () => writeFile(ledgerFile(), [...lines.slice(0, 3), '{"at":', ...lines.slice(3)].join('\n')),
      ],
      ['its last line is cut short', () => truncate(ledgerFile(), text.length - 10)],
      ['it does not start with the flux-mcp.ledger/1 header', () => writeFile(ledgerFile(), lines.slice(1).join('\n'))],
    ];
    for (const [damage, inflict] of damages) {
      await inflict();
      // A server that starts with it finds it damaged.
      const server = await serve(library);
      try {
        const report = await server.spend();
        expect(report.allTime.images, damage).toBe(sidecars.length);
        expect(server.stderr()).toContain(`is damaged (${damage}); rebuilding it from the sidecars`);
      } finally {
        await server.close();
      }
      expect(await ledgerLines(library)).toEqual(before);
    }
  });
});

describe('two processes saving into one folder', () => {
  it('the CLI and a running server both append; each sees the other, and every image once', async () => {
    const shared = await mkdtemp(path.join(work, 'shared-'));
    const server = await serve(shared);
    try {
      await server.make(flat, 'The first, by the server');
      expect((await server.spend()).allTime.images).toBe(1);
      // Both at once: two CLI processes and two server calls appending to the same file.
      const [a, b] = await Promise.all([
        cli(['generate', 'From the terminal', '--size', '256x256'], shared),
        cli(['generate', 'Also from the terminal', '--model', cheap.id, '--size', '256x256'], shared),
        server.make(flat, 'By the server, meanwhile'),
        server.make(cheap, 'By the server, too'),
      ]);
      expect((a as Run).code, (a as Run).stderr).toBe(0);
      expect((b as Run).code, (b as Run).stderr).toBe(0);

      // The server read only what was appended since (it had loaded the ledger above).
      const report = await server.spend();
      const sidecars = await sidecarsIn(shared);
      expect(sidecars).toHaveLength(5);
      expect(report.allTime.images).toBe(5);
      expect(report.allTime.usd).toBeCloseTo(flat.priceUsd! * 3 + cheap.priceUsd! * 2, 9);
      const { entries } = await ledgerLines(shared);
      expect(entries.map((entry) => entry.image)).toEqual(sidecars.map((s) => s.file).sort());

      // `flux-mcp spend --json` prints that same report; the text says it for people.
      const json = await cli(['spend', '--json'], shared);
      expect(json.code, json.stderr).toBe(0);
      expect(figures(JSON.parse(json.stdout) as SpendReport)).toEqual(figures(report));
      const text = await cli(['spend'], shared);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(`all time: ${formatUsd(report.allTime.usd)} for 5 images`);
      const modelLine = `${flat.id} +3 images  ${formatUsd(flat.priceUsd! * 3)}\n`;
      expect(text.stdout).toMatch(new RegExp(modelLine.replace(/[.$]/g, '\\$&')));
      expect(text.stdout).toContain('cap: none');
      expect(text.stderr).toBe('');
    } finally {
      await server.close();
    }
  });
});

describe('the cap', () => {
  it('refuses a call that would pass it before anything is sent, saying what was spent, the cap, the cost and the setting', async () => {
    const dir = await mkdtemp(path.join(work, 'capped-'));
    const cap = flat.priceUsd! * 1.5;
    const server = await serve(dir, { FLUX_MCP_BUDGET_USD: String(cap) });
    try {
      const first = await server.make(flat, 'Within the cap');
      simulator.reset();

      const refused = await server.call({ prompt: 'Past the cap', model: flat.id, size: '256x256' });
      expect(refused.isError).toBe(true);
      expect(failureCategoryOf(refused)).toBe('budget_exceeded');
      const text = textOf(refused);
      expect(text).toMatch(/^budget_exceeded: /);
      expect(text).toContain(`this call would cost ${formatUsd(flat.priceUsd!)}`); // the call's cost
      expect(text).toContain(`${formatUsd(flat.priceUsd!)} spent today`); // what was spent
      expect(text).toContain(`the spending cap of ${formatUsd(cap)} a day`); // the cap
      expect(text).toContain(`raise FLUX_MCP_BUDGET_USD (now ${cap})`); // how to raise it

      const edit = await server.call({ prompt: 'Make it blue', images: [first] }, 'edit_images');
      expect(failureCategoryOf(edit)).toBe('budget_exceeded');
      const tokens = await server.call({ prompt: 'A teapot', model: byTokens.id, size: SIZE[byTokens.id] });
      expect(failureCategoryOf(tokens)).toBe('budget_exceeded');
      expect(textOf(tokens)).toContain(`${byTokens.id} is billed by tokens`);
      expect(textOf(tokens)).toContain('Set FLUX_MCP_TOKEN_PRICE_USD');
      // Refused before anything was sent.
      expect(simulator.requests).toEqual([]);

      const { budget } = await server.spend();
      expect(budget).toMatchObject({ capUsd: cap, period: 'day', reservedUsd: 0 });
      expect(budget!.spentUsd).toBeCloseTo(flat.priceUsd!, 9);
      expect(budget!.leftUsd).toBeCloseTo(cap - flat.priceUsd!, 9);
    } finally {
      await server.close();
    }
  });

  it('holds the cost of every image a call asks for (count), refusing the call whole when they do not fit', async () => {
    const dir = await mkdtemp(path.join(work, 'count-'));
    const cap = flat.priceUsd! * 2.5;
    const server = await serve(dir, { FLUX_MCP_BUDGET_USD: String(cap) });
    try {
      const three = await server.call({ prompt: 'Three fit not', model: flat.id, size: '256x256', count: 3 });
      expect(failureCategoryOf(three)).toBe('budget_exceeded');
      expect(textOf(three)).toContain(`this call would cost ${formatUsd(flat.priceUsd! * 3)}`);
      expect(simulator.requests).toEqual([]);

      const two = await server.call({ prompt: 'Two fit', model: flat.id, size: '256x256', count: 2 });
      expect(two.isError, textOf(two)).toBeFalsy();
      expect((two.structuredContent as { images: unknown[] }).images).toHaveLength(2);
      expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
      const { budget } = await server.spend();
      expect(budget!.spentUsd).toBeCloseTo(flat.priceUsd! * 2, 9);
    } finally {
      await server.close();
    }
  });

  it('refuses from the CLI too, with exit code 3 and no request', async () => {
    const dir = await mkdtemp(path.join(work, 'zero-'));
    const run = await cli(['generate', 'Nothing allowed', '--size', '256x256'], dir, { FLUX_MCP_BUDGET_USD: '0' });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('budget_exceeded: this call would cost');
    expect(run.stderr).toContain('the spending cap of $0.00 a day');
    expect(simulator.requests).toEqual([]);
    const spend = await cli(['spend'], dir, { FLUX_MCP_BUDGET_USD: '0' });
    expect(spend.stdout).toContain('cap: $0.00 a day; $0.00 spent today');
  });
});
