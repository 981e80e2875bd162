/**
 * The gallery in a real browser: headless Chromium loads a test host page (host-page.ts, the
 * ext-apps AppBridge) that embeds the gallery page from the server's resources/read in a
 * cross-origin iframe under the spec's default CSP, and hands the view's calls to the real server
 * (an SDK client over the in-memory transport) and the gateway simulator over loopback.
 *
 * What a person would check: the thumbnails on screen are the saved images (each cell's pixels
 * against its file), a click on "more like this" or "variants" reaches the server as tool calls
 * (the host's log and the simulator's) and the new images appear, "edit this" puts a message in
 * the chat, "open" shows the full-size image, and the library view pages and searches.
 *
 * UPDATE_SCREENSHOTS=1 writes the screenshots to docs/images/ for the README.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GALLERY_URI, PAGE_TOOL } from '../../src/apps/contract.js';
import { type Harness, startHarness } from '../helpers/harness.js';
import { type Browser, startChromium } from './chromium.js';
import { type Scenario, startTestHost, type TestHost } from './host-server.js';

/** The page's DOM, for the functions playwright runs in the browser (this file is compiled for Node). */
declare const document: { querySelector(selector: string): Img | null; querySelectorAll(selector: string): Img[] };
interface Img {
  readonly complete: boolean;
  readonly naturalWidth: number;
}

const APPS = {
  extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } },
} as ClientCapabilities;
const DOCS_IMAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'images');

let h: Harness;
let host: TestHost;
let browser: Browser;
let page: Page;
/** Console errors of the host page and the view, CSP violations included. */
const consoleErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness({ clientCapabilities: APPS, clientName: 'flux-mcp-browser-host' });
  const { contents } = await h.client.readResource({ uri: GALLERY_URI });
  host = await startTestHost(h.client, (contents[0] as { text: string }).text);
  browser = await startChromium();
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await h?.close();
});

const view = (): FrameLocator => page.frameLocator('#view');
const cards = () => view().locator('#grid li.card');
const card = (imagePath: string) => view().locator(`#grid li.card[data-path="${imagePath}"]`);
const pathOf = (result: CallToolResult): string =>
  (result.structuredContent as { images: { path: string }[] }).images[0]!.path;

/** Loads the host page showing one tool call, and returns the view's frame once its grid is drawn. */
async function show(scenario: Scenario): Promise<Frame> {
  host.show(scenario);
  await page.goto(host.url);
  await view().locator('main[aria-busy="false"]').waitFor();
  const frame = page.frames().find((f) => f.url().endsWith('/view.html'));
  if (!frame) throw new Error('the view did not load');
  return frame;
}

/** Waits until the grid shows `count` cards with every thumbnail decoded. */
async function waitForImages(frame: Frame, count: number): Promise<void> {
  await cards()
    .nth(count - 1)
    .waitFor();
  await frame.waitForFunction((n) => {
    const images = [...document.querySelectorAll('#grid li.card img')];
    return images.length === n && images.every((image) => image.complete && image.naturalWidth > 0);
  }, count);
}

const meanColour = async (image: Buffer | string): Promise<number[]> =>
  (await sharp(image).removeAlpha().stats()).channels.map((channel) => channel.mean);

/** Every thumbnail on screen shows its own file: its pixels' mean colour is the file's. */
async function expectThumbnailsMatchFiles(): Promise<void> {
  const paths = await cards().evaluateAll((nodes) =>
    nodes.map((node) => (node as unknown as { dataset: { path: string } }).dataset.path),
  );
  for (const imagePath of paths) {
    const shot = await card(imagePath).locator('.thumb img').screenshot();
    const [onScreen, inFile] = await Promise.all([meanColour(shot), meanColour(imagePath)]);
    for (const [channel, value] of onScreen.entries()) {
      expect(Math.abs(value - inFile[channel]!), imagePath).toBeLessThan(10);
    }
  }
}

async function screenshot(name: string): Promise<void> {
  const shot = await page.screenshot({ fullPage: true });
  expect((await sharp(shot).metadata()).width).toBe(880);
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await mkdir(DOCS_IMAGES, { recursive: true });
  // A palette PNG: a few hundred KB of screenshot becomes a small file for the repository.
  await writeFile(path.join(DOCS_IMAGES, name), await sharp(shot).png({ palette: true, quality: 70 }).toBuffer());
}

