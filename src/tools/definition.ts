/**
 * The shape of a tool: declared like `McpServer.registerTool` (title, description, zod input and
 * output schemas, annotations) with a handler that takes checked arguments and the call's
 * context. mcp/registry.ts serves these over MCP.
 */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import type { ToolCall, ToolOutput } from '../pipeline/call.js';

export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Input;
  /** Checks every structuredContent the tool returns. */
  readonly outputSchema: Output;
  /**
   * false: the schema checks results but is not listed (a tool whose results are another tool's,
   * shape for shape, need not pay for a second copy in every session's tools/list).
   */
  readonly advertiseOutputSchema?: boolean;
  readonly annotations: ToolAnnotations;
  readonly handler: (args: z.output<Input>, call: ToolCall) => Promise<ToolOutput<z.output<Output>>>;
}

/** Identity, for type inference of a tool's handler from its schemas. */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  tool: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return tool;
}
