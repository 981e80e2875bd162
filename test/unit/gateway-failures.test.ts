/**
 * Reading gateway failures, as tables: what the gateway (or a relay, or a proxy, or the network)
 * answered → the category, the one-line message and the hint an agent gets. Any body is read:
 * the OpenAI envelope, FastAPI's `detail`, an HTML page, plain text, nothing at all.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ToolFailure } from '../../src/core/failure.js';
import {
  describeErrorJson,
  failureFromNetworkError,
  failureFromResponse,
  readErrorBody,
} from '../../src/gateway/errors.js';
import { askedRetryDelayMs, isRetryableStatus, retryDelayMs } from '../../src/gateway/retry.js';

const BASE_URL = 'https://relay.example.com/v1';
const NOT_BILLED = 'Failed requests are not billed.';

interface Answer {
  readonly status: number;
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** What failureFromResponse makes of an answer, in the terms an agent sees. */
function read({ status, body = '', headers = {} }: Answer, requestId: string | null = 'req_42') {
  const json = typeof body !== 'string';
  const failure = failureFromResponse({
    status,
    headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...headers },
    body: Buffer.from(json ? JSON.stringify(body) : body),
    requestId: requestId ?? undefined,
    baseUrl: BASE_URL,
  });
  return summary(failure);
}

function summary(failure: ToolFailure) {
  return { category: failure.category, message: failure.message, hint: failure.details.hint, ...failure.details };
}

const envelope = (message: string, extra: Record<string, unknown> = {}) => ({
  error: { message, type: 'invalid_request_error', param: null, code: null, ...extra },
});

