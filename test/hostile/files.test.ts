/**
 * Hostile: files. Findings: the output directory trusted blindly (a planted sidecar + link made
 * resources/read return a non-image file; a FIFO named *.json hung listing; one bad sidecar broke
 * the library), the file checked not necessarily the file sent, bytes after the image and EXIF GPS
 * sent to the gateway, the rescue folder a fixed name in the shared temp directory that followed a
 * planted link, and on Windows UNC paths and file://host opened (an SMB handshake to any host).
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { editingModel } from '../../src/catalog/models.js';
import { ensurePrivateDir, PrivateDirError } from '../../src/core/private-dir.js';
import { payloadChunks } from '../../src/gateway/bodies.js';
import { RESCUE_DIR } from '../../src/pipeline/deliver.js';
import { prepareEditInputs } from '../../src/pipeline/inputs/prepare.js';
import { parseImageSource, SourceProblem } from '../../src/pipeline/inputs/source.js';
import { Workspace } from '../../src/pipeline/inputs/workspace.js';
import { type Harness, startHarness, textOf } from '../helpers/harness.js';
import { jsonReferences, makeImage, sha256, uploadedFiles, writeImage } from '../helpers/images.js';
import { CAMERA, photoWithMetadata, pixels, TRAILER } from './helpers.js';

const RUNNING_AS_ROOT = process.getuid?.() === 0;

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-hostile-files-'));
});
afterAll(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => h.simulator.reset());

async function generate(prompt: string): Promise<{ path: string; uri: string }> {
  const result = await h.call({ prompt, size: '256x256', seed: 1 });
  expect(result.isError, textOf(result)).toBeFalsy();
  return (result.structuredContent as { images: { path: string; uri: string }[] }).images[0]!;
}

describe('the output directory, shared with other programs and users', () => {
  it('resources/read refuses an image swapped for a link (to any file) after it was listed', async () => {
    const secret = path.join(dir, 'secret.txt');
    await writeFile(secret, 'not for the client');
    const image = await generate('A swapped image');
    await h.client.listResources();
    await unlink(image.path);
    await symlink(secret, image.path);
    // Refused either way: the index sees the link (no such image), or the read does (cannot be read).
    await expect(h.client.readResource({ uri: image.uri })).rejects.toThrow(
      /cannot be read|no image of this server's library/,
    );
  });

  it('resources/read refuses a file that is not the image its sidecar describes', async () => {
    const image = await generate('A replaced image');
    await h.client.listResources();
    await writeFile(image.path, 'plain text in place of the image');
    await expect(h.client.readResource({ uri: image.uri })).rejects.toThrow(/does not hold the image\/jpeg image/);
  });

  it('serves sizes from the file, not from what a planted sidecar claims', async () => {
    const big = await writeImage(h.outputDir, '20261201-120000-planted-zzzzzz.png', await noisePng(600));
    const template = JSON.parse(await readFile((await generate('A template')).path.replace(/\.jpg$/, '.json'), 'utf8'));
    await writeFile(
      path.join(h.outputDir, '20261201-120000-planted-zzzzzz.json'),
      JSON.stringify({
        ...template,
        file: path.basename(big),
        image: { ...template.image, mimeType: 'image/png', bytes: 100 },
      }),
    );
    const { resources } = await h.client.listResources();
    const planted = resources.find((r) => r.name === path.basename(big))!;
    expect(planted.size).toBe((await stat(big)).size);
    await expect(h.client.readResource({ uri: pathToFileURL(big).href })).rejects.toThrow(/more than the 750 KB/);
  });

  it('a FIFO named *.json and a broken sidecar neither hang nor break listing', async () => {
    execFileSync('mkfifo', [path.join(h.outputDir, 'trap.json')]);
    await writeFile(path.join(h.outputDir, 'broken.json'), '{"schema": "flux-mcp.image/1", "file": "../../etc/passwd"');
    const image = await generate('Still listed');
    const listed = await h.call({ query: 'still listed' }, 'list_images');
    expect((listed.structuredContent as { images: { path: string }[] }).images.map((i) => i.path)).toEqual([
      image.path,
    ]);
  });
});

describe('what is checked is what is sent', () => {
  it('the bytes sent are the copy that was checked, whatever happens to the file afterwards', async () => {
    const original = await makeImage({ width: 128, height: 128, format: 'png' });
    const file = await writeImage(dir, 'swap-me.png', original);
    const workspace = await Workspace.open();
    try {
      const prepared = await prepareEditInputs({
        images: [file],
        mask: undefined,
        model: editingModel('gpt-image-2'),
        normalize: true,
        keepMetadata: false,
        outputDir: h.outputDir,
        workspace,
        outbound: { trustedOrigins: [], allowPrivate: false },
      });
      // Swapped for another image, then for a link, between the check and the upload.
      await writeFile(file, await makeImage({ width: 512, height: 512, format: 'png', colour: { r: 0, g: 0, b: 0 } }));
      const wire = prepared.images[0]!.wire;
      if (wire.kind !== 'bytes') throw new Error('expected bytes');
      const sent: Buffer[] = [];
      for await (const chunk of payloadChunks(wire.payload)) sent.push(Buffer.from(chunk));
      expect(sha256(Buffer.concat(sent))).toBe(sha256(original));
      expect(prepared.images[0]!.record.sha256).toBe(sha256(original));
      expect(path.dirname(wire.payload.kind === 'file' ? wire.payload.path : '')).toBe(workspace.dir);
      expect((await stat(workspace.dir)).mode & 0o777).toBe(0o700);
    } finally {
      await workspace.dispose();
    }
  });
});

describe('bytes after the image, and location and camera metadata', () => {
  it('never reach the gateway on the JSON path (FLUX); the pixels do, unchanged', async () => {
    const photo = await photoWithMetadata('jpeg');
    const file = await writeImage(dir, 'gps.jpg', photo);
    const result = await h.call({ prompt: 'x', images: [file] }, 'edit_images');
    expect(result.isError, textOf(result)).toBeFalsy();
    const [sent] = jsonReferences(h.simulator.apiRequests()[0]!) as Buffer[];
    expectClean(sent!);
    expect(await pixels(sent!)).toEqual(await pixels(photo));
    const sidecar = JSON.parse(await readFile(sidecarOf(result), 'utf8'));
    expect(sidecar.inputs[0].sha256).toBe(sha256(photo));
    expect(sidecar.inputs[0].cleaned).toMatchObject({
      sha256: sha256(sent!),
      removed: expect.stringMatching(/^EXIF, 31 bytes after the image$/),
    });
  });

  it('never reach it on the multipart path (gpt-image-2), for PNG and WebP too', async () => {
    const files = [
      await writeImage(dir, 'gps.png', await photoWithMetadata('png')),
      await writeImage(dir, 'gps.webp', await photoWithMetadata('webp')),
    ];
    const result = await h.call({ prompt: 'x', images: files, model: 'gpt-image-2', quality: 'low' }, 'edit_images');
    expect(result.isError, textOf(result)).toBeFalsy();
    for (const [, bytes] of uploadedFiles(h.simulator.apiRequests()[0]!)) expectClean(bytes);
  });

  it('keep the orientation of an image sent as given (normalization off), in an EXIF that holds nothing else', async () => {
    const asIs = await startHarness({ config: { normalizeInputs: false } });
    try {
      const file = await writeImage(dir, 'sideways.jpg', await photoWithMetadata('jpeg', 6));
      const result = await asIs.call({ prompt: 'x', images: [file] }, 'edit_images');
      expect(result.isError, textOf(result)).toBeFalsy();
      const [sent] = jsonReferences(asIs.simulator.apiRequests()[0]!) as Buffer[];
      expectClean(sent!);
      expect((await sharp(sent!).metadata()).orientation).toBe(6);
    } finally {
      await asIs.close();
    }
  });

  it('FLUX_MCP_KEEP_INPUT_METADATA=1 keeps the metadata, never the bytes after the image', async () => {
    const keep = await startHarness({ config: { keepInputMetadata: true } });
    try {
      const file = await writeImage(dir, 'kept.jpg', await photoWithMetadata('jpeg'));
      await keep.call({ prompt: 'x', images: [file] }, 'edit_images');
      const [sent] = jsonReferences(keep.simulator.apiRequests()[0]!) as Buffer[];
      expect(sent!.includes(CAMERA.make)).toBe(true);
      expect(sent!.includes(TRAILER)).toBe(false);
    } finally {
      await keep.close();
    }
  });
});

describe('the rescue folder', () => {
  it('is this user’s own, 0700, in the system temp directory', async () => {
    const blocked = path.join(dir, 'a-file');
    await writeFile(blocked, 'x');
    const stuck = await startHarness({ config: { outputDir: path.join(blocked, 'images') } });
    try {
      const result = await stuck.call({ prompt: 'A rescued fox', seed: 1 });
      const saved = (result.structuredContent as { images: { path: string }[] }).images[0]!.path;
      expect(path.dirname(saved)).toBe(RESCUE_DIR);
      for (const folder of [path.dirname(RESCUE_DIR), RESCUE_DIR]) {
        const stats = await lstat(folder);
        expect(stats.isDirectory()).toBe(true);
        expect(stats.mode & 0o777).toBe(0o700);
        expect(stats.uid).toBe(process.getuid!());
      }
      await rm(saved);
      await rm(saved.replace(/\.jpg$/, '.json'));
    } finally {
      await stuck.close();
    }
  });

  it('is never reached through a link, nor taken over from another user, nor used when others can enter it', async () => {
    const root = path.join(dir, 'planted-root');
    const elsewhere = path.join(dir, 'attacker-controlled');
    await mkdir(elsewhere);
    await symlink(elsewhere, root);
    await expect(ensurePrivateDir(path.join(root, 'flux-mcp-rescued'), root)).rejects.toBeInstanceOf(PrivateDirError);

    const loose = path.join(dir, 'loose-root');
    await mkdir(loose, { mode: 0o777 });
    await chmod(loose, 0o777);
    await expect(ensurePrivateDir(path.join(loose, 'flux-mcp-rescued'), loose)).rejects.toThrow(
      /can be entered by other users/,
    );

    if (RUNNING_AS_ROOT) {
      const theirs = path.join(dir, 'their-root');
      await mkdir(theirs, { mode: 0o700 });
      await chown(theirs, 65534, 65534);
      await expect(ensurePrivateDir(path.join(theirs, 'x'), theirs)).rejects.toThrow(/belongs to another user/);
    }
  });
});

describe('Windows network paths', () => {
  const windows = { home: 'C:\\Users\\ada', platform: 'win32' as const };
  it.each([
    '\\\\attacker.example\\share\\cat.png',
    '//attacker.example/share/cat.png',
    '\\\\?\\UNC\\attacker.example\\share\\cat.png',
    '\\\\.\\pipe\\evil',
    'file://attacker.example/share/cat.png',
    'file:////attacker.example/share/cat.png',
  ])('%s is refused without being opened', (source) => {
    const parsed = parseImageSource(source, windows);
    expect(parsed).toBeInstanceOf(SourceProblem);
    expect((parsed as SourceProblem).message).toMatch(/network \(UNC\) or device path|not a usable file:\/\/ URI/);
  });
});

function expectClean(bytes: Buffer): void {
  expect(bytes.includes(CAMERA.make)).toBe(false);
  expect(bytes.includes(CAMERA.model)).toBe(false);
  expect(bytes.includes(TRAILER)).toBe(false);
}

function sidecarOf(result: { structuredContent?: unknown }): string {
  return (result.structuredContent as { images: { path: string }[] }).images[0]!.path.replace(/\.\w+$/, '.json');
}

/** An incompressible PNG of about `side`² × 3 bytes (over the 750 KB a resource read returns). */
function noisePng(side: number): Promise<Buffer> {
  const raw = Buffer.alloc(side * side * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}
