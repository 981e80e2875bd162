/**
 * A library that survives bad files. The output directory is shared with people and other
 * programs, so any `*.json` in it may be no sidecar at all: wrong fields, no `image`, cut short, a
 * directory, a FIFO, a link, a sidecar naming a missing image or a path elsewhere. Each is skipped
 * with one warning naming it, and `list_images`, `resources/list`, `resources/read` and the CLI's
 * `images` still serve every good image. Also: what the save path writes is what the schema reads.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/log.js';
import { FileLibraryIndex } from '../src/library/file-library-index.js';
import { saveImage } from '../src/library/save.js';
import { parseSidecar, SIDECAR_SCHEMA, sidecarSchema } from '../src/library/sidecar.js';
import { RESOURCE_PAGE_SIZE } from '../src/mcp/resources.js';
import { type Harness, startHarness, TEST_KEY, textOf } from './helpers/harness.js';
import { makeImage, sha256, writeImage } from './helpers/images.js';

const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const RUNNING_AS_ROOT = process.getuid?.() === 0;

let h: Harness;
/** Absolute paths of every image that must stay listed. */
const good: string[] = [];
/** Sidecar name → what its warning must say. */
const bad = new Map<string, RegExp>();

const sidecarPathOf = (imagePath: string): string => imagePath.replace(/\.\w+$/, '.json');
const readJson = async (file: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

async function make(args: Record<string, unknown>, tool = 'generate_image'): Promise<string> {
  const result = await h.call({ size: '256x256', ...args }, tool);
  expect(result.isError, textOf(result)).toBeFalsy();
  return (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
}

/** A sidecar beside the made images, as a name and its text; the name says what is wrong with it. */
async function plant(name: string, text: string, warning: RegExp): Promise<void> {
  await writeFile(path.join(h.outputDir, name), text);
  bad.set(name, warning);
}

/** The warnings logged about one sidecar. */
const warningsAbout = (name: string): string[] =>
  h.logLines.filter((line) => line.startsWith('apiyi-flux-mcp warn: ') && line.includes(`skipped ${name}:`));

beforeAll(async () => {
  h = await startHarness();
  good.push(await make({ prompt: 'A red fox in the snow' }));
  good.push(await make({ prompt: 'A blue whale under the sea', output_format: 'png' }));
  good.push(await make({ prompt: 'Make the fox white', images: [good[0]!] }, 'edit_images'));

  const template = await readJson(sidecarPathOf(good[0]!));
  const text = JSON.stringify(template, null, 2);
  const stem = (what: string): string => `20261130-120000-${what}-aaaaaa`;

  // Good copies: enough of them for resources/list to need a second page; one carries a field a
  // later version might add, which must be tolerated.
  for (let i = 0; i < RESOURCE_PAGE_SIZE + 10; i++) {
    const file = `${stem(`copy-${String(i).padStart(2, '0')}`)}.jpg`;
    await copyFile(good[0]!, path.join(h.outputDir, file));
    const extra = i === 0 ? { addedByALaterVersion: { anything: true } } : {};
    const createdAt = new Date(Date.UTC(2026, 10, 30, 12, 0, i)).toISOString();
    await writeFile(
      path.join(h.outputDir, file.replace(/\.jpg$/, '.json')),
      JSON.stringify({ ...template, ...extra, file, createdAt }),
    );
    good.push(path.join(h.outputDir, file));
  }

  const { image: _image, ...withoutImage } = template;
  await plant(
    `${stem('no-image')}.json`,
    JSON.stringify(withoutImage),
    /not an apiyi-flux-mcp sidecar \(image: Required\)$/,
  );
  await plant(
    `${stem('wrong-fields')}.json`,
    JSON.stringify({ ...template, prompt: 42, image: { ...(template.image as object), width: 'wide' } }),
    /not an apiyi-flux-mcp sidecar \(prompt: expected string, received number; image\.width: expected number/,
  );
  await plant(`${stem('truncated')}.json`, text.slice(0, text.length / 2), /not JSON \(/);
  await plant(
    `${stem('not-an-object')}.json`,
    '["flux-mcp.image/1"]',
    /not an apiyi-flux-mcp sidecar \(expected object/,
  );
  await plant(
    `${stem('other-program')}.json`,
    JSON.stringify({ name: 'package', version: '1.0.0' }),
    /not an apiyi-flux-mcp sidecar \(schema: Required; file: Required; createdAt: Required; and \d+ more\)$/,
  );
  await plant(
    `${stem('newer-version')}.json`,
    JSON.stringify({ ...template, schema: 'flux-mcp.image/2' }),
    /a flux-mcp\.image\/2 sidecar; this server reads flux-mcp\.image\/1$/,
  );
  await plant(
    `${stem('missing-image')}.json`,
    JSON.stringify({ ...template, file: `${stem('missing-image')}.jpg` }),
    /its image 20261130-120000-missing-image-aaaaaa\.jpg is missing$/,
  );
  // A sidecar pointing outside the directory would let resources/read serve any file.
  const outside = await writeImage(os.tmpdir(), `flux-mcp-outside-${process.pid}.png`, { width: 8, height: 8 });
  await plant(
    `${stem('escape')}.json`,
    JSON.stringify({ ...template, file: `../${path.basename(outside)}` }),
    /file: expected a file name without directories/,
  );
  await plant(`${stem('absolute')}.json`, JSON.stringify({ ...template, file: outside }), /file: expected a file name/);

  // Not regular files: none of them may be opened (a FIFO would block the open for ever).
  await mkdir(path.join(h.outputDir, 'x.json'));
  bad.set('x.json', /not a regular file but a directory$/);
  execFileSync('mkfifo', [path.join(h.outputDir, 'y.json')]);
  bad.set('y.json', /not a regular file but a FIFO$/);
  await symlink(sidecarPathOf(good[1]!), path.join(h.outputDir, 'z.json'));
  bad.set('z.json', /not a regular file but a symbolic link$/);
  // A good sidecar whose image is a FIFO: resources/read would hang on it.
  execFileSync('mkfifo', [path.join(h.outputDir, 'fifo-image.jpg')]);
  await plant('fifo-image.json', JSON.stringify({ ...template, file: 'fifo-image.jpg' }), /is a FIFO, not a regular/);
  if (!RUNNING_AS_ROOT) {
    await plant(`${stem('unreadable')}.json`, text, /unreadable \(EACCES\)$/);
    await chmod(path.join(h.outputDir, `${stem('unreadable')}.json`), 0o000);
  }
});
afterAll(async () => {
  await rm(path.join(os.tmpdir(), `flux-mcp-outside-${process.pid}.png`), { force: true });
  await h.close();
});

describe('a library with bad sidecars in it', () => {
  it('list_images lists every good image and nothing else', async () => {
    const result = await h.call({ limit: 100 }, 'list_images');
    expect(result.isError, textOf(result)).toBeFalsy();
    const listed = result.structuredContent as { images: { path: string; prompt: string }[]; matched: number };
    expect(listed.matched).toBe(good.length);
    expect(listed.images.map((image) => image.path).sort()).toEqual([...good].sort());
    expect(listed.images.find((image) => image.path === good[2])?.prompt).toBe('Make the fox white');
  });

  it('resources/list pages through every good image, each once', async () => {
    const uris: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.client.listResources(cursor === undefined ? {} : { cursor });
      uris.push(...page.resources.map((resource) => resource.uri));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(2);
    const imageUris = uris.filter((uri) => uri.startsWith('file:'));
    expect(imageUris.sort()).toEqual(good.map((file) => pathToFileURL(file).href).sort());
  });

  it('resources/read serves every good image with its sidecar, and refuses the bad ones', async () => {
    for (const file of good) {
      const { contents } = await h.client.readResource({ uri: pathToFileURL(file).href });
      const [image, sidecar] = contents as [{ uri: string; blob: string }, { uri: string; text: string }];
      expect(Buffer.from(image.blob, 'base64').equals(await readFile(file))).toBe(true);
      expect(JSON.parse(sidecar.text)).toMatchObject({ schema: SIDECAR_SCHEMA, file: path.basename(file) });
    }
    for (const file of ['fifo-image.jpg', '20261130-120000-missing-image-aaaaaa.jpg']) {
      await expect(h.client.readResource({ uri: pathToFileURL(path.join(h.outputDir, file)).href })).rejects.toThrow(
        /no image of this server's library/,
      );
    }
  });

  it('warns once per bad file, naming it and saying why, however often the library is read', async () => {
    await h.call({}, 'list_images');
    await h.client.listResources();
    const added = await make({ prompt: 'A newcomer after the warnings' });
    const listed = (await h.call({ limit: 100 }, 'list_images')).structuredContent as { images: { path: string }[] };
    expect(listed.images.map((image) => image.path)).toContain(added);
    good.push(added);
    for (const [name, reason] of bad) {
      const warnings = warningsAbout(name);
      expect(warnings, name).toHaveLength(1);
      expect(warnings[0]!.trimEnd(), name).toMatch(reason);
    }
    const skipped = h.logLines.filter((line) => line.includes(' skipped '));
    expect(skipped).toHaveLength(bad.size);
    expect(h.logLines.join('')).not.toContain(TEST_KEY);
  });

  it('the CLI lists every good image, with one warning per bad file on stderr', async () => {
    if (!existsSync(ENTRY)) throw new Error('dist/index.js is missing: run `npm run build` (npm test does it first)');
    const child = spawn(process.execPath, [ENTRY, 'images', '--limit', '100'], {
      env: { PATH: process.env.PATH ?? '', HOME: h.outputDir, FLUX_MCP_OUTPUT_DIR: h.outputDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const paths = stdout.split('\n').filter(Boolean);
    for (const file of good) expect(paths).toContain(file);
    expect(paths).toHaveLength(good.length);
    for (const name of bad.keys()) expect(stderr.split(`skipped ${name}:`).length - 1, name).toBe(1);
  });
});

describe('the sidecar schema', () => {
  it('reads back exactly what the tools wrote: every field written is a field of the schema', async () => {
    for (const image of good.slice(0, 3)) {
      const written = await readJson(sidecarPathOf(image));
      expect(sidecarSchema.parse(written)).toEqual(written);
    }
    expect((await readJson(sidecarPathOf(good[2]!))).inputs).toHaveLength(1);
  });

  it('reads back what saveImage writes, with every optional field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-sidecar-'));
    try {
      const bytes = await makeImage({ width: 32, height: 16, format: 'png' });
      const saved = await saveImage({
        outputDir: dir,
        bytes,
        info: {
          format: 'png',
          mimeType: 'image/png',
          extension: 'png',
          width: 32,
          height: 16,
          hasAlpha: false,
          bytes: 0,
        },
        nameHint: 'round trip',
        createdAt: new Date('2026-11-30T12:00:00Z'),
        secrets: [TEST_KEY],
        sidecar: {
          tool: 'edit_images',
          model: 'gpt-image-2',
          prompt: 'round trip',
          endpoint: '/images/edits',
          parameters: { size: '32x16', quality: 'low', nested: { a: [1, 2] } },
          seed: 7,
          requestId: 'req-1',
          elapsedMs: 1234,
          attempts: 2,
          priceUsd: null,
          usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30 },
          inputs: [
            { role: 'image', index: 1, source: '/tmp/a.png', kind: 'file', sha256: 'ab', bytes: 5, sent: 'original' },
            { role: 'mask', source: 'data:image/png (12 bytes)', kind: 'data', sent: 'normalized' },
          ],
          notes: ['a note'],
          server: { name: 'flux-mcp', version: '0.0.0' },
        },
      });
      const text = await readFile(saved.sidecarPath, 'utf8');
      const reading = parseSidecar(text);
      expect(reading.ok).toBe(true);
      expect(reading.ok && reading.sidecar).toEqual(JSON.parse(text));
      expect(reading.ok && reading.sidecar.image).toEqual({
        width: 32,
        height: 16,
        mimeType: 'image/png',
        bytes: bytes.length,
        sha256: sha256(bytes),
      });
      // The save path and the library describe the image the same way.
      const listed = await new FileLibraryIndex(dir, createLogger('silent', [])).query({}, 10);
      const { sha256: _sha256, ...described } = saved;
      expect(listed).toEqual({ images: [described], matched: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the first sidecars, written before retries, as one attempt', async () => {
    const { attempts: _attempts, ...first } = await readJson(sidecarPathOf(good[0]!));
    const reading = parseSidecar(JSON.stringify(first));
    expect(reading.ok && reading.sidecar.attempts).toBe(1);
  });

  it('warns once about a bad file when listings run at the same time', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-sidecar-'));
    try {
      await writeFile(path.join(dir, 'bad.json'), '{');
      const lines: string[] = [];
      const library = new FileLibraryIndex(
        dir,
        createLogger('warn', [], (line) => lines.push(line)),
      );
      await Promise.all([library.query({}, 1), library.page(undefined, 1), library.query({}, 1)]);
      await library.query({}, 1);
      expect(lines).toEqual([expect.stringMatching(/^apiyi-flux-mcp warn: skipped bad\.json: not JSON \(/)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
