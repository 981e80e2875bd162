/** `npm run docs`: rewrite the README's generated sections in place. */
import { readFile, writeFile } from 'node:fs/promises';
import { renderReadme } from './readme.js';

const path = new URL('../../README.md', import.meta.url);
const before = await readFile(path, 'utf8');
const after = renderReadme(before);
await writeFile(path, after);
process.stderr.write(after === before ? 'README.md is up to date\n' : 'README.md updated\n');
