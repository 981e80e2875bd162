#!/usr/bin/env node
/**
 * The Claude Desktop bundle as Claude Desktop gets it: `npm run pack:mcpb`, the checksum file
 * checked, `mcpb unpack` and `mcpb validate`, no native file inside; then the server started the
 * way the manifest's mcp_config says, with its variables filled in by mcpb's own
 * getMcpConfigForManifest (the code Claude Desktop uses) and `node` from PATH: the tools listed
 * (the manifest's list must be the server's), an image made against the gateway simulator (which
 * accepts only the key given as user_config), saved with its sidecar in the chosen folder. A second
 * session keeps the manifest's default folder, `${HOME}/Pictures/flux-mcp`, which Claude Desktop
 * hands over unsubstituted, with HOME pointed at a temporary directory.
 *
 * Run on whatever `node` is first on PATH (CI runs it once, on Node 22).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getMcpConfigForManifest } from '@anthropic-ai/mcpb/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { GatewaySimulator } from '../dist/simulator/gateway-simulator.js';

const KEY = 'sk-smoke';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mcpbCli = path.join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
const fail = (message) => {
  throw new Error(`mcpb smoke test: ${message}`);
};
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

const started = performance.now();
execFileSync('npm', ['run', '--silent', 'pack:mcpb'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const packTime = seconds(started);

const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const bundle = path.join(root, 'release', `apiyi-flux-mcp-${version}.mcpb`);
if (!existsSync(bundle)) fail(`npm run pack:mcpb made no ${path.relative(root, bundle)}`);
const sha256 = createHash('sha256')
  .update(await readFile(bundle))
  .digest('hex');
const recorded = await readFile(`${bundle}.sha256`, 'utf8');
if (recorded !== `${sha256}  ${path.basename(bundle)}\n`) fail(`${path.basename(bundle)}.sha256 says ${recorded}`);

const work = await mkdtemp(path.join(os.tmpdir(), 'apiyi-flux-mcp-mcpb-smoke-'));
const simulator = await GatewaySimulator.start({ apiKey: KEY });
try {
  const dir = path.join(work, 'extension');
  const mcpb = (...args) => {
    try {
      execFileSync(process.execPath, [mcpbCli, ...args], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      fail(`mcpb ${args[0]} failed:\n${error.stdout}${error.stderr}`);
    }
  };
  mcpb('unpack', bundle, dir);
  mcpb('validate', path.join(dir, 'manifest.json'));
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const native = files.map((e) => path.join(e.parentPath, e.name)).filter((f) => /\.(node|dylib|dll|so)$/.test(f));
  if (native.length > 0) fail(`native files in the bundle: ${native.join(', ')}`);
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  const nodeVersion = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();

  /** One session of the bundled server, started as Claude Desktop would with these settings. */
  async function session(userConfig, env = {}) {
    const config = await getMcpConfigForManifest({
      manifest,
      extensionPath: dir,
      systemDirs: { HOME: os.homedir(), DESKTOP: os.homedir(), DOCUMENTS: os.homedir(), DOWNLOADS: os.homedir() },
      userConfig,
      pathSeparator: path.sep,
    });
    if (config?.command !== 'node') fail(`mcp_config runs ${config?.command}, not node`);
    const transport = new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: { ...getDefaultEnvironment(), ...env, ...config.env },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const problems = [];
    // Claude Desktop's clientInfo, and the MCP Apps extension it declares.
    const client = new Client(
      { name: 'claude-ai', version: '0.1.0' },
      { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } },
    );
    client.onerror = (error) => problems.push(error.message);
    await client.connect(transport);
    // The tools the model sees (an MCP Apps session also has the gallery's app-only one).
    const tools = (await client.listTools()).tools
      .filter((t) => t._meta?.ui?.visibility?.includes('model') ?? true)
      .map((t) => t.name);
    const declared = manifest.tools.map((t) => t.name);
    if (tools.join() !== declared.join())
      fail(`the server lists ${tools.join(', ')}; the manifest ${declared.join(', ')}`);
    const before = simulator.apiRequests().length;
    const result = await client.callTool({
      name: 'generate_image',
      arguments: { prompt: 'A bundled kite over a harbour', size: '256x256', output_format: 'png' },
    });
    if (result.isError) fail(result.content[0]?.text);
    if (simulator.apiRequests().length !== before + 1) fail('the simulator did not receive exactly one request');
    const preview = result.content.find((block) => block.type === 'image');
    if (preview?.mimeType !== 'image/jpeg') fail('no JPEG preview for claude-ai (the preview setting is auto)');
    const saved = result.structuredContent.images[0].path;
    const sidecar = saved.replace(/\.[^.]+$/, '.json');
    if (!existsSync(saved) || !existsSync(sidecar)) fail(`${saved} or its sidecar was not saved`);
    if ((await readFile(saved)).subarray(1, 4).toString() !== 'PNG') fail(`${saved} is not a PNG`);
    const page = (await client.readResource({ uri: 'ui://flux-mcp/gallery.html' })).contents[0];
    if (!/^<!doctype html>/i.test(page?.text ?? '')) fail('the bundle serves no gallery page');
    await client.close();
    if (problems.length > 0) fail(`the client saw: ${problems.join('; ')} (stdout must be JSON-RPC only)`);
    if (stderr.includes(KEY)) fail('the API key appeared in the server log');
    return { tools, saved, sidecar };
  }

  const out = path.join(work, 'out');
  const chosen = await session({ api_key: KEY, output_dir: out, base_url: simulator.baseUrl });
  if (path.dirname(chosen.saved) !== out) fail(`saved ${chosen.saved}, not in the chosen folder ${out}`);

  // The defaults (output folder, preview), and HOME somewhere harmless.
  const home = path.join(work, 'home');
  await mkdir(home);
  const byDefault = await session({ api_key: KEY, base_url: simulator.baseUrl }, { HOME: home, USERPROFILE: home });
  const defaultDir = path.join(home, 'Pictures', 'flux-mcp');
  if (path.dirname(byDefault.saved) !== defaultDir) fail(`saved ${byDefault.saved}, not in ${defaultDir}`);

  process.stdout.write(
    `mcpb smoke test: ${path.basename(bundle)} (${((await readFile(bundle)).length / 1024 / 1024).toFixed(1)} MB, ` +
      `packed in ${packTime}) unpacks, validates, holds no native file; on node ${nodeVersion} as mcp_config says ` +
      `it lists ${chosen.tools.join(', ')} and saved ${path.basename(chosen.saved)} + sidecar in the chosen ` +
      `folder and another in the default one; ${seconds(started)} in all\n`,
  );
} finally {
  await simulator.close();
  await rm(work, { recursive: true, force: true });
}
