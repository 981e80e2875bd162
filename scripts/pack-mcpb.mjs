#!/usr/bin/env node
/**
 * `npm run pack:mcpb`: the Claude Desktop bundle, release/apiyi-flux-mcp-<version>.mcpb, and its
 * sha256 (printed, and in release/apiyi-flux-mcp-<version>.mcpb.sha256 for the MCP Registry's
 * server.json).
 *
 * The bundle is the npm package's files (dist/index.js, dist/chunks, dist/app/gallery.html, README,
 * LICENSE), mcpb/manifest.json, an icon rendered from mcpb/icon.svg, a package.json and the runtime
 * dependencies installed for production at the versions package-lock.json holds.
 *
 * sharp is installed as its WebAssembly build (`--cpu=wasm32`: @img/sharp-wasm32, libvips compiled
 * to wasm, run by Node's own WebAssembly) instead of a platform's native binary. Claude Desktop on
 * macOS refuses to load a third-party native module from a bundle, and a native sharp would tie
 * the bundle to one OS and CPU; the wasm build is one bundle for every platform. The script checks
 * that sharp really loads from it and fails if any native file (.node, .dylib, .so, .dll) is in
 * the bundle.
 *
 * Builds first when dist/ is missing or older than its sources. Nothing is written to stdout but
 * the progress lines and mcpb's own report.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const NAME = 'apiyi-flux-mcp';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const say = (line) => process.stdout.write(`pack:mcpb: ${line}\n`);
const fail = (message) => {
  throw new Error(`pack:mcpb: ${message}`);
};
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
const npm = (args, cwd) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd });
const mcpbCli = path.join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
const mcpb = (args, cwd = root) =>
  run(process.execPath, [mcpbCli, ...args], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });

/** Every file under dir (relative paths), directories walked. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const newest = async (dirs) => {
  let time = 0;
  for (const dir of dirs) {
    const full = path.join(root, dir);
    const files = (await stat(full)).isDirectory() ? (await filesUnder(full)).map((f) => path.join(full, f)) : [full];
    for (const file of files) time = Math.max(time, (await stat(file)).mtimeMs);
  }
  return time;
};

// 1. The built server, rebuilt when a source is newer than it.
const BUILT = ['dist/index.js', 'dist/app/gallery.html'];
const SOURCES = ['src', 'app', 'scripts/bundle.mjs', 'scripts/build-app.mjs', 'package.json', 'tsconfig.build.json'];
const builtAt = await Promise.all(
  BUILT.map((f) =>
    stat(path.join(root, f)).then(
      (s) => s.mtimeMs,
      () => 0,
    ),
  ),
);
if (Math.min(...builtAt) < (await newest(SOURCES))) {
  say('building (dist/ is missing or older than its sources)');
  run('npm', ['run', 'build'], { stdio: ['ignore', 'inherit', 'inherit'] });
}

const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(await readFile(path.join(root, 'mcpb', 'manifest.json'), 'utf8'));
if (manifest.name !== NAME) fail(`mcpb/manifest.json names ${manifest.name}, expected ${NAME}`);
if (manifest.version !== pkg.version) {
  fail(`mcpb/manifest.json has version ${manifest.version}, package.json ${pkg.version}: make them equal`);
}
// The repository, once package.json has one, is the bundle's too (it is optional in the manifest).
if (pkg.repository && !manifest.repository) {
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository.url;
  manifest.repository = { type: 'git', url: url.replace(/^git\+/, '') };
}

const stage = await mkdtemp(path.join(os.tmpdir(), `${NAME}-mcpb-`));
try {
  // 2. The files the npm package ships, as npm itself lists them (package.json's `files`).
  const [packed] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root));
  const shipped = packed.files
    .map((f) => f.path)
    .filter((f) => f.startsWith('dist/') || f === 'README.md' || f === 'LICENSE');
  for (const file of BUILT) if (!shipped.includes(file)) fail(`npm pack does not ship ${file}`);
  for (const file of shipped) {
    await mkdir(path.dirname(path.join(stage, file)), { recursive: true });
    await copyFile(path.join(root, file), path.join(stage, file));
  }
  await writeFile(path.join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await sharp(path.join(root, 'mcpb', 'icon.svg'))
    .png()
    .toFile(path.join(stage, 'icon.png'));

  // 3. Runtime dependencies at their locked versions, sharp as WebAssembly. npm ci needs the
  //    package.json the lock was made from; the bundle's own package.json replaces it after.
  const installing = performance.now();
  await copyFile(path.join(root, 'package.json'), path.join(stage, 'package.json'));
  await copyFile(path.join(root, 'package-lock.json'), path.join(stage, 'package-lock.json'));
  npm(['ci', '--omit=dev', '--cpu=wasm32', '--ignore-scripts'], stage);
  say(`installed the runtime dependencies with sharp's WebAssembly build in ${seconds(installing)}`);
  await rm(path.join(stage, 'package-lock.json'));
  await rm(path.join(stage, 'node_modules', '.package-lock.json'), { force: true });
  await writeFile(
    path.join(stage, 'package.json'),
    `${JSON.stringify(
      {
        name: NAME,
        version: pkg.version,
        description: pkg.description,
        private: true,
        type: 'module',
        license: pkg.license,
        engines: pkg.engines,
        dependencies: pkg.dependencies,
      },
      null,
      2,
    )}\n`,
  );

  // 4. No native code anywhere, and sharp loads (from wasm) and works, in a process of its own.
  const native = (await filesUnder(stage)).filter((f) => /\.(node|dylib|dll|so)$|\.so\.\d/.test(f));
  if (native.length > 0)
    fail(`native files in the bundle, which Claude Desktop on macOS refuses:\n  ${native.join('\n  ')}`);
  const probe = `
    import sharp from 'sharp';
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#ff5500' } }).png().toBuffer();
    const { format, width } = await sharp(png).resize(32).jpeg().toBuffer().then((b) => sharp(b).metadata());
    if (format !== 'jpeg' || width !== 32) throw new Error('sharp made no 32 px JPEG');
    process.stdout.write(JSON.stringify({ emscripten: sharp.versions.emscripten ?? null, vips: sharp.versions.vips }));`;
  const probePath = path.join(stage, 'probe-sharp.mjs');
  await writeFile(probePath, probe);
  const loaded = JSON.parse(run(process.execPath, [probePath], { cwd: stage }));
  await rm(probePath);
  if (!loaded.emscripten) fail('sharp in the bundle did not load its WebAssembly build');
  say(`sharp loads from WebAssembly (libvips ${loaded.vips}, emscripten ${loaded.emscripten}); no native file`);

  // 5. Validate, pack, checksum.
  mcpb(['validate', path.join(stage, 'manifest.json')]);
  const release = path.join(root, 'release');
  const bundle = path.join(release, `${NAME}-${pkg.version}.mcpb`);
  await mkdir(release, { recursive: true });
  await rm(bundle, { force: true });
  mcpb(['pack', '.', bundle], stage);
  const sha256 = createHash('sha256')
    .update(await readFile(bundle))
    .digest('hex');
  await writeFile(`${bundle}.sha256`, `${sha256}  ${path.basename(bundle)}\n`);
  const { size } = await stat(bundle);
  say(`${path.relative(root, bundle)}: ${(size / 1024 / 1024).toFixed(1)} MB, made in ${seconds(started)}`);
  say(`sha256 ${sha256} (also in ${path.relative(root, bundle)}.sha256)`);
} finally {
  await rm(stage, { recursive: true, force: true });
}
