/**
 * What each known MCP client does with our results, by the `clientInfo.name` it sends in
 * `initialize`: the one table of per-client facts. The preview setting `auto` reads it; so does
 * the long-call hand-off (whether a client keeps waiting while progress arrives).
 *
 * Sources: shared/docs/clients.md (the agent-CLI table measured offline on 2026-12-01, and the
 * clients' public docs and trackers) and the client compatibility suite in .ci/clients (the names
 * each library sends, and what its providers receive: .ci/clients/lib/expectations.mjs).
 */
import type { ClientTraits } from '../pipeline/call.js';

interface KnownClient {
  /** Matched against clientInfo.name, case-insensitively. */
  readonly name: RegExp;
  readonly label: string;
  /** Whether an image block in a tool result reaches the model as an image. */
  readonly imagesReachModel: boolean;
  /** Keeps waiting on a long call as long as progress arrives (when it sent a progress token). */
  readonly waitsWithProgress: boolean;
  readonly source: string;
}

const KNOWN_CLIENTS: readonly KnownClient[] = [
  {
    name: /^claude-code$/i,
    label: 'Claude Code',
    imagesReachModel: true,
    waitsWithProgress: true,
    source: 'clients.md, agent-CLI table: preview reaches the model as an image; not cut at 70 s (MCP_TOOL_TIMEOUT)',
  },
  {
    name: /^claude-ai$/i,
    label: 'Claude Desktop / claude.ai',
    imagesReachModel: true,
    waitsWithProgress: false,
    source: 'clients.md: shows tool-result images; cancels a stdio tool call after about 60 s whatever progress',
  },
  {
    name: /^codex/i,
    label: 'Codex CLI',
    imagesReachModel: false,
    waitsWithProgress: false,
    source: 'clients.md, agent-CLI table: passes structuredContent alone; the preview is dropped',
  },
  {
    name: /^gemini-cli/i,
    label: 'Gemini CLI',
    imagesReachModel: true,
    waitsWithProgress: true,
    source: 'clients.md, agent-CLI table: preview as an image; default limit 600 s',
  },
  {
    name: /^opencode/i,
    label: 'opencode',
    imagesReachModel: true,
    waitsWithProgress: true,
    source: 'clients.md, agent-CLI table: preview as an image; not cut at 300 s',
  },
  {
    name: /^(cursor|cursor-vscode)$/i,
    label: 'Cursor',
    imagesReachModel: true,
    waitsWithProgress: false,
    source: 'clients.md: Cursor shows MCP image results and requires structuredContent with an outputSchema',
  },
  {
    name: /^visual studio code/i,
    label: 'VS Code',
    imagesReachModel: true,
    waitsWithProgress: false,
    source: 'clients.md: VS Code renders MCP image content and MCP Apps',
  },
  {
    name: /^ai-sdk-mcp-client$/i,
    label: 'Vercel AI SDK',
    imagesReachModel: false,
    waitsWithProgress: false,
    source:
      '.ci/clients: with OpenAI Chat Completions the image becomes ~29k tokens of text; ' +
      'the provider is not visible here',
  },
  {
    name: /^@langchain\/mcp-adapters$/i,
    label: 'LangChain MCP adapters',
    imagesReachModel: false,
    waitsWithProgress: false,
    source: '.ci/clients: with ChatOpenAI and Gemini the image becomes text (functionResponse JSON)',
  },
];

/** What the server knows of a client from its name; unknown clients get the cautious defaults. */
export function clientTraits(clientName: string | undefined): ClientTraits {
  const known = clientName === undefined ? undefined : KNOWN_CLIENTS.find((client) => client.name.test(clientName));
  return {
    ...(clientName !== undefined ? { name: clientName } : {}),
    // Unknown: an image may become tens of thousands of tokens of text (genai, LangChain, the
    // Agents SDK with Chat Completions all send whatever name the user chose), so no preview.
    imagesReachModel: known?.imagesReachModel ?? false,
    waitsWithProgress: known?.waitsWithProgress ?? false,
  };
}
