/**
 * Fault injection against the simulator, one test per scenario. Each asserts the outcome (success,
 * or which error category), the exact number of gateway requests, and that the output directory
 * holds no partial or temp file afterwards: an image and its sidecar, complete, or nothing.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_META_KEY } from '../src/core/failure.js';
import { type Harness, startHarness, TEST_KEY, textOf } from './helpers/harness.js';

const ARGS = { prompt: 'A lighthouse at dawn', seed: 3 };
const GPT = { prompt: 'A lighthouse at dawn', model: 'gpt-image-2', quality: 'low' };
/** Short backoff so retries do not slow the suite; the policy itself is unit-tested in retry.test.ts. */
const FAST = { retryBaseMs: 20, progressIntervalMs: 50 };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ server: FAST });
});
afterAll(() => h.close());
afterEach(async () => {
  h.simulator.reset();
  await cleanOutput(h);
});

/** Assert the output directory holds only complete image + sidecar pairs, then empty it. */
async function cleanOutput(harness: Harness): Promise<void> {
  const files = await harness.outputFiles();
  expect(
    files.filter((f) => f.startsWith('.') || f.endsWith('.tmp')),
    'no temp file',
  ).toEqual([]);
  const { rm } = await import('node:fs/promises');
  for (const file of files.filter((f) => f.endsWith('.json'))) {
    const sidecar = JSON.parse(await readFile(path.join(harness.outputDir, file), 'utf8')) as {
      file: string;
      image: { sha256: string; bytes: number };
    };
    const image = await readFile(path.join(harness.outputDir, sidecar.file));
    expect(image.length).toBe(sidecar.image.bytes);
    expect(createHash('sha256').update(image).digest('hex')).toBe(sidecar.image.sha256);
  }
  expect(files.length % 2, 'every image has its sidecar').toBe(0);
  for (const file of files) await rm(path.join(harness.outputDir, file));
}

function succeeded(result: CallToolResult): { attempts: number; images: { path: string }[] } {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as { attempts: number; images: { path: string }[] };
}

function failedWith(result: CallToolResult, category: string): string {
  const text = textOf(result);
  expect(result.isError, text).toBe(true);
  expect(text.startsWith(`${category}: `), text).toBe(true);
  expect(result._meta?.[FAILURE_META_KEY], 'the category as data').toEqual({ category });
  expect(text).not.toContain(TEST_KEY);
  return text;
}

const busy = {
  status: 503,
  body: { error: { message: 'upstream busy', type: 'server_error', code: null, param: null } },
};

describe('retried, and then succeeding', () => {
  it('429 then 200, honouring retry-after-ms', async () => {
    h.simulator.enqueue({
      status: 429,
      headers: { 'retry-after-ms': '30' },
      body: { error: { message: 'too many active tasks' } },
    });
    const out = succeeded(await h.call(ARGS));
    expect(out.attempts).toBe(2);
    expect(h.simulator.apiRequests().map((r) => r.status)).toEqual([429, 200]);
    expect((await h.outputFiles()).length).toBe(2);
  });

  it('503, 503, 200', async () => {
    h.simulator.enqueue(busy, busy);
    const result = await h.call(ARGS);
    expect(succeeded(result).attempts).toBe(3);
    expect(textOf(result)).toContain('3 attempts');
    expect(h.simulator.apiRequests().map((r) => r.status)).toEqual([503, 503, 200]);
    const sidecar = JSON.parse(
      await readFile(succeeded(result).images[0]!.path.replace(/\.\w+$/, '.json'), 'utf8'),
    ) as { attempts: number };
    expect(sidecar.attempts).toBe(3);
  });

  it('connection reset before any response, then 200', async () => {
    h.simulator.enqueue({ drop: true });
    expect(succeeded(await h.call(ARGS)).attempts).toBe(2);
    expect(h.simulator.apiRequests()).toHaveLength(2);
  });

  it('a truncated download is downloaded again (downloads are free)', async () => {
    h.simulator.enqueueDelivery({ truncateAfterBytes: 500 });
    expect(succeeded(await h.call(ARGS)).attempts).toBe(1);
    expect(h.simulator.apiRequests()).toHaveLength(1);
    expect(h.simulator.deliveryRequests()).toHaveLength(2);
  });
});

