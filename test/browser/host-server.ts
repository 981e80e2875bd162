/**
 * The backend of the test host, on loopback: two origins (two ports of 127.0.0.1), one for the host
 * page and one for the gallery view, as a real host keeps the view apart from itself.
 * - host origin: the page (host-page.ts bundled by esbuild), the scenario it shows, and `/rpc`,
 *   which hands the view's tools/call and resources/read to the MCP client (refusing tools whose
 *   `_meta.ui.visibility` leaves out "app", as the spec asks of hosts), and `/event` for
 *   ui/message and ui/open-link;
 * - view origin: the gallery HTML exactly as resources/read gave it, under the CSP the spec
 *   prescribes for a resource that declares no `csp`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { build } from 'esbuild';

/** MCP Apps spec 2026-01-26, "UI Resource Format", Host Behavior: the default when `ui.csp` is absent. */
const DEFAULT_APP_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "media-src 'self' data:",
  "connect-src 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

export interface Scenario {
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
  readonly result: CallToolResult;
}

interface ViewCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  readonly result: CallToolResult;
}

export interface TestHost {
  /** The host page; load it after `show`. */
  readonly url: string;
  /** What the next load of the host page shows: a tool call's arguments and result. */
  show(scenario: Scenario): void;
  /** Every tools/call the view made, in order, with its result. */
  readonly calls: ViewCall[];
  /** ui/message and ui/open-link requests from the view. */
  readonly events: { kind: string; params: unknown }[];
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

async function hostScript(): Promise<string> {
  const bundled = await build({
    entryPoints: [path.join(here, 'host-page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  });
  return bundled.outputFiles[0]!.text;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<Server> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const origin = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const json = (res: ServerResponse, value: unknown): void => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
};

export async function startTestHost(client: Client, viewHtml: string): Promise<TestHost> {
  const script = await hostScript();
  const tools = new Map<string, Tool>((await client.listTools()).tools.map((tool) => [tool.name, tool]));
  const calls: ViewCall[] = [];
  const events: { kind: string; params: unknown }[] = [];
  let scenario: Scenario | undefined;

  const view = await listen(async (req, res) => {
    if (req.url !== '/view.html') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DEFAULT_APP_CSP });
    res.end(viewHtml);
  });

  const appMayCall = (name: string): boolean => {
    const visibility = (tools.get(name)?._meta?.ui as { visibility?: string[] } | undefined)?.visibility;
    return tools.has(name) && (visibility === undefined || visibility.includes('app'));
  };

  const rpc = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    if (method === 'resources/read') return client.readResource(params as { uri: string });
    if (method !== 'tools/call') throw new Error(`the test host forwards no ${method}`);
    const name = String(params.name);
    if (!appMayCall(name)) throw new Error(`the view may not call ${name}`);
    const args = (params.arguments ?? {}) as Record<string, unknown>;
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    calls.push({ name, arguments: args, result });
    return result;
  };

  const host = await listen(async (req, res) => {
    switch (`${req.method} ${req.url}`) {
      case 'GET /':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(
          '<!doctype html><html><head><meta charset="utf-8"><title>test host</title>' +
            '<style>body{margin:0;background:#f4f4f5}iframe{display:block;width:880px;height:200px;border:0;background:#fff}</style>' +
            '</head><body><script type="module" src="/host.js"></script></body></html>',
        );
      case 'GET /host.js':
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return void res.end(script);
      case 'GET /scenario': {
        if (!scenario) throw new Error('show() a scenario before loading the host page');
        const tool = tools.get(scenario.tool);
        return json(res, { ...scenario, tool, viewUrl: `${origin(view)}/view.html` });
      }
      case 'POST /rpc': {
        const { method, params } = (await bodyOf(req)) as { method: string; params: Record<string, unknown> };
        try {
          return json(res, { result: await rpc(method, params) });
        } catch (error) {
          return json(res, { error: (error as Error).message });
        }
      }
      case 'GET /favicon.ico':
        return void res.writeHead(204).end();
      case 'POST /event':
        events.push((await bodyOf(req)) as { kind: string; params: unknown });
        return json(res, { result: {} });
      default:
        res.writeHead(404).end();
    }
  });

  return {
    url: `${origin(host)}/`,
    show: (next) => {
      scenario = next;
    },
    calls,
    events,
    close: async () => {
      await Promise.all([host, view].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
