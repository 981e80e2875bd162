/** `npm run docs`: rewrite the generated sections of README.md and docs/*.md in place. */
import { readFile, writeFile } from 'node:fs/promises';
import { DOC_FILES, renderDoc } from './readme.js';

for (const file of DOC_FILES) {
  const path = new URL(`../../${file}`, import.meta.url);
  const before = await readFile(path, 'utf8');
  const after = renderDoc(before);
  await writeFile(path, after);
  process.stderr.write(after === before ? `${file} is up to date\n` : `${file} updated\n`);
}
