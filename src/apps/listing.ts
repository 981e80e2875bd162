/**
 * tools/list as an MCP Apps session sees it: the gallery tools point at the gallery page
 * (`_meta.ui.resourceUri`, and the older flat `_meta["ui/resourceUri"]` that the ext-apps server
 * helpers also write, for hosts from before the nested form), and the app-only page tool is
 * added with `visibility: ["app"]`, which hosts keep out of their model's tool list.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { advertisedInputSchema, advertisedOutputSchema } from '../mcp/json-schema.js';
import type { ToolDefinition } from '../tools/definition.js';
import { GALLERY_TOOLS, GALLERY_URI } from './contract.js';

const LEGACY_URI_KEY = 'ui/resourceUri';

const withGallery = (tool: Tool, ui: Record<string, unknown>): Tool => ({
  ...tool,
  _meta: { ...tool._meta, ui: { resourceUri: GALLERY_URI, ...ui }, [LEGACY_URI_KEY]: GALLERY_URI },
});

/** The plain listing with the gallery declared, plus the app-only tools. */
export function appsListing(plain: readonly Tool[], appOnly: readonly ToolDefinition[]): Tool[] {
  return [
    ...plain.map((tool) => (GALLERY_TOOLS.includes(tool.name) ? withGallery(tool, {}) : tool)),
    ...appOnly.map((tool) =>
      withGallery(
        {
          name: tool.name,
          title: tool.title,
          description: tool.description,
          inputSchema: advertisedInputSchema(tool.inputSchema),
          outputSchema: advertisedOutputSchema(tool.outputSchema),
          annotations: tool.annotations,
        },
        { visibility: ['app'] },
      ),
    ),
  ];
}