describe('failing, with the right category and request count', () => {
  it('503 × 3: gateway_error after 3 attempts', async () => {
    h.simulator.enqueue(busy, busy, busy);
    const text = failedWith(await h.call(ARGS), 'gateway_error');
    expect(text.split('\n')[0]).toContain('after 3 attempts');
    expect(h.simulator.apiRequests()).toHaveLength(3);
  });

  it('503 with x-should-retry: false is not retried', async () => {
    h.simulator.enqueue({ ...busy, headers: { 'x-should-retry': 'false' } });
    failedWith(await h.call(ARGS), 'gateway_error');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('an HTML 502 from a proxy, every time: gateway_error quoting the page title', async () => {
    const page = { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>' };
    h.simulator.enqueue(page, page, page);
    const text = failedWith(await h.call(ARGS), 'gateway_error');
    expect(text).toContain('an HTML page ("502 Bad Gateway")');
    expect(h.simulator.apiRequests()).toHaveLength(3);
  });

  it('a 200 with invalid JSON: gateway_error, never sent again', async () => {
    h.simulator.enqueue({ status: 200, body: '{"data": [' });
    failedWith(await h.call(ARGS), 'gateway_error');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('a 200 with an empty data array: gateway_error', async () => {
    h.simulator.enqueue({ status: 200, body: { created: 1, data: [] } });
    failedWith(await h.call(ARGS), 'gateway_error');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('a b64_json that is not base64: gateway_error', async () => {
    h.simulator.enqueue({ status: 200, body: { created: 1, data: [{ b64_json: 'not*base64!' }] } });
    failedWith(await h.call(GPT), 'gateway_error');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('a delivery URL that serves a non-image: gateway_error, downloaded once', async () => {
    h.simulator.enqueueDelivery({ status: 200, body: '<html>Access denied</html>' });
    failedWith(await h.call(ARGS), 'gateway_error');
    expect(h.simulator.apiRequests()).toHaveLength(1);
    expect(h.simulator.deliveryRequests()).toHaveLength(1);
  });

  it('a delivery 404: expired_result, not retried', async () => {
    h.simulator.enqueueDelivery({ status: 404, body: 'gone' });
    failedWith(await h.call(ARGS), 'expired_result');
    expect(h.simulator.apiRequests()).toHaveLength(1);
    expect(h.simulator.deliveryRequests()).toHaveLength(1);
  });

  it('a 401: auth, one request, a message about the key', async () => {
    h.simulator.enqueue({
      status: 401,
      body: { error: { message: `Invalid token: ${TEST_KEY}`, type: 'authentication_error' } },
    });
    const text = failedWith(await h.call(ARGS), 'auth');
    expect(text).toContain('APIYI_API_KEY');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('a moderation 403 (FLUX): moderation, one request', async () => {
    h.simulator.enqueue({ status: 403, body: { error: { message: 'Request Moderated' } } });
    failedWith(await h.call(ARGS), 'moderation');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('a gpt-image moderation_blocked 400: moderation, one request', async () => {
    h.simulator.enqueue({
      status: 400,
      body: { error: { message: 'Your request was rejected by the safety system', code: 'moderation_blocked' } },
    });
    failedWith(await h.call(GPT), 'moderation');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('a download failing until its URL expires: network, with the URL, after several tries', async () => {
    const shortLived = await startHarness({ server: FAST, simulator: { resultTtlMs: 300 } });
    try {
      shortLived.simulator.enqueueDelivery(...Array.from({ length: 50 }, () => ({ status: 500, body: 'cdn down' })));
      const text = failedWith(await shortLived.call(ARGS), 'network');
      expect(text).toContain(`${shortLived.simulator.origin}/results/`);
      expect(shortLived.simulator.apiRequests()).toHaveLength(1);
      expect(shortLived.simulator.deliveryRequests().length).toBeGreaterThanOrEqual(2);
      await cleanOutput(shortLived);
    } finally {
      await shortLived.close();
    }
  });
});

describe('timeouts', () => {
  it('a hang past the timeout: timeout, exactly one request, saying it may be billed', async () => {
    const slow = await startHarness({ server: FAST, config: { timeoutMs: 300 } });
    try {
      slow.simulator.enqueue({ hang: true });
      const text = failedWith(await slow.call(ARGS), 'timeout');
      expect(text).toContain('no answer from the gateway within 0.3 s');
      expect(text).toContain('may still have made and billed the image, so the request was not sent again');
      expect(slow.simulator.apiRequests()).toHaveLength(1);
      await cleanOutput(slow);
    } finally {
      await slow.close();
    }
  });
});

describe('cancellation', () => {
  it('while waiting for the gateway: the client gets no result, and the paid image is still saved', async () => {
    h.simulator.enqueue({ delayMs: 300 });
    const controller = new AbortController();
    const arrived = once(h.simulator, 'request');
    const call = h.client.callTool({ name: 'generate_image', arguments: ARGS }, undefined, {
      signal: controller.signal,
    });
    await arrived;
    const from = h.logLines.length;
    controller.abort('the user gave up');
    await expect(call).rejects.toThrow();
    const line = await h.waitForLog(
      /the client cancelled the call after the request went out; the paid image was saved anyway: /,
      from,
    );
    const saved = line.slice(line.indexOf(': /') + 2).trim();
    expect(path.dirname(saved)).toBe(h.outputDir);
    expect((await h.outputFiles()).length).toBe(2);
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it("by the client's own timeout: the image is still saved", async () => {
    h.simulator.enqueue({ delayMs: 300 });
    const from = h.logLines.length;
    const call = h.client.callTool({ name: 'generate_image', arguments: { ...ARGS, seed: 8 } }, undefined, {
      timeout: 100,
    });
    await expect(call).rejects.toThrow(/timed out/i);
    await h.waitForLog(/cancelled the call after the request went out; the paid image was saved anyway/, from);
    expect((await h.outputFiles()).length).toBe(2);
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('by a closed transport: the image is still saved', async () => {
    const closing = await startHarness({ server: FAST });
    try {
      closing.simulator.enqueue({ delayMs: 300 });
      const call = closing.call({ ...ARGS, seed: 9 });
      await once(closing.simulator, 'request');
      await closing.client.close();
      await expect(call).rejects.toThrow();
      await closing.waitForLog(/the paid image was saved anyway/);
      expect((await closing.outputFiles()).length).toBe(2);
      expect(closing.simulator.apiRequests()).toHaveLength(1);
      await cleanOutput(closing);
    } finally {
      await closing.close().catch(() => undefined);
    }
  });

  it('while queued: it leaves the line and never reaches the gateway', async () => {
    const single = await startHarness({ server: FAST, config: { maxConcurrent: 1 } });
    try {
      single.simulator.enqueue({ delayMs: 200 });
      const first = single.call(ARGS);
      await once(single.simulator, 'request');
      const controller = new AbortController();
      const queued = new Promise<string>((resolve) => {
        void single.client
          .callTool({ name: 'generate_image', arguments: { ...ARGS, seed: 4 } }, undefined, {
            signal: controller.signal,
            onprogress: (p) => {
              if (p.message?.startsWith('queued')) resolve(p.message);
            },
          })
          .catch(() => undefined);
      });
      expect(await queued).toBe('queued: position 1 of 1 waiting for a free slot');
      controller.abort();
      succeeded(await first);
      expect(single.simulator.apiRequests()).toHaveLength(1);
      await cleanOutput(single);
    } finally {
      await single.close();
    }
  });
});
