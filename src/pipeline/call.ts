/**
 * What one tool call gives the pipeline, independent of MCP: the client's cancellation and a
 * place to report progress. The MCP layer (mcp/registry.ts) builds it from the request, so the
 * pipeline neither knows nor outlives the protocol's handler types.
 */
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { CallObserver } from '../gateway/client.js';

/** What a call reports as it goes; the MCP layer turns it into progress notifications. */
export interface ProgressReporter extends CallObserver {
  /** Arguments (and inputs) are checked; the call will wait for `model`. */
  validated(what: string, model: string): void;
  queued(position: number, waiting: number): void;
  saved(path: string): void;
  /** Called once when the call ends, however it ends. */
  finish(): void;
}

export interface ToolCall {
  /** Fires when the client cancels the call. */
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
}

/** A successful tool result: content blocks for the model, structuredContent for programs. */
export interface ToolOutput<Structured> {
  readonly content: ContentBlock[];
  readonly structuredContent: Structured;
}
