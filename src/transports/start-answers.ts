/**
 * The answers to the first two requests of every session, `initialize` and `tools/list`, made at
 * build time (scripts/bundle.mjs runs compute-start-answers.ts on the built server) so that a
 * starting server gives them before it has loaded the MCP SDK, zod and its tools: an MCP client
 * starts the server, and waits for these, every time it starts.
 *
 * Made from a real session of the server with the output directory set to a placeholder; the one
 * thing that varies between installations, the output directory quoted in tool descriptions, is
 * put in at run time. test/start-answers.test.ts checks that the built server's answers equal a
 * runtime session's. This module is loaded at start: it imports nothing heavy.
 */

/** Stands for the output directory in the built answers; replaced by the configured one. */
export const OUTPUT_DIR_PLACEHOLDER = '/__flux-mcp-output-directory__';

export interface StartAnswers {
  /** The protocol versions the SDK speaks, newest first: the answer to an initialize offering another is the newest. */
  readonly protocolVersions: readonly string[];
  /** The initialize result without its protocolVersion (capabilities, serverInfo, instructions). */
  readonly initialize: Readonly<Record<string, unknown>>;
  /** The tools/list result, as JSON with the placeholder for the output directory. */
  readonly toolsList: string;
}

/** The initialize result for a client offering `requested`, as the SDK's Server negotiates it. */
export function initializeResult(answers: StartAnswers, requested: string): Record<string, unknown> {
  const protocolVersion = answers.protocolVersions.includes(requested) ? requested : answers.protocolVersions[0];
  return { protocolVersion, ...answers.initialize };
}

/** The tools/list result as JSON, for this output directory. */
export function toolsListJson(answers: StartAnswers, outputDir: string): string {
  const quoted = (text: string): string => JSON.stringify(text).slice(1, -1);
  return answers.toolsList.replaceAll(quoted(OUTPUT_DIR_PLACEHOLDER), quoted(outputDir));
}
