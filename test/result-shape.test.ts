/**
 * The result shape every agent stack takes (.ci/clients measures the stacks themselves): no
 * resource_link unless asked for; the preview only where the client shows images to its model, or
 * where the user or the call asks; structuredContent carrying every fact the text carries;
 * strict-mode nulls taken as "not given"; and no notification a client did not ask for.
 */
import {
  type CallToolResult,
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, onlyJsonBody, startHarness, textOf } from './helpers/harness.js';

interface Structured {
  images: { path: string; width: number; height: number; mimeType: string; bytes: number }[];
  model: string;
  seed?: number;
  requestId?: string;
  priceUsd?: number;
  notes?: string[];
  next: string;
}

const blockTypes = (result: CallToolResult): string[] => result.content.map((block) => block.type);

function ok(result: CallToolResult): Structured {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as Structured;
}

describe('an unknown client (the cautious defaults)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.simulator.reset());

  it('gets text and structuredContent only: no preview that could become base64 text, no resource_link', async () => {
    const result = await h.call({ prompt: 'A lighthouse at dawn', size: '512x512', seed: 5 });
    ok(result);
    expect(blockTypes(result)).toEqual(['text']);
  });

  it('finds every fact of the text in structuredContent (Claude Code and Codex show the model only that)', async () => {
    const result = await h.call({ prompt: 'A lighthouse at dawn', width: 1000, height: 512, seed: 5 });
    expect(result.isError).toBe(true);
    const done = await h.call({ prompt: 'A lighthouse at dawn', aspect_ratio: '16:9', seed: 5 });
    const out = ok(done);
    const text = textOf(done);
    const [firstLine] = text.split('\n');
    expect(firstLine).toBe(
      `${out.images[0]!.path} — ${out.images[0]!.width}×${out.images[0]!.height} jpeg, flux-2-pro, seed 5`,
    );
    expect(text).toContain(`request ${out.requestId}`);
    expect(text).toContain(`$${out.priceUsd}`);
    expect(out.notes?.length).toBeGreaterThan(0);
    for (const note of out.notes!) expect(text).toContain(`Note: ${note}`);
    expect(text).toContain(out.next);
    expect(out.next).toMatch(/refer to it by its path/);
  });

  it('sends the preview when the call asks for it, and never when it says off', async () => {
    const on = await h.call({ prompt: 'A red kite', size: '512x512', preview: 'on' });
    ok(on);
    expect(blockTypes(on)).toEqual(['text', 'image']);
    const off = await h.call({ prompt: 'A red kite', size: '512x512', preview: 'off' });
    expect(blockTypes(off)).toEqual(['text']);
  });

  it('takes null for an optional argument as "not given", as strict-mode models send it', async () => {
    const result = await h.call({
      prompt: 'A blue kite',
      model: null,
      size: null,
      seed: null,
      aspect_ratio: null,
      filename: null,
      preview: null,
    });
    const out = ok(result);
    expect(out.model).toBe('flux-2-pro');
    const body = onlyJsonBody(h.simulator);
    expect(body.model).toBe('flux-2-pro');
    expect(Object.values(body)).not.toContain(null);
    expect(body.size).toBeUndefined();
  });

  it('hears no log message and no list_changed it did not ask for', async () => {
    let logged = 0;
    let changed = 0;
    h.client.setNotificationHandler(LoggingMessageNotificationSchema, () => {
      logged += 1;
    });
    h.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      changed += 1;
    });
    // Notifications of a call reach the client before its result (one ordered transport).
    ok(await h.call({ prompt: 'A quiet pond', size: '256x256' }));
    expect([logged, changed]).toEqual([0, 0]);

    await h.client.setLoggingLevel('info');
    const saved = new Promise<string>((resolve) =>
      h.client.setNotificationHandler(LoggingMessageNotificationSchema, (message) => {
        if (String(message.params.data).includes('saved')) resolve(String(message.params.data));
      }),
    );
    const out = ok(await h.call({ prompt: 'A loud pond', size: '256x256' }));
    expect(await saved).toContain(out.images[0]!.path);
  });
});

describe('known clients and the settings', () => {
  it('sends the preview to a client that shows images to its model (Claude Code), unless the call says off', async () => {
    const h = await startHarness({ clientName: 'claude-code' });
    try {
      const result = await h.call({ prompt: 'A green kite', size: '512x512' });
      ok(result);
      expect(blockTypes(result)).toEqual(['text', 'image']);
      expect(blockTypes(await h.call({ prompt: 'A green kite', size: '512x512', preview: 'off' }))).toEqual(['text']);
    } finally {
      await h.close();
    }
  });

  it('sends no preview to a client whose stack turns images into text (LangChain), whatever auto would guess', async () => {
    const h = await startHarness({ clientName: '@langchain/mcp-adapters' });
    try {
      expect(blockTypes(await h.call({ prompt: 'A kite', size: '256x256' }))).toEqual(['text']);
    } finally {
      await h.close();
    }
  });

  it('FLUX_MCP_PREVIEW=on and FLUX_MCP_RESOURCE_LINKS=1 add the preview and the link for every client', async () => {
    const h = await startHarness({ config: { preview: 'on', resourceLinks: true } });
    try {
      const result = await h.call({ prompt: 'A kite', size: '256x256' });
      const out = ok(result);
      expect(blockTypes(result)).toEqual(['text', 'image', 'resource_link']);
      expect(result.content[2]).toMatchObject({ type: 'resource_link', name: out.images[0]!.path.split('/').pop() });
    } finally {
      await h.close();
    }
  });

  it('FLUX_MCP_PREVIEW=off wins over a client that shows images', async () => {
    const h = await startHarness({ clientName: 'claude-code', config: { preview: 'off' } });
    try {
      expect(blockTypes(await h.call({ prompt: 'A kite', size: '256x256' }))).toEqual(['text']);
    } finally {
      await h.close();
    }
  });
});