describe('failureFromResponse', () => {
  it.each<[string, Answer, string, string, string | undefined]>([
    [
      '400 OpenAI envelope naming the parameter',
      { status: 400, body: envelope('width must be a multiple of 16', { param: 'width' }) },
      'invalid_argument',
      'the gateway rejected the request (parameter width) (HTTP 400: "width must be a multiple of 16")',
      `Change the argument it names and call again. ${NOT_BILLED}`,
    ],
    [
      '400 moderation_blocked (gpt-image-2)',
      { status: 400, body: envelope('Rejected by the safety system', { code: 'moderation_blocked' }) },
      'moderation',
      'the gateway blocked the request on moderation grounds (HTTP 400: "Rejected by the safety system")',
      `Rephrase the prompt (or change the input images) and call again. ${NOT_BILLED}`,
    ],
    [
      '400 whose message mentions credit stays a parameter error',
      { status: 400, body: envelope('insufficient detail in prompt') },
      'invalid_argument',
      'the gateway rejected the request (HTTP 400: "insufficient detail in prompt")',
      `Change the argument it names and call again. ${NOT_BILLED}`,
    ],
    [
      '401',
      { status: 401, body: envelope('Invalid token', { type: 'authentication_error' }) },
      'auth',
      'the gateway refused the API key (HTTP 401: "Invalid token")',
      'Check APIYI_API_KEY in the "env" block of this server in your MCP client config (a key from the APIYI console, without "Bearer "), then restart the client.',
    ],
    [
      '402 with a plain-text body',
      { status: 402, body: 'Payment Required' },
      'insufficient_credit',
      'the APIYI account is out of credit (HTTP 402: "Payment Required")',
      'Top up the account in the APIYI console, then call again.',
    ],
    [
      '402 with an empty body',
      { status: 402 },
      'insufficient_credit',
      'the APIYI account is out of credit (HTTP 402)',
      'Top up the account in the APIYI console, then call again.',
    ],
    [
      '403 FastAPI detail string (FLUX moderation)',
      { status: 403, body: { detail: 'Request Moderated' } },
      'moderation',
      'the gateway blocked the request on moderation grounds (HTTP 403: "Request Moderated")',
      `Rephrase the prompt, or raise safety_tolerance (0 strictest – 6 most permissive; default 2) on FLUX models. ${NOT_BILLED}`,
    ],
    [
      '422 FastAPI detail list',
      {
        status: 422,
        body: {
          detail: [
            { loc: ['body', 'width'], msg: 'must be a multiple of 16', type: 'value_error' },
            { loc: ['body'], msg: 'prompt is required', type: 'missing' },
          ],
        },
      },
      'invalid_argument',
      'the gateway rejected the request (HTTP 422: "width: must be a multiple of 16; prompt is required")',
      `Change the argument it names and call again. ${NOT_BILLED}`,
    ],
    [
      '429 with retry-after in seconds',
      { status: 429, body: envelope('Too many active tasks'), headers: { 'retry-after': '7' } },
      'rate_limited',
      'the gateway is rate-limiting this key (HTTP 429: "Too many active tasks")',
      `Wait and call again in about 7 s. ${NOT_BILLED}`,
    ],
    [
      '429 with retry-after-ms, rounded up',
      { status: 429, body: envelope('slow down'), headers: { 'retry-after-ms': '1500', 'retry-after': '30' } },
      'rate_limited',
      'the gateway is rate-limiting this key (HTTP 429: "slow down")',
      `Wait and call again in about 2 s. ${NOT_BILLED}`,
    ],
    [
      '429 without a delay',
      { status: 429, body: 'Too Many Requests' },
      'rate_limited',
      'the gateway is rate-limiting this key (HTTP 429: "Too Many Requests")',
      `Wait and call again in a few seconds. ${NOT_BILLED}`,
    ],
    [
      '429 saying the account is out of quota',
      { status: 429, body: envelope('You exceeded your current quota') },
      'insufficient_credit',
      'the APIYI account is out of credit (HTTP 429: "You exceeded your current quota")',
      'Top up the account in the APIYI console, then call again.',
    ],
    [
      '429 saying the balance is insufficient, in Chinese',
      { status: 429, body: envelope('余额不足') },
      'insufficient_credit',
      'the APIYI account is out of credit (HTTP 429: "余额不足")',
      'Top up the account in the APIYI console, then call again.',
    ],
    [
      '404: the base URL is probably wrong',
      { status: 404, body: 'Not Found' },
      'gateway_error',
      'the gateway has no such endpoint (HTTP 404: "Not Found")',
      `Check APIYI_BASE_URL (now ${BASE_URL}); it should end in /v1, e.g. https://api.apiyi.com/v1.`,
    ],
    [
      '405 with an empty body',
      { status: 405 },
      'gateway_error',
      'the gateway has no such endpoint (HTTP 405)',
      `Check APIYI_BASE_URL (now ${BASE_URL}); it should end in /v1, e.g. https://api.apiyi.com/v1.`,
    ],
    [
      '500 envelope',
      { status: 500, body: envelope('upstream error', { type: 'server_error' }) },
      'gateway_error',
      'the gateway or the upstream provider failed (HTTP 500: "upstream error")',
      'This is usually transient: call again in a moment.',
    ],
    [
      '502 HTML page from a proxy, with a title',
      {
        status: 502,
        body: '<!DOCTYPE html>\n<html><head><title> 502 Bad Gateway </title></head><body><h1>nginx</h1></body></html>',
        headers: { 'content-type': 'text/html; charset=utf-8' },
      },
      'gateway_error',
      'the gateway or the upstream provider failed (HTTP 502: "an HTML page ("502 Bad Gateway") instead of a JSON error")',
      'This is usually transient: call again in a moment.',
    ],
    [
      '524 HTML without a title, not starting with <',
      { status: 524, body: 'A timeout occurred', headers: { 'content-type': 'text/html' } },
      'gateway_error',
      'the gateway or the upstream provider failed (HTTP 524: "an HTML page instead of a JSON error")',
      'This is usually transient: call again in a moment.',
    ],
    [
      '503 plain text',
      { status: 503, body: 'upstream connect error or disconnect/reset before headers' },
      'gateway_error',
      'the gateway or the upstream provider failed (HTTP 503: "upstream connect error or disconnect/reset before headers")',
      'This is usually transient: call again in a moment.',
    ],
    [
      '500 empty body',
      { status: 500 },
      'gateway_error',
      'the gateway or the upstream provider failed (HTTP 500)',
      'This is usually transient: call again in a moment.',
    ],
    [
      '408',
      { status: 408 },
      'gateway_error',
      'the gateway or the upstream provider failed (HTTP 408)',
      'This is usually transient: call again in a moment.',
    ],
    [
      'another 4xx',
      { status: 418, body: { message: "I'm a teapot" } },
      'invalid_argument',
      'the gateway rejected the request (HTTP 418: "I\'m a teapot")',
      `Change the argument it names and call again. ${NOT_BILLED}`,
    ],
    [
      'a status that is not an error',
      { status: 302 },
      'gateway_error',
      'the gateway answered with an unexpected HTTP 302',
      undefined,
    ],
  ])('%s', (_name, answer, category, message, hint) => {
    expect(read(answer)).toEqual({
      category,
      message,
      hint,
      status: answer.status,
      requestId: 'req_42',
      ...(hint === undefined ? {} : { hint }),
    });
  });

  it('leaves the request id out when the gateway sent none', () => {
    expect(read({ status: 500 }, null)).not.toHaveProperty('requestId');
  });

  it('quotes at most 300 characters of what the gateway said, on one line', () => {
    const { message } = read({ status: 400, body: envelope(`${'word '.repeat(100)}\n\nend`) });
    const quoted = /"(.*)"\)$/.exec(message)![1]!;
    expect(quoted).toHaveLength(301);
    expect(quoted.endsWith('…')).toBe(true);
    expect(quoted).not.toMatch(/\n| {2}/);
  });

  describe('with a fixed clock', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('429 with retry-after as an HTTP date: waits until then', () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2026-11-22T12:00:00Z'));
      expect(
        read({ status: 429, body: envelope('busy'), headers: { 'retry-after': 'Sun, 22 Nov 2026 12:00:12 GMT' } }).hint,
      ).toBe(`Wait and call again in about 12 s. ${NOT_BILLED}`);
    });
  });
});

