/**
 * Progress notifications, as a client that passed a progress token sees them: every stage in
 * order, `progress` strictly increasing, "waiting" repeated with the elapsed time while the
 * gateway works, retries and queue places announced.
 */
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, textOf } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ server: { retryBaseMs: 20, progressIntervalMs: 40 } });
});
afterAll(() => h.close());
beforeEach(() => h.simulator.reset());

async function callWithProgress(
  args: Record<string, unknown>,
  tool = 'generate_image',
  onEach: (seen: readonly Progress[]) => void = () => {},
): Promise<Progress[]> {
  const seen: Progress[] = [];
  const result = await h.client.callTool({ name: tool, arguments: args }, undefined, {
    onprogress: (p) => {
      seen.push(p);
      onEach(seen);
    },
  });
  expect(result.isError, textOf(result as never)).toBeFalsy();
  return seen;
}

const stageOf = (p: Progress): string => p.message!.split(/[:(]/)[0]!.trim();

describe('notifications/progress', () => {
  it('goes validated → sending → waiting (repeated, with seconds) → downloading → saved, always increasing', async () => {
    // The gateway "works" until three waiting notifications have arrived, however slow the machine.
    let finish!: () => void;
    h.simulator.enqueue({ holdUntil: new Promise<void>((resolve) => (finish = resolve)) });
    const waiting = (p: Progress): boolean => p.message!.startsWith('waiting for flux-2-pro: ');
    const seen = await callWithProgress({ prompt: 'A slow render', seed: 1 }, 'generate_image', (sofar) => {
      if (sofar.filter(waiting).length >= 3) finish();
    });
    const stages = seen.map(stageOf).filter((stage, i, all) => stage !== all[i - 1]);
    expect(stages).toEqual([
      'validated',
      'sending to the gateway',
      'waiting for flux-2-pro',
      'downloading the result',
      'saved',
    ]);
    expect(seen.filter(waiting).length).toBeGreaterThanOrEqual(3);
    expect(seen[seen.length - 1]!.message).toMatch(new RegExp(`^saved: ${h.outputDir}/`));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress).toBeGreaterThan(seen[i - 1]!.progress);
  });

  it('announces a retry with its reason and delay', async () => {
    h.simulator.enqueue({ status: 503, body: { error: { message: 'busy' } } });
    const seen = await callWithProgress({ prompt: 'x', seed: 2 });
    const retry = seen.find((p) => p.message!.startsWith('retrying'));
    expect(retry?.message).toMatch(
      /^retrying: the gateway or the upstream provider failed \(HTTP 503: "busy"\); attempt 2 of 3 in 0\.0\d? s$/,
    );
    expect(seen.some((p) => p.message === 'sending to the gateway (attempt 2 of 3)')).toBe(true);
  });

  it('says which inputs were checked, for edits', async () => {
    const { writeImage } = await import('./helpers/images.js');
    const image = await writeImage(h.outputDir, '.input.png', { width: 128, height: 128 });
    const seen = await callWithProgress({ prompt: 'x', images: [image] }, 'edit_images');
    expect(seen[0]!.message).toBe('validated: arguments and 1 reference image(s) checked');
  });

  it('sends nothing when the client asked for no progress', async () => {
    // The SDK client reports a progress notification it did not ask for as an error.
    const errors: Error[] = [];
    h.client.onerror = (error) => void errors.push(error);
    h.simulator.enqueue({ delayMs: 150 });
    const result = await h.call({ prompt: 'quiet', seed: 3 });
    expect(result.isError).toBeFalsy();
    expect(errors).toEqual([]);
  });
});
