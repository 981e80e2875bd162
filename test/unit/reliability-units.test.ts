/**
 * The reliability policies on their own: when and after how long a request is retried
 * (gateway.md's copy of the OpenAI SDK's policy), how the call limiter queues, and when a signed
 * result URL expires.
 */
import { describe, expect, it } from 'vitest';
import { ToolFailure } from '../../src/core/failure.js';
import { resultUrlExpiry } from '../../src/gateway/download.js';
import { CallLimiter, milestonesOf } from '../../src/gateway/limiter.js';
import { askedRetryDelayMs, isRetryableStatus, retryDelayMs } from '../../src/gateway/retry.js';

describe('retry policy', () => {
  it('retries 429 and 5xx, never 400–403, and obeys x-should-retry', () => {
    for (const status of [429, 500, 502, 503, 504, 524])
      expect(isRetryableStatus(status, {}), String(status)).toBe(true);
    for (const status of [400, 401, 402, 403, 404, 422, 418])
      expect(isRetryableStatus(status, {}), String(status)).toBe(false);
    expect(isRetryableStatus(503, { 'x-should-retry': 'false' })).toBe(false);
    expect(isRetryableStatus(409, { 'x-should-retry': 'true' })).toBe(true);
    expect(isRetryableStatus(400, { 'x-should-retry': 'true' })).toBe(false);
  });

  it('reads retry-after-ms, retry-after in seconds, and retry-after as an HTTP date', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(askedRetryDelayMs({ 'retry-after-ms': '1500' }, now)).toBe(1500);
    expect(askedRetryDelayMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(askedRetryDelayMs({ 'retry-after': 'Sun, 22 Nov 2026 12:00:07 GMT' }, now)).toBe(7000);
    expect(askedRetryDelayMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(askedRetryDelayMs({}, now)).toBeUndefined();
  });

  it('waits what the server asks when 0–60 s, else backs off 0.5 s × 2^n up to 8 s, minus up to 25 % jitter', () => {
    expect(retryDelayMs(1, { 'retry-after-ms': '0' }, 500)).toBe(0);
    expect(retryDelayMs(1, { 'retry-after': '60' }, 500)).toBe(60_000);
    const noJitter = () => 0;
    const fullJitter = () => 1;
    expect(retryDelayMs(1, { 'retry-after': '61' }, 500, noJitter)).toBe(500);
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, {}, 500, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(retryDelayMs(2, {}, 500, fullJitter)).toBe(750);
  });
});

describe('CallLimiter', () => {
  it('runs up to the global cap, queues the rest first come first served, and reports places in line', async () => {
    const limiter = new CallLimiter({ maxConcurrent: 2, modelCaps: {} });
    const first = await limiter.acquire('a');
    const second = await limiter.acquire('b');
    const places: number[][] = [[], []];
    const started: string[] = [];
    const third = limiter.acquire('c', { onPosition: (p) => places[0]!.push(p) }).then((release) => {
      started.push('c');
      return release;
    });
    const fourth = limiter.acquire('d', { onPosition: (p) => places[1]!.push(p) }).then((release) => {
      started.push('d');
      return release;
    });
    expect(limiter.waiting).toBe(2);
    first();
    (await third)();
    second();
    (await fourth)();
    expect(started).toEqual(['c', 'd']);
    expect(places[0]![0]).toBe(1);
    expect(places[1]).toEqual([2, 1]);
  });

  it('holds a model at its own cap without holding up other models', async () => {
    const limiter = new CallLimiter({ maxConcurrent: 10, modelCaps: { 'flux-kontext-max': 1 } });
    const kontext = await limiter.acquire('flux-kontext-max');
    const order: string[] = [];
    const secondKontext = limiter.acquire('flux-kontext-max').then((release) => {
      order.push('kontext');
      return release;
    });
    const pro = limiter.acquire('flux-2-pro').then((release) => {
      order.push('pro');
      return release;
    });
    (await pro)();
    expect(order).toEqual(['pro']);
    kontext();
    (await secondKontext)();
    expect(order).toEqual(['pro', 'kontext']);
  });

  it('lets a cancelled call leave the line, moving the others up', async () => {
    const limiter = new CallLimiter({ maxConcurrent: 1, modelCaps: {} });
    const running = await limiter.acquire('a');
    const controller = new AbortController();
    const cancelled = limiter.acquire('a', { signal: controller.signal });
    const places: number[] = [];
    const next = limiter.acquire('a', { onPosition: (p) => places.push(p) });
    controller.abort();
    await expect(cancelled).rejects.toBeInstanceOf(ToolFailure);
    expect(limiter.waiting).toBe(1);
    expect(places).toEqual([2, 1]);
    running();
    (await next)();
    expect(limiter.waiting).toBe(0);
  });
});

describe('CallLimiter progress traffic', () => {
  it('names a few milestones per place in line: where a call joined, ¾, ½, ¼ of the way, and next', () => {
    expect(milestonesOf(1)).toEqual([1]);
    expect(milestonesOf(2)).toEqual([2, 1]);
    expect(milestonesOf(4)).toEqual([4, 3, 2, 1]);
    expect(milestonesOf(1000)).toEqual([1000, 750, 500, 250, 1]);
  });

  it('tells N queued calls their place a bounded number of times each: linear, not quadratic', async () => {
    for (const calls of [10, 100, 1000]) {
      const limiter = new CallLimiter({ maxConcurrent: 1, modelCaps: {} });
      const running = await limiter.acquire('a');
      const heard: number[][] = Array.from({ length: calls }, () => []);
      const waiting = heard.map((places) => limiter.acquire('a', { onPosition: (p) => places.push(p) }));
      running();
      for (const next of waiting) (await next)();

      const total = heard.reduce((sum, places) => sum + places.length, 0);
      expect(total, `${calls} calls`).toBeLessThanOrEqual(5 * calls);
      for (const [i, places] of heard.entries()) {
        expect(places[0], `call ${i} first hears where it joined`).toBe(i + 1);
        expect(places[places.length - 1], `call ${i} hears when it is next`).toBe(1);
        for (let k = 1; k < places.length; k++) expect(places[k]).toBeLessThan(places[k - 1]!);
      }
    }
  });
});

describe('resultUrlExpiry', () => {
  it('reads Azure SAS se=, and exp= in seconds or milliseconds', () => {
    expect(
      resultUrlExpiry('https://delivery-eu.bfl.ai/results/x/sample.jpeg?se=2026-11-22T12%3A10%3A00Z&sig=abc'),
    ).toBe(Date.parse('2026-11-22T12:10:00Z'));
    expect(resultUrlExpiry('https://cdn.example.com/a.png?exp=1795000000')).toBe(1795000000 * 1000);
    expect(resultUrlExpiry('http://127.0.0.1:1/results/a/sample.jpeg?exp=1795000000123&sig=x')).toBe(1795000000123);
    expect(resultUrlExpiry('https://cdn.example.com/a.png')).toBeUndefined();
  });
});
