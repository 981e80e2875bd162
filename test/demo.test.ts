/**
 * `npm run demo` as a newcomer runs it: its images go to a folder of their own (simulator images
 * are kept out of the user's library), and the demo ends with the command that lists them, which
 * does list them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = path.join(ROOT, 'dist', 'demo.js');
let work: string;

beforeAll(async () => {
  if (!existsSync(DEMO)) throw new Error('dist/demo.js is missing: run `npm run build` (npm test does it first)');
  work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-demo-test-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: work, TMPDIR: work, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout: code === 0 ? stdout : `${stdout}\n${stderr}` })),
  );
}

it.skipIf(process.platform === 'win32')('ends with a command that lists the images it made', async () => {
  const demo = await run([DEMO], {});
  expect(demo.code, demo.stdout).toBe(0);
  const saved = [...demo.stdout.matchAll(/^(?:Saved: | {7})(\/\S+\.jpg)$/gm)].map((m) => m[1]!);
  expect(saved).toHaveLength(2);
  // The temp directory's own folder, not the user's library.
  for (const image of saved) expect(image.startsWith(path.join(work, 'flux-mcp-demo'))).toBe(true);
  const [, dir, entry] = /^ {2}FLUX_MCP_OUTPUT_DIR=(\S+) node (\S+) images$/m.exec(demo.stdout) ?? [];
  expect(dir).toBe(path.join(work, 'flux-mcp-demo'));
  const listed = await run([entry!, 'images'], { FLUX_MCP_OUTPUT_DIR: dir! });
  expect(listed.code, listed.stdout).toBe(0);
  expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual([...saved].sort());
});
