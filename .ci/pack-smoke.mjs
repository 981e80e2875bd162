#!/usr/bin/env node
/**
 * The published package, as a user gets it: `npm pack`, install the tarball into an empty
 * directory (runtime dependencies only), then list the tools and make an image through the
 * installed bin over stdio, against the gateway simulator. Then what a client config runs,
 * `npx -y <name>`, as the stdio server on Node 20 and Node 22.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { GatewaySimulator } from '../dist/simulator/gateway-simulator.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgName = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).name;
const work = await mkdtemp(path.join(os.tmpdir(), 'flux-mcp-pack-'));
const npm = (args, cwd) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
const fail = (message) => {
  throw new Error(`pack smoke test: ${message}`);
};

const simulator = await GatewaySimulator.start({});
try {
  const tarball = path.join(work, npm(['pack', '--pack-destination', work], root).trim().split('\n').pop());
  const app = path.join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  await writeFile(path.join(app, 'package.json'), '{ "private": true }\n');
  npm(['install', tarball], app);
  const installed = Object.keys(
    JSON.parse(execFileSync('npm', ['ls', '--json', '--depth=0'], { cwd: app, encoding: 'utf8' })).dependencies,
  );
  if (installed.join() !== pkgName) fail(`expected only ${pkgName} at the top level, got ${installed.join(', ')}`);
  const bin = path.join(app, 'node_modules', '.bin', pkgName);
  if (!existsSync(bin)) fail(`no node_modules/.bin/${pkgName}`);

  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  const pkg = JSON.parse(execFileSync('npm', ['pkg', 'get', 'version'], { cwd: root, encoding: 'utf8' }));
  if (version !== pkg) fail(`--version printed ${version}, package.json says ${pkg}`);

  const serverParams = {
    command: bin,
    env: {
      ...process.env,
      APIYI_API_KEY: 'sk-smoke',
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: path.join(work, 'out'),
      FLUX_MCP_LOG_LEVEL: 'warn',
    },
    stderr: 'inherit',
  };
  const client = new Client({ name: 'pack-smoke', version: '1.0.0' });
  await client.connect(new StdioClientTransport(serverParams));
  const tools = (await client.listTools()).tools.map((t) => t.name);
  if (tools.join() !== 'generate_image,edit_images,wait_for_image,list_images') fail(`tools: ${tools.join(', ')}`);
  const result = await client.callTool({
    name: 'generate_image',
    arguments: { prompt: 'A packaged kite', size: '256x256' },
  });
  if (result.isError) fail(result.content[0].text);
  const saved = result.structuredContent.images[0].path;
  if (!existsSync(saved)) fail(`${saved} was not saved`);
  await client.close();

  // An MCP Apps client gets the gallery page, which the installed package finds in its own dist/.
  const appsClient = new Client(
    { name: 'pack-smoke-apps', version: '1.0.0' },
    { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } },
  );
  await appsClient.connect(new StdioClientTransport(serverParams));
  const page = (await appsClient.readResource({ uri: 'ui://flux-mcp/gallery.html' })).contents[0];
  if (page?.mimeType !== 'text/html;profile=mcp-app' || !/^<!doctype html>/i.test(page.text ?? ''))
    fail('the installed package serves no gallery page');
  await appsClient.close();

  // What a client config says: `npx -y apiyi-flux-mcp`. From the tarball (not yet published), with
  // an empty npx cache, as the MCP server over stdio, on this Node and on Node 22 when CI has it.
  const node22 = path.join(root, '.ci', 'conformance', 'node_modules', 'node', 'bin');
  const nodes = [path.dirname(process.execPath), ...(existsSync(path.join(node22, 'node')) ? [node22] : [])];
  const viaNpx = [];
  for (const nodeDir of nodes) {
    const env = {
      ...serverParams.env,
      PATH: `${nodeDir}${path.delimiter}${process.env.PATH}`,
      npm_config_cache: path.join(work, `npx-cache-${viaNpx.length}`),
      FLUX_MCP_OUTPUT_DIR: path.join(work, `out-npx-${viaNpx.length}`),
    };
    const nodeVersion = execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim();
    const npxClient = new Client({ name: 'pack-smoke-npx', version: '1.0.0' });
    await npxClient.connect(
      new StdioClientTransport({
        command: 'npx',
        args: ['-y', `--package=${tarball}`, pkgName],
        env,
        stderr: 'inherit',
      }),
    );
    if (npxClient.getServerVersion()?.name !== pkgName)
      fail(`npx on ${nodeVersion}: serverInfo ${npxClient.getServerVersion()?.name}`);
    const made = await npxClient.callTool({
      name: 'generate_image',
      arguments: { prompt: `A kite through npx on Node ${nodeVersion}`, size: '256x256' },
    });
    if (made.isError) fail(`npx on ${nodeVersion}: ${made.content[0].text}`);
    if (!existsSync(made.structuredContent.images[0].path)) fail(`npx on ${nodeVersion}: the image was not saved`);
    await npxClient.close();
    viaNpx.push(nodeVersion);
  }

  process.stdout.write(
    `pack smoke test: ${path.basename(tarball)} installs alone (${installed.join()} + runtime dependencies), lists ${tools.length} tools over stdio, saved ${path.basename(saved)}, serves the gallery page; npx -y ${pkgName} serves and makes an image on Node ${viaNpx.join(' and ')}\n`,
  );
} finally {
  await simulator.close();
  await rm(work, { recursive: true, force: true });
}