describe('readErrorBody', () => {
  it.each<[string, string, string | undefined, ReturnType<typeof readErrorBody>]>([
    ['empty', '', undefined, {}],
    ['blank', ' \n ', 'application/json', {}],
    [
      'OpenAI envelope',
      '{"error":{"message":"bad size","type":"invalid_request_error","param":"size","code":"invalid_parameter"}}',
      'application/json',
      { message: 'bad size', type: 'invalid_request_error', param: 'size', code: 'invalid_parameter' },
    ],
    ['envelope with numbers', '{"error":{"message":42,"code":400}}', undefined, { message: '42', code: '400' }],
    ['error as a string', '{"error":"quota exceeded"}', undefined, { message: 'quota exceeded' }],
    ['FastAPI detail string', '{"detail":"Task not found"}', undefined, { message: 'Task not found' }],
    [
      'FastAPI detail list',
      '{"detail":[{"loc":["body","steps"],"msg":"too big"},{"msg":"second"},{"odd":1}]}',
      undefined,
      { message: 'steps: too big; second; {"odd":1}' },
    ],
    ['top-level message', '{"message":"Service Unavailable"}', undefined, { message: 'Service Unavailable' }],
    ['JSON that states no error', '{"status":"failed"}', undefined, { message: '{"status":"failed"}' }],
    ['JSON null', 'null', undefined, { message: 'null' }],
    ['a JSON array', '[1,2]', undefined, { message: '[1,2]' }],
    [
      'HTML by its first character',
      '<html><title>Oops</title></html>',
      undefined,
      {
        message: 'an HTML page ("Oops") instead of a JSON error',
      },
    ],
    ['HTML by its content type', 'gateway timeout', 'text/html', { message: 'an HTML page instead of a JSON error' }],
    ['plain text, spaces collapsed', 'bad\n\n   gateway ', 'text/plain', { message: 'bad gateway' }],
    ['broken JSON', '{"error": ', 'application/json', { message: '{"error":' }],
  ])('%s', (_name, body, contentType, expected) => {
    expect(readErrorBody(Buffer.from(body), contentType)).toEqual(expected);
  });
});

