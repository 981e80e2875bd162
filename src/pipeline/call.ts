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
  /** The job the call runs as. */
  job(id: string): void;
  /** The call returns before its job ends: the job is collected with wait_for_image. */
  handedOff(job: string): void;
  /** Called once when the call ends, however it ends. */
  finish(): void;
}

/** What the server knows of the client making a call (mcp/clients.ts). */
export interface ClientTraits {
  /** clientInfo.name, when the session has one (stateless HTTP requests do not). */
  readonly name?: string;
  /** An image block in a result reaches the model as an image, not as text. */
  readonly imagesReachModel: boolean;
  /** Keeps waiting on a long call while progress arrives. */
  readonly waitsWithProgress: boolean;
}

export interface ToolCall {
  /** Fires when the client cancels the call. */
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
  readonly client: ClientTraits;
  /** The client sent a progress token: it hears progress while it waits. */
  readonly progressRequested: boolean;
}

/** How a result is shown: with or without the inline preview and the resource_link (presentation.ts). */
export interface Presentation {
  readonly preview: boolean;
  readonly resourceLink: boolean;
}

/** A successful tool result: content blocks for the model, structuredContent for programs. */
export interface ToolOutput<Structured> {
  readonly content: ContentBlock[];
  readonly structuredContent: Structured;
}
