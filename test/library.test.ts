/**
 * The image library through a real MCP client: saved images as resources (listed newest first, in
 * pages, read with their sidecar, refused past the size cap, announced with list_changed), the
 * model catalog as a resource, `list_images` and its filters, and the workflow prompts.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CallToolResult, ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS } from '../src/catalog/models.js';
import { CATALOG_URI, RESOURCE_PAGE_SIZE, SPEND_URI } from '../src/mcp/resources.js';
import { type Harness, startHarness, textOf } from './helpers/harness.js';
import { writeImage } from './helpers/images.js';

let h: Harness;
/** Paths of images made through the server, oldest first. */
const made: string[] = [];

async function make(prompt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const result = (await h.call({ prompt, size: '256x256', ...extra })) as CallToolResult;
  expect(result.isError, textOf(result)).toBeFalsy();
  const saved = (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
  made.push(saved);
  return saved;
}

/** The local day ("2026-11-22") an image was made on, from its sidecar. */
async function createdDay(image: string): Promise<string> {
  const sidecar = JSON.parse(await readFile(image.replace(/\.\w+$/, '.json'), 'utf8')) as { createdAt: string };
  const created = new Date(sidecar.createdAt);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${created.getFullYear()}-${pad(created.getMonth() + 1)}-${pad(created.getDate())}`;
}

beforeAll(async () => {
  h = await startHarness();
  await make('A red fox in the snow');
  await make('A blue whale under the sea', { model: 'flux-2-klein-4b' });
  await make('A red panda on a branch', { output_format: 'png' });
});
afterAll(() => h.close());

describe('resources', () => {
  it('lists the catalog and the spending report, then every saved image newest first, with a useful title and size', async () => {
    const { resources, nextCursor } = await h.client.listResources();
    expect(nextCursor).toBeUndefined();
    expect(resources[0]).toMatchObject({ uri: CATALOG_URI, mimeType: 'application/json' });
    expect(resources[1]).toMatchObject({ uri: SPEND_URI, mimeType: 'application/json' });
    expect(resources.slice(2).map((r) => r.uri)).toEqual([...made].reverse().map((p) => pathToFileURL(p).href));
    expect(resources[2]).toMatchObject({
      name: path.basename(made[2]!),
      title: 'A red panda on a branch',
      mimeType: 'image/png',
    });
    expect(resources[2]!.description).toMatch(/^256×256 png from flux-2-pro \(generate_image\), \d{4}-/);
  });

  it('reads an image as a blob with its sidecar JSON', async () => {
    const uri = pathToFileURL(made[0]!).href;
    const { contents } = await h.client.readResource({ uri });
    expect(contents).toHaveLength(2);
    const [image, sidecar] = contents as [
      { uri: string; mimeType: string; blob: string },
      { uri: string; mimeType: string; text: string },
    ];
    expect(image).toMatchObject({ uri, mimeType: 'image/jpeg' });
    expect(Buffer.from(image.blob, 'base64').equals(await readFile(made[0]!))).toBe(true);
    expect(sidecar.mimeType).toBe('application/json');
    expect(JSON.parse(sidecar.text)).toMatchObject({ prompt: 'A red fox in the snow', model: 'flux-2-pro' });
  });

  it('reads the model catalog as JSON', async () => {
    const { contents } = await h.client.readResource({ uri: CATALOG_URI });
    const catalog = JSON.parse((contents[0] as { text: string }).text) as { models: { id: string }[] };
    expect(catalog.models.map((m) => m.id)).toEqual(MODELS.map((m) => m.id));
  });

  it('refuses any file that is not one of its images, and images over the size cap, with the path', async () => {
    const outside = path.join(os.tmpdir(), 'not-in-library.png');
    await writeImage(os.tmpdir(), 'not-in-library.png', { width: 64, height: 64 });
    await expect(h.client.readResource({ uri: pathToFileURL(outside).href })).rejects.toThrow(
      /no image of this server's library/,
    );
    await expect(h.client.readResource({ uri: 'file:///etc/passwd' })).rejects.toThrow(
      /no image of this server's library/,
    );

    // A big image saved by hand, with a sidecar copied from a real one.
    const big = path.join(h.outputDir, '20991231-235959-big-zzzzzz.png');
    await writeFile(big, Buffer.alloc(800_000));
    const sidecar = JSON.parse(await readFile(made[0]!.replace(/\.jpg$/, '.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(
      big.replace(/\.png$/, '.json'),
      JSON.stringify({ ...sidecar, file: path.basename(big), image: { ...(sidecar.image as object), bytes: 800_000 } }),
    );
    try {
      await expect(h.client.readResource({ uri: pathToFileURL(big).href })).rejects.toThrow(
        `is 800 KB, more than the 750 KB a resource read returns (clients refuse larger messages): open the file at ${big}`,
      );
    } finally {
      await rm(big);
      await rm(big.replace(/\.png$/, '.json'));
    }
  });

  it('pages through a big library with cursors that stay put when new images arrive', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-pages-'));
    const paged = await startHarness({ config: { outputDir: dir } });
    try {
      const template = JSON.parse(await readFile(made[0]!.replace(/\.jpg$/, '.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      // Made long before any clock this runs on, so the newcomer below is always the newest.
      for (let i = 0; i < 120; i++) {
        const stem = `20000101-0000${String(i).padStart(2, '0')}-n${i}-aaaaaa`.slice(0, 40);
        const file = `${stem}-${i}.jpg`;
        await copyFile(made[0]!, path.join(dir, file));
        await writeFile(
          path.join(dir, `${stem}-${i}.json`),
          JSON.stringify({ ...template, file, createdAt: new Date(Date.UTC(2000, 0, 1, 0, 0, i)).toISOString() }),
        );
      }
      const first = await paged.client.listResources();
      expect(first.resources).toHaveLength(RESOURCE_PAGE_SIZE);
      await paged.call({ prompt: 'A newcomer on top', size: '256x256' });
      const second = await paged.client.listResources({ cursor: first.nextCursor! });
      const third = await paged.client.listResources({ cursor: second.nextCursor! });
      expect(third.nextCursor).toBeUndefined();
      const uris = [...first.resources, ...second.resources, ...third.resources].map((r) => r.uri);
      expect(uris).toHaveLength(122); // the catalog, the spending report and the 120 images, each once
      expect(new Set(uris).size).toBe(122);
      await expect(paged.client.listResources({ cursor: 'nonsense' })).rejects.toThrow(/invalid cursor/);
    } finally {
      await paged.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('announces notifications/resources/list_changed when an image is saved, to a session that listed resources', async () => {
    // A library of its own: a new image here would change what the other tests list.
    const own = await startHarness();
    try {
      const changed = new Promise<void>((resolve) =>
        own.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => resolve()),
      );
      // Only sessions that browse resources hear of new images (agent libraries report any
      // notification they did not ask for as an error).
      await own.client.listResources();
      const result = await own.call({ prompt: 'A green parrot', size: '256x256' });
      expect(result.isError, textOf(result)).toBeFalsy();
      const saved = (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
      await changed;
      expect((await own.client.listResources()).resources[2]!.uri).toBe(pathToFileURL(saved).href);
    } finally {
      await own.close();
    }
  });
});

describe('list_images', () => {
  const list = async (args: Record<string, unknown>) => {
    const result = await h.call(args, 'list_images');
    expect(result.isError, textOf(result)).toBeFalsy();
    return result.structuredContent as { images: { path: string; model: string; prompt: string }[]; matched: number };
  };

  it('finds images by the words of their prompt, newest first, with paths and no image data', async () => {
    const red = await list({ query: 'RED' });
    expect(red.images.map((i) => i.prompt)).toEqual(['A red panda on a branch', 'A red fox in the snow']);
    expect(red.images[0]!.path).toBe(made[2]);
    expect((await list({ query: 'red fox' })).images.map((i) => i.prompt)).toEqual(['A red fox in the snow']);
    const text = textOf(await h.call({ query: 'whale' }, 'list_images'));
    expect(text).toContain(made[1]);
    expect(text).not.toMatch(/base64|data:image/);
  });

  it('filters by model and time, and limits', async () => {
    expect((await list({ model: 'flux-2-klein-4b' })).images.map((i) => i.prompt)).toEqual([
      'A blue whale under the sea',
    ]);
    expect((await list({ since: '2999-01-01' })).matched).toBe(0);
    expect((await list({ until: '2000-01-01' })).matched).toBe(0);
    // The local days the images were made on (from their sidecars), not today's: the test may run
    // across midnight, and `since`/`until` days are local days.
    const first = await createdDay(made[0]!);
    const last = await createdDay(made[2]!);
    expect((await list({ since: first, until: last })).matched).toBeGreaterThanOrEqual(3);
    const limited = await list({ limit: 2 });
    expect(limited.images).toHaveLength(2);
    expect(limited.matched).toBeGreaterThan(2);
  });

  it('refuses a time it cannot read', async () => {
    expect(textOf(await h.call({ since: 'last tuesday' }, 'list_images'))).toMatch(
      /^invalid_argument: since "last tuesday" is not a date or time: use "2026-11-22"/,
    );
  });

  it('refuses a date that is not on the calendar, naming the field, the value and the rule, before any work', async () => {
    const fresh = await startHarness();
    try {
      for (const [args, said] of [
        [{ since: '2026-13-01' }, 'since "2026-13-01" is not a real date or time (month 13 does not exist)'],
        [{ until: '2026-02-29' }, 'until "2026-02-29" is not a real date or time (day 29 is not in 2026-02)'],
        [{ since: '2026-04-31T10:00:00Z' }, 'day 31 is not in 2026-04'],
        [{ until: '2026-11-22T14:60' }, 'minute 60 is past 59'],
        [{ since: '2026-00-10' }, 'month 0 does not exist'],
        // What Date.parse would take: "1" as the year 2001, a month name, a date with the year last.
        [{ since: '1' }, 'since "1" is not a date or time'],
        [{ since: 'March 7' }, 'since "March 7" is not a date or time'],
        [{ until: '11/22/2026' }, 'until "11/22/2026" is not a date or time'],
      ] as const) {
        const result = await fresh.call(args, 'list_images');
        expect(result.isError, JSON.stringify(args)).toBe(true);
        expect(textOf(result)).toMatch(/^invalid_argument: /);
        expect(textOf(result)).toContain(said);
        expect(textOf(result)).toContain(
          'use "2026-11-22" (YYYY-MM-DD, a real calendar date; a local day) or an ISO date-time',
        );
      }
      // Refused before the library was looked at: the first query that gets that far builds its index.
      expect(await readdir(fresh.outputDir)).toEqual([]);
      for (const since of ['2028-02-29', '2026-11-22T14:05', '2026-11-22T14:05:00.250+01:00', '2026-11-22 14:05:00Z']) {
        const result = await fresh.call({ since }, 'list_images');
        expect(result.isError, `${since}: ${textOf(result)}`).toBeFalsy();
      }
      expect(await readdir(fresh.outputDir)).not.toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

describe('prompts', () => {
  it('lists four workflows with their arguments', async () => {
    const { prompts } = await h.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual([
      'style_transfer',
      'subject_into_scene',
      'swap_item',
      'iterative_refine',
    ]);
    expect(prompts[2]!.arguments!.filter((a) => a.required).map((a) => a.name)).toEqual([
      'image',
      'item_image',
      'item',
    ]);
  });

  it('renders an edit_images call that names the images "image 1", "image 2" in order', async () => {
    const { messages } = await h.client.getPrompt({
      name: 'swap_item',
      arguments: { image: '/p/model.jpg', item_image: '/p/jacket.png', item: 'jacket', model: 'flux-2-max' },
    });
    const text = (messages[0]!.content as { text: string }).text;
    expect(text).toContain('image 1 = /p/model.jpg; image 2 = /p/jacket.png');
    const call = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
      images: string[];
      prompt: string;
      model: string;
    };
    expect(call).toMatchObject({ images: ['/p/model.jpg', '/p/jacket.png'], model: 'flux-2-max' });
    expect(call.prompt).toMatch(/^Replace the jacket in image 1 with the jacket shown in image 2/);

    const style = await h.client.getPrompt({
      name: 'style_transfer',
      arguments: { content_image: '/a.png', style_image: '/b.png' },
    });
    expect((style.messages[0]!.content as { text: string }).text).toContain(
      'Redraw image 1 in the visual style of image 2',
    );
    const scene = await h.client.getPrompt({
      name: 'subject_into_scene',
      arguments: { subject_image: '/s.png', scene_image: '/t.png', placement: 'on the bench' },
    });
    expect((scene.messages[0]!.content as { text: string }).text).toContain('into the scene of image 2, on the bench');
    const refine = await h.client.getPrompt({
      name: 'iterative_refine',
      arguments: { image: '/r.jpg', change: 'make the sky stormy.' },
    });
    expect((refine.messages[0]!.content as { text: string }).text).toContain(
      'In image 1, make the sky stormy. Keep everything else exactly as in image 1',
    );
  });

  it('refuses a missing argument or an unknown model, naming it', async () => {
    await expect(h.client.getPrompt({ name: 'swap_item', arguments: { image: '/a.png' } })).rejects.toThrow(
      /needs item_image and item/,
    );
    await expect(
      h.client.getPrompt({ name: 'iterative_refine', arguments: { image: '/a', change: 'x', model: 'flux-dev' } }),
    ).rejects.toThrow(/not an editing model/);
  });
});
