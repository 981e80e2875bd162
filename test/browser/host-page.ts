/**
 * A test MCP Apps host, run in the browser: it embeds the gallery page in a cross-origin iframe,
 * speaks the host side of the protocol with the ext-apps AppBridge (ui/initialize, tool input and
 * result notifications, size changes), and hands what the view asks of the server (tools/call,
 * resources/read) to its backend on loopback (host-server.ts), which holds the MCP client.
 * ui/message and ui/open-link go to the backend as events, for the test to check.
 */
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { CallToolResult, ReadResourceResult, Tool } from '@modelcontextprotocol/sdk/types.js';

interface Scenario {
  readonly viewUrl: string;
  readonly tool: Tool;
  readonly arguments: Record<string, unknown>;
  readonly result: CallToolResult;
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, { method: 'POST', body: JSON.stringify(body) });
  const answer = (await response.json()) as { result?: T; error?: string };
  if (answer.error !== undefined) throw new Error(answer.error);
  return answer.result as T;
}

async function start(): Promise<void> {
  const scenario = (await (await fetch('/scenario')).json()) as Scenario;
  const iframe = document.createElement('iframe');
  iframe.id = 'view';
  iframe.title = 'flux-mcp gallery';
  // A separate origin (another port), scripts allowed, forms and pop-ups not: as strict as a host may be.
  iframe.sandbox.add('allow-scripts', 'allow-same-origin');
  document.body.append(iframe);
  const view = iframe.contentWindow!;

  const bridge = new AppBridge(
    null,
    { name: 'flux-mcp test host', version: '1.0.0' },
    { serverTools: {}, serverResources: {}, openLinks: {}, message: { text: {} }, logging: {} },
    {
      hostContext: {
        theme: 'light',
        displayMode: 'inline',
        platform: 'web',
        containerDimensions: { width: 880, maxHeight: 4000 },
        toolInfo: { tool: scenario.tool },
      },
    },
  );
  bridge.oncalltool = (params) => post<CallToolResult>('/rpc', { method: 'tools/call', params });
  bridge.onreadresource = (params) => post<ReadResourceResult>('/rpc', { method: 'resources/read', params });
  bridge.onmessage = async (params) => {
    await post('/event', { kind: 'message', params });
    return {};
  };
  bridge.onopenlink = async (params) => {
    await post('/event', { kind: 'open-link', params });
    return {};
  };
  bridge.onsizechange = ({ height }) => {
    if (height !== undefined) iframe.style.height = `${height}px`;
  };
  bridge.oninitialized = () => {
    void bridge.sendToolInput({ arguments: scenario.arguments }).then(() => bridge.sendToolResult(scenario.result));
  };
  // Listening before the view loads: its ui/initialize comes as soon as its script runs.
  await bridge.connect(new PostMessageTransport(view, view));
  iframe.src = scenario.viewUrl;
}

start().catch((error: unknown) => {
  document.body.dataset.error = String(error);
});
