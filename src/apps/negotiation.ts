/**
 * Whether a session's client shows MCP Apps (the `io.modelcontextprotocol/ui` extension, spec
 * 2026-01-26, "Client<>Server Capability Negotiation"): it says so in `initialize` with
 * `capabilities.extensions["io.modelcontextprotocol/ui"].mimeTypes` including the app MIME type.
 * Written out here rather than imported from @modelcontextprotocol/ext-apps/server, whose module
 * would add its whole protocol to every start-up; test/unit/apps.test.ts checks they agree.
 */
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

export const EXTENSION_ID = 'io.modelcontextprotocol/ui';
export const RESOURCE_MIME_TYPE = 'text/html;profile=mcp-app';

export function declaresApps(capabilities: ClientCapabilities | undefined): boolean {
  const extensions = (capabilities as { extensions?: Record<string, unknown> } | undefined)?.extensions;
  const ui = extensions?.[EXTENSION_ID] as { mimeTypes?: unknown } | undefined;
  return Array.isArray(ui?.mimeTypes) && ui.mimeTypes.includes(RESOURCE_MIME_TYPE);
}
