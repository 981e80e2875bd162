/**
 * The server under test, the built `dist/index.js` of this repository, as each transport needs
 * it: a command line for stdio (the library spawns it), or a running `serve --http` for
 * Streamable HTTP. Either way the gateway is the simulator the orchestrator started.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const ENTRY = path.join(ROOT, 'dist', 'index.js');

/** The environment the server gets: a dummy key, the simulator as gateway, an output directory of its own. */
export function serverEnv({ simulatorUrl, outputDir, preview = 'auto' }) {
  return {
    ...process.env,
    APIYI_API_KEY: 'sk-client-compat',
    APIYI_BASE_URL: simulatorUrl,
    FLUX_MCP_OUTPUT_DIR: outputDir,
    FLUX_MCP_LOG_LEVEL: 'warn',
    FLUX_MCP_PREVIEW: preview,
  };
}

/** What a library needs to spawn the server over stdio (on the same Node as the suite). */
export function stdioCommand(options) {
  return { command: process.execPath, args: [ENTRY], env: serverEnv(options) };
}

/** Starts `flux-mcp serve --http --port 0` and resolves with its URL (printed on stderr) and a stop function. */
export async function startHttpServer(options) {
  const child = spawn(process.execPath, [ENTRY, 'serve', '--http', '--port', '0'], {
    env: { ...serverEnv(options), FLUX_MCP_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      const match = /Streamable HTTP at (http:\/\/\S+\/mcp)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`flux-mcp serve exited (${code}) before listening:\n${seen}`)));
  });
  child.stderr.resume();
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}
