#!/usr/bin/env node
/**
 * Builds the gallery page (app/gallery/) into one self-contained HTML file, dist/app/gallery.html:
 * the TypeScript bundled by esbuild (the ext-apps App and everything it needs) and the stylesheet,
 * both inlined. Hosts load the page in a sandbox whose default CSP allows inline code and data:
 * images and no origin at all, so nothing may be fetched: no CDN, no separate file.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'app', 'gallery');
const output = path.join(root, 'dist', 'app', 'gallery.html');

/**
 * zod (which the ext-apps App uses to check messages) re-exports every locale's messages as a
 * namespace, which no bundler can drop: 260 KB of the page. Only English is ever configured.
 */
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-en' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

const script = await build({
  entryPoints: [path.join(source, 'main.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: ['chrome111', 'firefox113', 'safari16.4'],
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
  plugins: [englishOnly],
});
const style = await transform(await readFile(path.join(source, 'styles.css'), 'utf8'), { loader: 'css', minify: true });

// A literal "</script" inside the script would end the element early.
const js = script.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1');
const template = await readFile(path.join(source, 'index.html'), 'utf8');
const page = template
  .replace(/\/\* styles\.css \*\//, () => style.code.trim())
  .replace(/\/\* main\.ts \*\//, () => js.trim());
if (page.includes('/* main.ts */') || page.includes('/* styles.css */'))
  throw new Error('template placeholders not found');

await mkdir(path.dirname(output), { recursive: true });
await writeFile(output, page);
// stderr: `npm pack` prints the tarball name on stdout, and scripts read it from there.
process.stderr.write(`gallery page: ${path.relative(root, output)} (${Math.round(page.length / 1024)} KB)\n`);
