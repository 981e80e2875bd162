/**
 * A big image library for the benchmark: `count` images, each a tiny JPEG with a real sidecar
 * written with the real schema (checked with the server's own parser), made the way the server
 * names them, over about five months, from a few models, with varied prompts.
 *
 * Made once and kept in the system temp directory between runs (about a minute for 100,000; the
 * images are hard links to a few copies of one JPEG, so they take no space). The server's index in
 * it (`.flux-mcp/`) is the server's business: the benchmark removes it to measure a rebuild.
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseSidecar, SIDECAR_SCHEMA, sidecarText } from '../dist/library/sidecar.js';
import { renderImage } from '../dist/simulator/render.js';

/** Bump when what is generated changes, so an old cached library is not reused. */
const VERSION = 1;
/** ext4 allows 65,000 links to one file. */
const LINKS_PER_COPY = 50_000;
const WRITES_AT_ONCE = 64;

const SUBJECTS = [
  'a lighthouse',
  'a red fox',
  'a ceramic mug',
  'a mountain cabin',
  'a vintage car',
  'a city street',
  'a bowl of ramen',
  'a sailing boat',
  'an astronaut',
  'a cat on a windowsill',
  'a glass perfume bottle',
  'a forest path',
  'a robot barista',
  'a desert canyon',
  'a jazz trio',
  'a paper crane',
];
const SETTINGS = [
  'at dawn',
  'in the rain',
  'under a starry sky',
  'in golden hour light',
  'on a white background',
  'in heavy fog',
  'at night with neon signs',
  'in autumn',
  'on a snowy morning',
  'by the sea',
];
const STYLES = [
  'watercolor',
  'photorealistic, 35 mm',
  'flat vector illustration',
  'oil painting',
  'isometric 3D render',
  'studio product shot',
  'pencil sketch',
  'cinematic wide shot',
];
const MODELS = ['flux-2-pro', 'flux-2-pro', 'flux-2-pro', 'flux-2-max', 'flux-2-klein-4b', 'gpt-image-2'];

const FIRST = Date.UTC(2026, 5, 1);
const STEP_MS = 137_000; // 100,000 images over ~5 months

function sidecarFor(i, imageBytes, sha256) {
  const created = new Date(FIRST + i * STEP_MS);
  const prompt = `${SUBJECTS[i % SUBJECTS.length]} ${SETTINGS[(i >> 4) % SETTINGS.length]}, ${STYLES[(i >> 2) % STYLES.length]}`;
  const stamp = created.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const stem = `${stamp}-${prompt
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .split('-')
    .filter(Boolean)
    .slice(0, 6)
    .join('-')}-${i.toString(36).padStart(6, '0')}`;
  const model = MODELS[i % MODELS.length];
  const edit = i % 7 === 3;
  return {
    stem,
    sidecar: {
      schema: SIDECAR_SCHEMA,
      file: `${stem}.jpg`,
      createdAt: created.toISOString(),
      tool: edit ? 'edit_images' : 'generate_image',
      model,
      prompt: edit ? `Make image 1 look like ${prompt}` : prompt[0].toUpperCase() + prompt.slice(1),
      endpoint: '/images/generations',
      parameters: { width: 64, height: 64, output_format: 'jpeg', safety_tolerance: 2, seed: i },
      seed: i,
      requestId: `req-${i}`,
      elapsedMs: 4000 + (i % 5000),
      attempts: 1,
      priceUsd: model === 'gpt-image-2' ? null : 0.03,
      image: { width: 64, height: 64, mimeType: 'image/jpeg', bytes: imageBytes, sha256 },
      notes: [],
      server: { name: 'flux-mcp', version: '0.1.0' },
    },
  };
}

/** Path of a library of `count` images, made now unless a complete one is cached. */
export async function libraryFixture(count) {
  const root = path.join(os.tmpdir(), 'flux-mcp-bench');
  const directory = path.join(root, `library-${count}-v${VERSION}`);
  const done = `${directory}.complete`;
  if (
    await stat(done).then(
      () => true,
      () => false,
    )
  )
    return directory;

  process.stderr.write(`   making a library of ${count.toLocaleString('en')} images in ${directory} (once)\n`);
  const started = performance.now();
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  const jpeg = await renderImage({ width: 64, height: 64, format: 'jpeg', key: 'bench library' });
  const sha256 = createHash('sha256').update(jpeg).digest('hex');
  const check = parseSidecar(sidecarText(sidecarFor(0, jpeg.length, sha256).sidecar));
  if (!check.ok) throw new Error(`the fixture's sidecar does not match the schema: ${check.reason}`);

  const sources = [];
  for (let i = 0; i < Math.ceil(count / LINKS_PER_COPY); i++) {
    const source = path.join(root, `library-${count}-v${VERSION}-source-${i}.jpg`);
    await writeFile(source, jpeg);
    sources.push(source);
  }
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { stem, sidecar } = sidecarFor(i, jpeg.length, sha256);
      const image = path.join(directory, `${stem}.jpg`);
      await link(sources[Math.floor(i / LINKS_PER_COPY)], image).catch(() => copyFile(sources[0], image));
      await writeFile(path.join(directory, `${stem}.json`), sidecarText(sidecar));
    }
  };
  await Promise.all(Array.from({ length: WRITES_AT_ONCE }, worker));
  await writeFile(done, `${new Date().toISOString()}\n`);
  process.stderr.write(`   made in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return directory;
}
