#!/usr/bin/env node
/**
 * The MCP Inspector commands of docs/clients.md, run as written: each line of the code blocks under
 * `<!-- inspector:simulator -->` and `<!-- inspector:key -->` goes through bash from the
 * repository folder, with HOME a fresh folder and the simulator on 127.0.0.1:8787 as the page
 * says to start it. `npx` finds the pinned Inspector installed in this folder (no download: npm
 * runs offline), and runs on the Node 22 this folder pins, as the Inspector 2.12 needs.
 *
 * Checks: tools/list lists the three tools; tools/call makes an image in $HOME/Pictures/flux-mcp,
 * which proves the `-e` variables reached the server (without them it has no key).
 *
 *   .ci/clients/node_modules/node/bin/node .ci/clients/inspector.mjs
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ROOT } from './lib/flux-server.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

/** The command lines of the code block after a marker. */
function commandsAfter(readme, marker) {
  const start = readme.indexOf(`<!-- ${marker} -->`);
  if (start < 0) throw new Error(`docs/clients.md has no <!-- ${marker} --> block`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? '';
  return block.split('\n').filter((line) => line.startsWith('npx '));
}

const fail = (message) => {
  throw new Error(`inspector: ${message}`);
};

const readme = await readFile(path.join(ROOT, 'docs', 'clients.md'), 'utf8');
const { GatewaySimulator } = await import(path.join(ROOT, 'dist', 'simulator', 'gateway-simulator.js'));
const simulator = await GatewaySimulator.start({ port: 8787 });
const home = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-inspector-'));
// A project folder that looks like the repository to `npx` (dist/ and the pinned Inspector).
const project = path.join(home, 'flux-mcp');
await mkdir(project);
await symlink(path.join(ROOT, 'dist'), path.join(project, 'dist'));
await symlink(path.join(here, 'node_modules'), path.join(project, 'node_modules'));
await writeFile(path.join(project, 'package.json'), await readFile(path.join(here, 'package.json')));

const env = {
  PATH: `${path.join(here, 'node_modules', 'node', 'bin')}${path.delimiter}${process.env.PATH}`,
  HOME: home,
  APIYI_API_KEY: 'sk-from-the-shell',
  npm_config_offline: 'true',
  npm_config_update_notifier: 'false',
};
const outputDir = path.join(home, 'Pictures', 'flux-mcp');
let checked = 0;
try {
  for (const marker of ['inspector:simulator', 'inspector:key']) {
    for (const line of commandsAfter(readme, marker)) {
      const { stdout } = await run('bash', ['-c', line], { cwd: project, env, maxBuffer: 16 * 1024 * 1024 });
      const answer = JSON.parse(stdout);
      if (line.includes('--method tools/list')) {
        const names = answer.tools?.map((tool) => tool.name) ?? [];
        if (!names.includes('generate_image')) fail(`${marker}: tools/list gave ${names.join(', ') || 'nothing'}`);
      } else if (line.includes('--method tools/call')) {
        if (answer.isError) fail(`${marker}: the call failed: ${answer.content?.[0]?.text}`);
        const saved = answer.structuredContent?.images?.[0]?.path;
        if (!saved?.startsWith(`${outputDir}${path.sep}`) || !existsSync(saved)) {
          fail(`${marker}: no image in ${outputDir} (got ${saved})`);
        }
      }
      checked += 1;
      process.stderr.write(`inspector: ok: ${line.slice(0, 110)}…\n`);
    }
  }
  if (checked < 3) fail(`expected at least 3 commands in docs/clients.md, found ${checked}`);
  process.stdout.write(`inspector: docs/clients.md's ${checked} Inspector commands work as written\n`);
} finally {
  await simulator.close();
  await rm(home, { recursive: true, force: true });
}
