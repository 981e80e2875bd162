/**
 * The ledger's file backend, the periods and prices of the spending report, and the cap, on their
 * own: the clock is passed in (`now`), never waited for. The server, the CLI and the simulator are
 * in test/spend.test.ts.
 */
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findModel, MODELS, type ModelSpec } from '../../src/catalog/models.js';
import { type Config, loadConfig } from '../../src/config.js';
import { ToolFailure } from '../../src/core/failure.js';
import { createLogger } from '../../src/core/log.js';
import { formatUsd } from '../../src/core/units.js';
import { FileLedger, ledgerFileOf } from '../../src/library/file-ledger.js';
import type { LedgerEntry } from '../../src/library/ledger.js';
import { periodOf, periodSpend } from '../../src/library/spend.js';
import { Budget } from '../../src/pipeline/budget.js';
import { spendReport } from '../../src/pipeline/spend-report.js';

const flat = findModel('flux-2-pro')!;
const dear = findModel('flux-2-max')!;
const byTokens = (MODELS as readonly ModelSpec[]).find((m) => m.priceUsd === null)!;

let dir: string;
let logLines: string[];
const log = () => createLogger('debug', [], (line) => logLines.push(line));

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-spend-'));
  logLines = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

let serial = 0;
function entry(model: ModelSpec, at: Date, usage?: LedgerEntry['usage']): LedgerEntry {
  serial += 1;
  return {
    at: at.toISOString(),
    model: model.id,
    image: `image-${serial}.jpg`,
    job: `job_test${serial}`,
    priceUsd: model.priceUsd,
    ...(usage ? { usage } : {}),
  };
}

function configWith(env: Record<string, string>): Config {
  return loadConfig({ FLUX_MCP_OUTPUT_DIR: dir, ...env });
}

/** The report of a ledger at `now`, with the settings of `env`. */
function reportAt(ledger: FileLedger, now: Date, env: Record<string, string> = {}) {
  const config = configWith(env);
  return spendReport({ config, ledger, budget: new Budget({ ledger, config, now: () => now }) }, now);
}

