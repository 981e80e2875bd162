/**
 * Gateway failures become isError results an agent can act on: `<category>: <what happened>`,
 * the gateway's own words and request id, what to do next. Each case asserts how many requests
 * the simulator received and that no file (partial or temp) was left in the output directory.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEST_KEY, textOf } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  // One attempt per call: this file is about how each answer is reported. Retries are in faults.test.ts.
  h = await startHarness({ config: { maxRetries: 0 }, server: { retryBaseMs: 10 } });
});
afterAll(() => h.close());
afterEach(async () => {
  expect(await h.outputFiles(), 'no file, partial or temp, may be left behind').toEqual([]);
  expect(h.logLines.join('')).not.toContain(TEST_KEY);
  h.simulator.reset();
});

const ARGS = { prompt: 'A lighthouse at dawn', seed: 1 };

async function failure(args: Record<string, unknown> = ARGS): Promise<{ first: string; text: string }> {
  const result = await h.call(args);
  expect(result.isError).toBe(true);
  const text = textOf(result);
  expect(text).not.toContain(TEST_KEY);
  return { first: text.split('\n')[0]!, text };
}

const apiError = (message: string, extra: Record<string, unknown> = {}) => ({
  error: { message, type: 'invalid_request_error', param: null, code: null, ...extra },
});

describe('HTTP errors from the API', () => {
  it('400: invalid_argument quoting the gateway, naming the parameter, with the request id', async () => {
    h.simulator.enqueue({
      status: 400,
      body: apiError('width must be a multiple of 16', { param: 'width', code: 'invalid_parameter' }),
    });
    const { first, text } = await failure();
    expect(first).toBe(
      'invalid_argument: the gateway rejected the request (parameter width) (HTTP 400: "width must be a multiple of 16")',
    );
    expect(text).toContain('Failed requests are not billed.');
    expect(text).toMatch(/Request id: req_sim_\d+_[0-9a-f]+$/);
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('400 moderation_blocked (gpt-image-2): moderation', async () => {
    h.simulator.enqueue({
      status: 400,
      body: apiError('Your request was rejected by the safety system.', { code: 'moderation_blocked' }),
    });
    const { first, text } = await failure({ prompt: 'Something', model: 'gpt-image-2' });
    expect(first).toBe(
      'moderation: the gateway blocked the request on moderation grounds (HTTP 400: "Your request was rejected by the safety system.")',
    );
    expect(text).toContain('Rephrase the prompt');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('401: auth, explains where the key goes, and never repeats a key the gateway echoes', async () => {
    h.simulator.enqueue({
      status: 401,
      body: apiError(`Invalid token ${TEST_KEY} (request blocked)`, { type: 'authentication_error' }),
    });
    const { first, text } = await failure();
    expect(first).toBe(
      'auth: the gateway refused the API key (HTTP 401: "Invalid token [redacted] (request blocked)")',
    );
    expect(text).toContain('APIYI_API_KEY');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('401 from the simulator itself when the key is wrong', async () => {
    const wrong = await startHarness({ config: { apiKey: 'sk-wrong-key-000' } });
    try {
      const result = await wrong.call(ARGS);
      expect(textOf(result).split('\n')[0]).toMatch(/^auth: the gateway refused the API key \(HTTP 401/);
      expect(wrong.simulator.apiRequests()).toHaveLength(1);
    } finally {
      await wrong.close();
    }
  });

  it('402: insufficient_credit', async () => {
    h.simulator.enqueue({ status: 402, body: apiError('Insufficient balance') });
    const { first, text } = await failure();
    expect(first).toBe('insufficient_credit: the APIYI account is out of credit (HTTP 402: "Insufficient balance")');
    expect(text).toContain('Top up');
  });

  it('403: moderation, suggesting safety_tolerance', async () => {
    h.simulator.enqueue({ status: 403, body: apiError('Request Moderated') });
    const { first, text } = await failure();
    expect(first).toBe(
      'moderation: the gateway blocked the request on moderation grounds (HTTP 403: "Request Moderated")',
    );
    expect(text).toContain('raise safety_tolerance (0 strictest – 6 most permissive; default 2)');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('429: rate_limited, telling how long to wait', async () => {
    h.simulator.enqueue({ status: 429, headers: { 'retry-after': '7' }, body: apiError('Too many active tasks') });
    const { first, text } = await failure();
    expect(first).toBe('rate_limited: the gateway is rate-limiting this key (HTTP 429: "Too many active tasks")');
    expect(text).toContain('Wait and call again in about 7 s.');
  });

  it('429 that says the account is out of credit: insufficient_credit', async () => {
    h.simulator.enqueue({ status: 429, body: apiError('You exceeded your current quota') });
    expect((await failure()).first).toMatch(/^insufficient_credit: /);
  });

  it('500: gateway_error, transient', async () => {
    h.simulator.enqueue({ status: 500, body: apiError('upstream error', { type: 'server_error' }) });
    const { first, text } = await failure();
    expect(first).toBe('gateway_error: the gateway or the upstream provider failed (HTTP 500: "upstream error")');
    expect(text).toContain('transient');
  });

  it('502 with an HTML page from a proxy: gateway_error, no crash', async () => {
    h.simulator.enqueue({
      status: 502,
      body: '<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>',
    });
    const { first } = await failure();
    expect(first).toBe(
      'gateway_error: the gateway or the upstream provider failed (HTTP 502: "an HTML page ("502 Bad Gateway") instead of a JSON error")',
    );
  });

  it("422 in BFL's FastAPI shape: invalid_argument with the field", async () => {
    h.simulator.enqueue({
      status: 422,
      body: { detail: [{ loc: ['body', 'width'], msg: 'must be a multiple of 16', type: 'value_error' }] },
    });
    expect((await failure()).first).toBe(
      'invalid_argument: the gateway rejected the request (HTTP 422: "width: must be a multiple of 16")',
    );
  });

  it('404 on the API itself points at APIYI_BASE_URL', async () => {
    h.simulator.enqueue({ status: 404, body: apiError('Not Found') });
    const { first, text } = await failure();
    expect(first).toBe('gateway_error: the gateway has no such endpoint (HTTP 404: "Not Found")');
    expect(text).toContain('Check APIYI_BASE_URL');
  });
});

describe('broken 200 answers', () => {
  it('a body that is not JSON', async () => {
    h.simulator.enqueue({ status: 200, body: 'this is not json' });
    expect((await failure()).first).toBe('gateway_error: the gateway answered HTTP 200 with a body that is not JSON');
  });

  it('an empty data array', async () => {
    h.simulator.enqueue({ status: 200, body: { created: 1, data: [] } });
    expect((await failure()).first).toBe(
      'gateway_error: the gateway answered without an image (no data[0].url or data[0].b64_json)',
    );
  });

  it('a 200 that carries an error envelope instead of an image quotes it', async () => {
    h.simulator.enqueue({ status: 200, body: { error: { message: 'channel unavailable' } } });
    expect((await failure()).first).toBe(
      'gateway_error: the gateway answered without an image (no data[0].url or data[0].b64_json): "channel unavailable"',
    );
  });

  it('b64_json that is not base64', async () => {
    h.simulator.enqueue({ status: 200, body: { created: 1, data: [{ b64_json: '***not base64***' }] } });
    expect((await failure({ prompt: 'x', model: 'gpt-image-2' })).first).toBe(
      'gateway_error: the gateway answered with b64_json that is not valid base64',
    );
  });

  it('b64_json that is base64 but not an image', async () => {
    h.simulator.enqueue({
      status: 200,
      body: { created: 1, data: [{ b64_json: Buffer.from('hello world, not an image').toString('base64') }] },
    });
    expect((await failure({ prompt: 'x', model: 'gpt-image-2' })).first).toMatch(
      /^gateway_error: the b64_json in the answer did not hold a png, jpeg or webp image/,
    );
  });
});

describe('the delivery URL', () => {
  it('expired before download (404): expired_result, after exactly one API call and one download', async () => {
    const quick = await startHarness({ simulator: { resultTtlMs: 0 } });
    try {
      const result = await quick.call(ARGS);
      const text = textOf(result);
      expect(result.isError).toBe(true);
      expect(text.split('\n')[0]).toBe(
        'expired_result: the result URL answered HTTP 404: it had expired before it could be downloaded',
      );
      expect(text).toContain('billed');
      expect(quick.simulator.apiRequests()).toHaveLength(1);
      expect(quick.simulator.deliveryRequests().map((r) => r.status)).toEqual([404]);
      expect(await quick.outputFiles()).toEqual([]);
    } finally {
      await quick.close();
    }
  });

  it('a scripted 404 on download: expired_result', async () => {
    h.simulator.enqueueDelivery({ status: 404, body: 'gone' });
    expect((await failure()).first).toMatch(/^expired_result: /);
    expect(h.simulator.deliveryRequests()).toHaveLength(1);
  });

  it('a URL that serves something other than an image', async () => {
    h.simulator.enqueueDelivery({ status: 200, body: '<html>Access denied</html>' });
    expect((await failure()).first).toMatch(/^gateway_error: the delivery URL did not hold a png, jpeg or webp image/);
    expect(h.simulator.deliveryRequests()).toHaveLength(1);
  });
});

describe('the connection', () => {
  it('dropped before any answer: network', async () => {
    h.simulator.enqueue({ drop: true });
    const { first, text } = await failure();
    expect(first).toMatch(/^network: the connection to the gateway broke before it answered/);
    expect(text).toContain('may have been billed');
    expect(h.simulator.apiRequests()).toHaveLength(1);
  });

  it('nothing listening: network, and nothing was billed', async () => {
    const closed = await startHarness();
    const baseUrl = closed.simulator.baseUrl;
    await closed.simulator.close();
    const offline = await startHarness({ config: { baseUrl }, server: { retryBaseMs: 10 } });
    try {
      const result = await offline.call(ARGS);
      const text = textOf(result);
      // Nothing was sent, so it was tried again (twice, by default) before giving up.
      expect(text.split('\n')[0]).toBe(
        `network: could not reach the gateway at ${baseUrl} (ECONNREFUSED), after 3 attempts`,
      );
      expect(text).toContain('Nothing was sent, so nothing was billed.');
    } finally {
      await offline.close();
      await closed.close().catch(() => undefined);
    }
  });
});
