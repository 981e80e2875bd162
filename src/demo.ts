/**
 * `npm run demo`: the whole path with no key and no cost. Starts the gateway simulator, spawns
 * the real server (dist/index.js) over stdio, and drives it with the SDK client as an agent would:
 * list the tools, generate an image, edit it by its path, and make one call the server refuses
 * before paying.
 *
 * The images go to a folder of their own in the temp directory (unless FLUX_MCP_OUTPUT_DIR says
 * otherwise), not to the user's library: they are the simulator's stand-ins, which a real library
 * (list_images, the gallery, `apiyi-flux-mcp images`) should not mix with real images. The demo ends by
 * saying how to list them.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SETTINGS } from './config.js';
import { SERVER_NAME } from './core/version.js';
import { GatewaySimulator } from './simulator/gateway-simulator.js';

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function textOf(result: CallToolResult): string {
  return result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
}

const DEFAULT_OUTPUT_DIR = SETTINGS.find((setting) => setting.env === 'FLUX_MCP_OUTPUT_DIR')?.shownDefault;
const ENTRY = fileURLToPath(new URL('./index.js', import.meta.url));

/** A word as a shell takes it: quoted unless it needs no quotes. */
const shellWord = (word: string): string =>
  /^[\w@%+=:,./\\-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

/** The command that lists the demo's images, for the shell this platform has. */
function listCommand(outputDir: string): string {
  const entry = path.relative(process.cwd(), ENTRY) || ENTRY;
  return process.platform === 'win32'
    ? `$env:FLUX_MCP_OUTPUT_DIR="${outputDir}"; node "${entry}" images`
    : `FLUX_MCP_OUTPUT_DIR=${shellWord(outputDir)} node ${shellWord(entry)} images`;
}

async function main(): Promise<void> {
  const outputDir = process.env.FLUX_MCP_OUTPUT_DIR || path.join(os.tmpdir(), 'flux-mcp-demo');
  const simulator = await GatewaySimulator.start();
  say(`Gateway simulator on ${simulator.baseUrl} (no key, no cost)`);

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY],
    env: {
      ...(process.env as Record<string, string>),
      APIYI_API_KEY: 'sk-demo-key',
      APIYI_BASE_URL: simulator.baseUrl,
      FLUX_MCP_OUTPUT_DIR: outputDir,
      FLUX_MCP_LOG_LEVEL: 'warn',
    },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'flux-mcp-demo', version: '1.0.0' });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    say(`Server started over stdio; tools: ${tools.map((t) => t.name).join(', ')}`);

    const args = { prompt: 'A lighthouse on a cliff at dawn, watercolor, soft light', size: '1024x768', seed: 7 };
    say();
    say(`generate_image ${JSON.stringify(args)}`);
    const result = (await client.callTool({ name: 'generate_image', arguments: args })) as CallToolResult;
    if (result.isError) throw new Error(`the demo call failed:\n${textOf(result)}`);
    say(indent(textOf(result)));
    const preview = result.content.find((block) => block.type === 'image');
    if (preview?.type === 'image')
      say(`  (+ an inline ${preview.mimeType} preview, ${preview.data.length} base64 characters)`);
    const structured = result.structuredContent as { images: { path: string }[] };

    const editArgs = { prompt: 'Make the sky in image 1 a stormy purple', images: [structured.images[0]!.path] };
    say();
    say(`edit_images ${JSON.stringify(editArgs)}`);
    const edited = (await client.callTool({ name: 'edit_images', arguments: editArgs })) as CallToolResult;
    if (edited.isError) throw new Error(`the demo edit failed:\n${textOf(edited)}`);
    say(indent(textOf(edited)));
    const editedPath = (edited.structuredContent as { images: { path: string }[] }).images[0]!.path;

    const before = simulator.apiRequests().length;
    const bad = { prompt: 'A lighthouse', width: 1000, height: 1000 };
    say();
    say(`generate_image ${JSON.stringify(bad)}   (invalid: refused before any request)`);
    const refused = (await client.callTool({ name: 'generate_image', arguments: bad })) as CallToolResult;
    say(indent(textOf(refused)));
    say(`  requests the gateway received for it: ${simulator.apiRequests().length - before}`);

    say();
    say(`Saved: ${structured.images[0]!.path}`);
    say(`       ${editedPath}`);
    say();
    // A folder of the user's own choosing is their library; the default one is the demo's alone.
    say(
      process.env.FLUX_MCP_OUTPUT_DIR
        ? 'To list them:'
        : `These are simulator images, kept in ${outputDir} apart from your own. To list them:`,
    );
    say(`  ${listCommand(outputDir)}`);
    say(`(\`${SERVER_NAME} images\` alone lists FLUX_MCP_OUTPUT_DIR, by default ${DEFAULT_OUTPUT_DIR}.)`);
  } finally {
    await client.close();
    await simulator.close();
  }
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