describe('describeErrorJson', () => {
  it.each<[unknown, ReturnType<typeof describeErrorJson>]>([
    [null, undefined],
    ['text', undefined],
    [42, undefined],
    [{}, undefined],
    [{ error: { message: 'm' } }, { message: 'm' }],
    [{ detail: [] }, { message: '' }],
  ])('%j → %j', (json, expected) => {
    expect(describeErrorJson(json)).toEqual(expected);
  });
});

describe('failureFromNetworkError', () => {
  const withCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
  const NOT_SENT_HINT =
    'Check the network connection and APIYI_BASE_URL, then call again. Nothing was sent, so nothing was billed.';
  const MAYBE_SENT_HINT =
    'Call again. If the request had already reached the gateway it may have been billed; check the APIYI console before retrying many times.';

  it.each<[string, unknown, string, string]>([
    ['refused', withCode('ECONNREFUSED'), `could not reach the gateway at ${BASE_URL} (ECONNREFUSED)`, NOT_SENT_HINT],
    [
      'unknown host, as undici wraps it',
      new TypeError('fetch failed', { cause: withCode('ENOTFOUND') }),
      `could not reach the gateway at ${BASE_URL} (ENOTFOUND)`,
      NOT_SENT_HINT,
    ],
    [
      'connect timeout',
      withCode('UND_ERR_CONNECT_TIMEOUT'),
      `could not reach the gateway at ${BASE_URL} (UND_ERR_CONNECT_TIMEOUT)`,
      NOT_SENT_HINT,
    ],
    [
      'expired certificate',
      withCode('CERT_HAS_EXPIRED'),
      `could not reach the gateway at ${BASE_URL} (CERT_HAS_EXPIRED)`,
      NOT_SENT_HINT,
    ],
    [
      'socket closed mid-request',
      new TypeError('fetch failed', { cause: withCode('UND_ERR_SOCKET') }),
      'the connection to the gateway broke before it answered (UND_ERR_SOCKET)',
      MAYBE_SENT_HINT,
    ],
    [
      'reset',
      withCode('ECONNRESET'),
      'the connection to the gateway broke before it answered (ECONNRESET)',
      MAYBE_SENT_HINT,
    ],
    [
      'an error without a code',
      new RangeError('odd'),
      'the connection to the gateway broke before it answered (RangeError)',
      MAYBE_SENT_HINT,
    ],
    [
      'not an error at all',
      'boom',
      'the connection to the gateway broke before it answered (unknown error)',
      MAYBE_SENT_HINT,
    ],
  ])('%s', (_name, error, message, hint) => {
    expect(summary(failureFromNetworkError(error, BASE_URL))).toEqual({ category: 'network', message, hint });
  });
});

describe('retry decisions', () => {
  it.each<[number, Record<string, string>, boolean]>([
    [400, {}, false],
    [401, {}, false],
    [402, {}, false],
    [403, {}, false],
    [404, {}, false],
    [422, {}, false],
    [429, {}, true],
    [500, {}, true],
    [502, {}, true],
    [524, {}, true],
    [503, { 'x-should-retry': 'false' }, false],
    [409, { 'x-should-retry': 'true' }, true],
    [403, { 'x-should-retry': 'true' }, false],
  ])('HTTP %i %j → retry %s', (status, headers, expected) => {
    expect(isRetryableStatus(status, headers)).toBe(expected);
  });

  const NOW = Date.parse('2026-11-22T12:00:00Z');
  it.each<[Record<string, string>, number | undefined]>([
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '-1', 'retry-after': '2' }, 2000],
    [{ 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after': '-5' }, undefined],
    [{ 'retry-after': 'Sun, 22 Nov 2026 12:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Sun, 22 Nov 2026 11:59:00 GMT' }, 0],
    [{ 'retry-after': 'whenever' }, undefined],
    [{ 'retry-after': '' }, undefined],
  ])('%j asks for %s ms', (headers, expected) => {
    expect(askedRetryDelayMs(headers, NOW)).toBe(expected);
  });

  it('ignores a server delay over 60 s and backs off instead', () => {
    expect(retryDelayMs(1, { 'retry-after': '61' }, 500, () => 0)).toBe(500);
    expect(retryDelayMs(3, { 'retry-after-ms': '60001' }, 500, () => 0)).toBe(2000);
  });
});