describe('periods in local time', () => {
  const zone = process.env.TZ;
  // Far from UTC, so that a period taken in UTC would be caught.
  beforeAll(() => {
    process.env.TZ = 'Asia/Tokyo';
  });
  afterAll(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('counts an image in the local day and month it was saved in, either side of midnight', async () => {
    const ledger = new FileLedger(dir, log());
    const beforeMidnight = new Date(2026, 11, 31, 23, 59, 59, 999);
    const atMidnight = new Date(2027, 0, 1, 0, 0, 0, 0);
    expect(atMidnight.toISOString()).toBe('2026-12-31T15:00:00.000Z');
    await ledger.record(entry(flat, beforeMidnight));
    await ledger.record(entry(dear, atMidnight));

    const lastMoment = await reportAt(ledger, beforeMidnight);
    expect(lastMoment.today).toMatchObject({ images: 1, usd: flat.priceUsd });
    expect(lastMoment.thisMonth).toMatchObject({ images: 1, usd: flat.priceUsd });
    expect(lastMoment.allTime).toMatchObject({ images: 2 });
    expect(lastMoment.allTime.usd).toBeCloseTo(flat.priceUsd! + dear.priceUsd!, 9);

    const newYear = await reportAt(ledger, atMidnight);
    expect(newYear.today).toMatchObject({ images: 1, usd: dear.priceUsd, since: atMidnight.toISOString() });
    expect(newYear.today.byModel).toEqual([{ model: dear.id, images: 1, usd: dear.priceUsd, unpricedImages: 0 }]);
    expect(newYear.thisMonth).toMatchObject({ images: 1, usd: dear.priceUsd });
    expect(newYear.allTime.images).toBe(2);
    expect(newYear.timeZone).toBe('Asia/Tokyo');
  });

  it('starts the cap afresh at local midnight (day) or on the first (month)', async () => {
    const ledger = new FileLedger(dir, log());
    await ledger.record(entry(flat, new Date(2026, 11, 31, 23, 59, 59, 0)));
    // Room for one more image of the day's, not two.
    const cap = String(flat.priceUsd! * 1.5);
    const capAt = (period: string, now: Date) =>
      new Budget({
        ledger,
        config: configWith({ FLUX_MCP_BUDGET_USD: cap, FLUX_MCP_BUDGET_PERIOD: period }),
        now: () => now,
      });
    const lastMoment = new Date(2026, 11, 31, 23, 59, 59, 999);
    const midnight = new Date(2027, 0, 1);
    await expect(capAt('day', lastMoment).reserve(flat, 1)).rejects.toThrow(/spent today/);
    await expect(capAt('day', midnight).reserve(flat, 1)).resolves.toBeDefined();
    await expect(capAt('month', new Date(2026, 11, 1)).reserve(flat, 1)).rejects.toThrow(/spent this month/);
    await expect(capAt('month', midnight).reserve(flat, 1)).resolves.toBeDefined();
  });

  it('makes days of 23 and 25 hours where the clocks change', () => {
    process.env.TZ = 'Europe/Berlin';
    try {
      const spring = periodOf('day', new Date(2026, 2, 29, 12));
      expect(spring.until.getTime() - spring.since.getTime()).toBe(23 * 3600_000);
      const autumn = periodOf('day', new Date(2026, 9, 25, 12));
      expect(autumn.until.getTime() - autumn.since.getTime()).toBe(25 * 3600_000);
    } finally {
      process.env.TZ = 'Asia/Tokyo';
    }
  });
});

describe('prices', () => {
  const now = new Date(2026, 5, 15, 12);
  const usage = { input_tokens: 1_000, output_tokens: 20_000, total_tokens: 21_000 };

  it('shows token-billed images as unpriced with their tokens until a token price is set, never as $0', async () => {
    const ledger = new FileLedger(dir, log());
    await ledger.record(entry(flat, now));
    await ledger.record(entry(byTokens, now, usage));
    await ledger.record(entry(byTokens, now, usage));
    const report = await reportAt(ledger, now);
    expect(report.tokenPriceUsdPerMillion).toBeNull();
    expect(report.today).toMatchObject({
      images: 3,
      usd: flat.priceUsd,
      unpriced: { images: 2, tokens: { input: 2_000, output: 40_000, total: 42_000 } },
    });
    expect(report.today.byModel.find((m) => m.model === byTokens.id)).toEqual({
      model: byTokens.id,
      images: 2,
      usd: null,
      tokens: { input: 2_000, output: 40_000, total: 42_000 },
      unpricedImages: 2,
    });
    expect(report.notes.join(' ')).toMatch(/2 image\(s\) billed by tokens are unpriced.*FLUX_MCP_TOKEN_PRICE_USD/);
  });

  it('prices tokens per million, one price for all or input and output apart', async () => {
    const ledger = new FileLedger(dir, log());
    await ledger.record(entry(byTokens, now, usage));
    const apart = await reportAt(ledger, now, { FLUX_MCP_TOKEN_PRICE_USD: 'input=5, output=40' });
    // 1,000 × $5/M + 20,000 × $40/M
    expect(apart.today.usd).toBeCloseTo(0.005 + 0.8, 9);
    expect(apart.today.unpriced.images).toBe(0);
    expect(apart.notes).toEqual([]);
    const one = await reportAt(ledger, now, { FLUX_MCP_TOKEN_PRICE_USD: '10' });
    expect(one.today.byModel[0]!.usd).toBeCloseTo(0.21, 9);
  });

  it('leaves an image whose token usage was not reported unpriced, whatever the price', async () => {
    const ledger = new FileLedger(dir, log());
    await ledger.record(entry(byTokens, now));
    const report = await reportAt(ledger, now, { FLUX_MCP_TOKEN_PRICE_USD: '10' });
    expect(report.today).toMatchObject({ images: 1, usd: 0, unpriced: { images: 1 } });
    expect(report.today.byModel[0]).toEqual({ model: byTokens.id, images: 1, usd: null, unpricedImages: 1 });
    expect(report.notes.join(' ')).toContain('no recorded token usage');
  });

  it('formats amounts with cents, and the fractions of a cent prices have', () => {
    expect([0, 0.035, 5, 4.96, 1234.5, 0.1 + 0.2].map(formatUsd)).toEqual([
      '$0.00',
      '$0.035',
      '$5.00',
      '$4.96',
      '$1,234.50',
      '$0.30',
    ]);
    expect(periodSpend([], undefined)).toMatchObject({ since: null, until: null, images: 0, usd: 0 });
  });
});

describe('the cap', () => {
  const now = new Date(2026, 5, 15, 12);
  const budgetOf = (ledger: FileLedger, env: Record<string, string>) =>
    new Budget({ ledger, config: configWith(env), now: () => now });

  it('holds each call’s cost until it is released, so calls started together cannot pass it together', async () => {
    const ledger = new FileLedger(dir, log());
    const budget = budgetOf(ledger, { FLUX_MCP_BUDGET_USD: String(flat.priceUsd! * 2) });
    const [first, second, third] = await Promise.allSettled([
      budget.reserve(flat, 1),
      budget.reserve(flat, 1),
      budget.reserve(flat, 1),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('fulfilled');
    expect(third.status).toBe('rejected');
    const refusal = (third as PromiseRejectedResult).reason as ToolFailure;
    expect(refusal.category).toBe('budget_exceeded');
    expect(refusal.message).toContain(`${formatUsd(flat.priceUsd! * 2)} held by calls under way`);
    expect((await budget.status())?.reservedUsd).toBeCloseTo(flat.priceUsd! * 2, 9);

    // The first call's image is saved, then its job ends: counted once, in the ledger.
    await ledger.record(entry(flat, now));
    (first as PromiseFulfilledResult<{ release(): void }>).value.release();
    (first as PromiseFulfilledResult<{ release(): void }>).value.release(); // harmless
    expect(await budget.status()).toMatchObject({ reservedUsd: flat.priceUsd, leftUsd: 0 });
    await expect(budget.reserve(flat, 1)).rejects.toThrow(/would pass/);
    // The second one failed at the gateway: nothing spent, its hold given back.
    (second as PromiseFulfilledResult<{ release(): void }>).value.release();
    await expect(budget.reserve(flat, 1)).resolves.toBeDefined();
  });

  it('costs a call of several images as a whole, and says what was spent, the cap, the cost and the setting', async () => {
    const ledger = new FileLedger(dir, log());
    await ledger.record(entry(flat, now));
    const budget = budgetOf(ledger, { FLUX_MCP_BUDGET_USD: '0.2' });
    const refusal = (await budget.reserve(dear, 3).catch((error: unknown) => error)) as ToolFailure;
    expect(refusal).toBeInstanceOf(ToolFailure);
    expect(refusal.message).toBe(
      `this call would cost ${formatUsd(3 * dear.priceUsd!)} (3 images of ${dear.id} at ${formatUsd(dear.priceUsd!)}), ` +
        `which would pass the spending cap of $0.20 a day: ${formatUsd(flat.priceUsd!)} spent today, ` +
        `${formatUsd(0.2 - flat.priceUsd!)} left`,
    );
    expect(refusal.details.hint).toContain('raise FLUX_MCP_BUDGET_USD (now 0.2)');
    expect(refusal.details.hint).toMatch(/^Nothing was sent\./);
    await expect(budget.reserve(dear, 2)).resolves.toBeDefined();
  });

  it('refuses token-billed models when no token price lets it count them; with one, runs them while under the cap', async () => {
    const ledger = new FileLedger(dir, log());
    const unpriced = await budgetOf(ledger, { FLUX_MCP_BUDGET_USD: '1' })
      .reserve(byTokens, 1)
      .catch((error: unknown) => error as ToolFailure);
    expect(unpriced).toMatchObject({ category: 'budget_exceeded' });
    expect((unpriced as ToolFailure).message).toContain(`${byTokens.id} is billed by tokens`);
    expect((unpriced as ToolFailure).details.hint).toContain('Set FLUX_MCP_TOKEN_PRICE_USD');

    const priced = budgetOf(ledger, { FLUX_MCP_BUDGET_USD: '1', FLUX_MCP_TOKEN_PRICE_USD: '40' });
    const held = await priced.reserve(byTokens, 4);
    expect((await priced.status())?.reservedUsd).toBe(0); // unknown until the gateway answers
    held.release();
    // 25,000 tokens at $40 per million: exactly the cap, counted after the fact.
    await ledger.record(entry(byTokens, now, { input_tokens: 5_000, output_tokens: 20_000 }));
    expect((await priced.status())?.spentUsd).toBeCloseTo(1, 9);
    await expect(priced.reserve(byTokens, 1)).rejects.toThrow(/cap of \$1\.00 a day is reached: \$1\.00 spent today/);
    await expect(priced.reserve(flat, 1)).rejects.toThrow(/would pass/);
  });

  it('reads nothing and holds nothing without a cap', async () => {
    const ledger = new FileLedger(path.join(dir, 'never-made'), log());
    const budget = budgetOf(ledger, {});
    const held = await budget.reserve(byTokens, 8);
    held.release();
    expect(await budget.status()).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('the ledger file', () => {
  const now = new Date(2026, 5, 15, 12);
  const ledgerFile = () => ledgerFileOf(dir);
  const imagesIn = async (ledger: FileLedger) => (await ledger.totals()).reduce((sum, model) => sum + model.images, 0);

  it('is one header and one line per image, appended; never holds more than an entry says', async () => {
    const ledger = new FileLedger(dir, log());
    const first = entry(flat, now);
    const second = entry(byTokens, now, { input_tokens: 1, output_tokens: 2, total_tokens: 3 });
    await ledger.record(first);
    await ledger.record(second);
    const lines = (await readFile(ledgerFile(), 'utf8')).split('\n');
    expect(lines.map((line) => (line ? JSON.parse(line) : line))).toEqual([
      { format: 'flux-mcp.ledger/1' },
      first,
      second,
      '',
    ]);
  });

  it('counts an image recorded twice once', async () => {
    const ledger = new FileLedger(dir, log());
    const once = entry(flat, now);
    await ledger.record(once);
    await ledger.record(once);
    expect(await imagesIn(ledger)).toBe(1);
  });

  it('reads what another process appended since, and leaves a line still being written for later', async () => {
    const reader = new FileLedger(dir, log());
    const writer = new FileLedger(dir, log());
    await writer.record(entry(flat, now));
    expect(await imagesIn(reader)).toBe(1);
    await writer.record(entry(flat, now));
    expect(await imagesIn(reader)).toBe(2);
    const line = JSON.stringify(entry(dear, now));
    await appendFile(ledgerFile(), line.slice(0, 20));
    expect(await imagesIn(reader)).toBe(2);
    await appendFile(ledgerFile(), `${line.slice(20)}\n`);
    expect(await imagesIn(reader)).toBe(3);
    expect(logLines.filter((l) => l.includes('damaged'))).toEqual([]);
  });

  it('makes nothing for a query of an output directory that does not exist yet', async () => {
    const missing = path.join(dir, 'not-yet');
    expect(await new FileLedger(missing, log()).totals()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('warns once and still counts when the ledger cannot be written', async () => {
    // A file where the state folder should be: not even root can write in it.
    await writeFile(path.join(dir, '.flux-mcp'), 'in the way');
    const ledger = new FileLedger(dir, log());
    await ledger.record(entry(flat, now));
    await ledger.record(entry(flat, now));
    expect(await imagesIn(ledger)).toBe(2);
    expect(logLines.filter((l) => l.includes('cannot write the ledger'))).toHaveLength(1);
  });

  it('rebuilds a file that another format or a stray line has damaged, with a warning', async () => {
    await mkdir(path.join(dir, '.flux-mcp'));
    await writeFile(ledgerFile(), 'not a ledger\n');
    const ledger = new FileLedger(dir, log());
    expect(await imagesIn(ledger)).toBe(0);
    expect(logLines.join('\n')).toMatch(
      /the ledger .* is damaged \(it does not start with the flux-mcp\.ledger\/1 header\)/,
    );
    expect(await readFile(ledgerFile(), 'utf8')).toBe('{"format":"flux-mcp.ledger/1"}\n');
  });
});
