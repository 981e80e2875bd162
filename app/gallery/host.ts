/**
 * What the gallery asks of its host, over the ext-apps `App` (MCP Apps JSON-RPC over postMessage):
 * tool calls and resource reads go through the host to this server; messages go to the chat.
 * Each method says plainly whether the host could do it, so the page can fall back.
 */
import type { App } from '@modelcontextprotocol/ext-apps';
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';

export interface GalleryHost {
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  readResource(uri: string): Promise<ReadResourceResult>;
  /** Puts a user message into the conversation; false when the host takes none. */
  sendMessage(text: string): Promise<boolean>;
  /** Opens a link outside the sandbox; false when the host will not. */
  openLink(url: string): Promise<boolean>;
}

export function hostOf(app: App): GalleryHost {
  return {
    callTool: (name, args) => app.callServerTool({ name, arguments: args }),
    readResource: (uri) => app.readServerResource({ uri }),
    sendMessage: async (text) => {
      if (!app.getHostCapabilities()?.message) return false;
      const result = await app.sendMessage({ role: 'user', content: [{ type: 'text', text }] });
      return !result.isError;
    },
    openLink: async (url) => {
      if (!app.getHostCapabilities()?.openLinks) return false;
      const result = await app.openLink({ url });
      return !result.isError;
    },
  };
}