describe('the gallery of a generate_image result', () => {
  const args = { prompt: 'a lighthouse at dawn', size: '512x512', seed: 5 };
  let first: string;
  let frame: Frame;

  it("shows the call's image with model, size, seed and price", async () => {
    const result = await h.call(args);
    first = pathOf(result);
    frame = await show({ tool: 'generate_image', arguments: args, result });
    await waitForImages(frame, 1);
    expect(await card(first).locator('.facts').textContent()).toBe('512×512 · flux-2-pro · seed 5 · $0.03');
    expect(await view().locator('#title').textContent()).toBe('1 image from flux-2-pro');
    // One call's images: no search box, no paging, edit forms closed until asked for.
    for (const hidden of ['#search', '#more', '.edit-form', '.path']) {
      expect(await view().locator(hidden).first().isVisible(), hidden).toBe(false);
    }
    await expectThumbnailsMatchFiles();
  });

  it('"more like this" calls generate_image through the host, and the new image appears first', async () => {
    const gateway = h.simulator.apiRequests().length;
    await card(first).getByRole('button', { name: 'More like this' }).click();
    await waitForImages(frame, 2);

    expect(host.calls.map((call) => call.name)).toEqual(['generate_image']);
    // generate_image's `like`: the earlier image's prompt, model and size with a new seed.
    expect(host.calls[0]!.arguments).toEqual({ like: first });
    const sent = h.simulator.apiRequests().slice(gateway);
    expect(sent.map((request) => (request.json as { prompt: string }).prompt)).toEqual(['a lighthouse at dawn']);
    const made = pathOf(host.calls[0]!.result);
    expect(await cards().first().getAttribute('data-path')).toBe(made);
    expect(await cards().first().getAttribute('class')).toBe('card new');
    await expectThumbnailsMatchFiles();
  });

  it('"variants" makes four more with the same prompt, model and size, shown side by side', async () => {
    const gateway = h.simulator.apiRequests().length;
    await card(first).getByRole('button', { name: 'Variants' }).click();
    await waitForImages(frame, 6);
    await view().locator('main[aria-busy="false"]').waitFor();

    // One call with `count: 4`: four gateway requests in parallel, four images in its result.
    const variants = host.calls.slice(1);
    expect(variants.map((call) => [call.name, call.arguments.count])).toEqual([['generate_image', 4]]);
    expect(h.simulator.apiRequests().length - gateway).toBe(4);
    const made = (variants[0]!.result.structuredContent as { images: { seed: number }[] }).images;
    const seeds = made.map((image) => image.seed);
    expect(new Set([5, ...seeds]).size).toBe(5);
    expect(await view().locator('#status').textContent()).toBe('4 new images.');
    expect(await view().locator('#title').textContent()).toBe('6 images');
    await expectThumbnailsMatchFiles();
    await screenshot('gallery-result.png');
  });

  it('"edit this" puts an edit request for the image into the chat', async () => {
    const target = card(first);
    await target.getByRole('button', { name: 'Edit this' }).click();
    await target.locator('textarea').fill('make the sky stormy');
    await target.getByRole('button', { name: 'Ask for this edit' }).click();
    await view().getByText('Edit request sent to the chat.').waitFor();
    expect(host.events).toEqual([
      {
        kind: 'message',
        params: {
          role: 'user',
          content: [{ type: 'text', text: `Edit the image ${first} with edit_images: make the sky stormy` }],
        },
      },
    ]);
  });

  it('"open" shows the full-size image, read as the resource through the host', async () => {
    await card(first).getByRole('button', { name: 'Open', exact: true }).click();
    await frame.waitForFunction(() => {
      const full = document.querySelector('#full');
      return full?.complete === true && full.naturalWidth > 0;
    });
    expect(await frame.evaluate(() => document.querySelector('#full')!.naturalWidth)).toBe(512);
    expect(await view().locator('#full-caption').textContent()).toBe(first);
    await view().getByRole('button', { name: 'Close' }).click();
    await view().locator('#lightbox').waitFor({ state: 'hidden' });
  });
});

describe('the gallery of a list_images result', () => {
  it('shows a page of thumbnails, pages on with the app-only tool, and searches', async () => {
    for (const prompt of ['a red fox', 'a blue whale', 'a green forest', 'a lighthouse at night']) {
      await h.call({ prompt, size: '256x256' });
    }
    const all = (await h.call({ limit: 100 }, 'list_images')).structuredContent as { matched: number };
    const args = { limit: 4 };
    const result = await h.call(args, 'list_images');
    const frame = await show({ tool: 'list_images', arguments: args, result });
    await waitForImages(frame, 4);
    expect(await view().locator('#status').textContent()).toBe(`4 of ${all.matched} images`);
    await expectThumbnailsMatchFiles();

    const before = host.calls.length;
    await view().getByRole('button', { name: 'More', exact: true }).click();
    const total = Math.min(all.matched, 4 + 12);
    await waitForImages(frame, total);
    expect(host.calls.slice(before).map((call) => [call.name, call.arguments.limit])).toEqual([[PAGE_TOOL, 12]]);
    await expectThumbnailsMatchFiles();

    await view().getByRole('searchbox').fill('lighthouse');
    await view().getByRole('searchbox').press('Enter');
    await view().locator('#title', { hasText: 'for “lighthouse”' }).waitFor();
    const prompts = await view().locator('#grid .prompt').allTextContents();
    expect(prompts.length).toBeGreaterThan(1);
    expect(prompts.every((prompt) => prompt.includes('lighthouse'))).toBe(true);
    expect(prompts[0]).toBe('a lighthouse at night');
    await waitForImages(frame, prompts.length);
    await screenshot('gallery-library.png');
  });

  it('ran without a console error or a CSP violation: the page needs nothing from outside', () => {
    expect(consoleErrors).toEqual([]);
  });
});
