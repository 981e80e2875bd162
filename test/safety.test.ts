/**
 * Safety promises: whatever `filename` holds, the image lands inside the output directory under a
 * clean name; the key is never written anywhere, whatever the gateway echoes; a server that is
 * shutting down refuses new calls but lets the ones under way finish and save.
 */
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InFlightCalls } from '../src/mcp/in-flight.js';
import { type Harness, startHarness, TEST_KEY, textOf } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ server: { retryBaseMs: 10 } });
});
afterAll(() => h.close());
beforeEach(() => h.simulator.reset());

describe('filename', () => {
  const hostile = [
    '../../../etc/passwd',
    '/etc/cron.d/evil',
    '..\\..\\Windows\\System32\\evil',
    'C:\\Users\\victim\\evil',
    'nul\u0000byte',
    'bell\u0007and\nnewline\r\ttab',
    'CON',
    'aux.txt',
    'x'.repeat(500),
    '...',
    '.',
    '..',
    '.hidden',
    '   ',
    '🦊🔥',
  ];

  // After each name, not once at the end: a final check would check nothing if it ran first.
  afterEach(async () => {
    for (const name of await h.outputFiles())
      expect(name, 'nothing outside the clean pattern in the output directory').toMatch(
        /^\d{8}-\d{6}-[a-z0-9-]{1,48}-[a-z0-9]{6}\.(jpg|json)$/,
      );
  });

  it.each(hostile.map((name) => [JSON.stringify(name).slice(0, 40), name]))(
    '%s: saved inside the output directory under a clean name',
    async (_label, filename) => {
      const result = await h.call({ prompt: 'A small red square', size: '256x256', filename });
      expect(result.isError, textOf(result)).toBeFalsy();
      const saved = (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
      expect(path.dirname(saved)).toBe(h.outputDir);
      expect(path.basename(saved)).toMatch(/^\d{8}-\d{6}-[a-z0-9-]{1,48}-[a-z0-9]{6}\.jpg$/);
    },
  );
});

describe('the API key', () => {
  it('appears in no result, log line or file, even when the gateway echoes it', async () => {
    const echo = { error: { message: `bad request for key ${TEST_KEY}`, param: TEST_KEY } };
    h.simulator.enqueue(
      { status: 400, body: echo },
      { status: 401, body: echo },
      { status: 200, body: { data: [], error: { message: TEST_KEY } } },
    );
    const results = [
      await h.call({ prompt: 'x' }),
      await h.call({ prompt: 'x' }),
      await h.call({ prompt: 'x' }),
      await h.call({ prompt: 'fine' }),
    ];
    for (const result of results) expect(JSON.stringify(result)).not.toContain(TEST_KEY);
    expect(textOf(results[0]!)).toContain('[redacted]');
    expect(h.logLines.join('\n')).not.toContain(TEST_KEY);
    // Every file, the server's own records (.flux-mcp: index, jobs) included.
    for (const name of await readdir(h.outputDir, { recursive: true })) {
      const file = path.join(h.outputDir, name);
      if ((await stat(file)).isFile()) expect(await readFile(file, 'latin1')).not.toContain(TEST_KEY);
    }
    // …and it did go where it belongs, the Authorization header.
    expect(h.simulator.apiRequests().every((r) => r.headers.authorization === `Bearer ${TEST_KEY}`)).toBe(true);
    expect(h.simulator.deliveryRequests().every((r) => r.headers.authorization === undefined)).toBe(true);
  });
});

describe('shutting down', () => {
  it('refuses new calls with `unavailable` while the call under way finishes and saves', async () => {
    const inFlight = new InFlightCalls();
    const draining = await startHarness({ server: { inFlight } });
    try {
      // The gateway "works" on the first call until the second has been refused.
      let finish!: () => void;
      draining.simulator.enqueue({ holdUntil: new Promise<void>((resolve) => (finish = resolve)) });
      const slow = draining.call({ prompt: 'A slow one', seed: 1 });
      await once(draining.simulator, 'request');
      const drained = inFlight.drain(10_000);
      const refused = await draining.call({ prompt: 'Too late' });
      finish();
      expect(textOf(refused)).toMatch(/^unavailable: the server is shutting down/);
      expect((await slow).isError).toBeFalsy();
      expect(await drained).toBe(true);
      expect(draining.simulator.apiRequests()).toHaveLength(1);
    } finally {
      await draining.close();
    }
  });
});
