/**
 * OpenAI Agents SDK (@openai/agents): an `Agent` with `MCPServerStdio` / `MCPServerStreamableHttp`
 * and `run`, its documented defaults (the Responses API; Chat Completions when chosen with
 * `setOpenAIAPI('chat_completions')`). The SDK turns the MCP result into the function-call output
 * itself (agents-core mcp.mjs `mcpToFunctionTool`).
 */
import {
  Agent,
  MCPServerStdio,
  MCPServerStreamableHttp,
  run as runAgent,
  setDefaultOpenAIClient,
  setOpenAIAPI,
  setTracingDisabled,
} from '@openai/agents';
import OpenAI from 'openai';
import { API_KEY, MAX_STEPS, MODELS, SYSTEM_PROMPT, USER_PROMPT } from '../lib/prompt.mjs';

/** `+strict`: the documented opt-in `mcpConfig.convertSchemasToStrict`, OpenAI strict function schemas. */
export const PROVIDERS = ['openai-responses', 'openai-chat', 'openai-responses+strict'];

export async function run({ provider, mcp, llmBaseUrl }) {
  // The default exporter sends traces to OpenAI: nothing may leave loopback.
  setTracingDisabled(true);
  setDefaultOpenAIClient(new OpenAI({ apiKey: API_KEY, baseURL: `${llmBaseUrl}/openai/v1` }));
  setOpenAIAPI(provider === 'openai-chat' ? 'chat_completions' : 'responses');

  const server =
    mcp.transport === 'http'
      ? new MCPServerStreamableHttp({ name: 'flux', url: mcp.url })
      : new MCPServerStdio({ name: 'flux', command: mcp.command, args: mcp.args, env: mcp.env });
  await server.connect();
  try {
    const agent = new Agent({
      name: 'images',
      instructions: SYSTEM_PROMPT,
      model: MODELS.openai,
      mcpServers: [server],
      mcpConfig: { convertSchemasToStrict: provider.endsWith('+strict') },
    });
    const result = await runAgent(agent, USER_PROMPT, { maxTurns: MAX_STEPS });
    return result.finalOutput;
  } finally {
    await server.close();
  }
}
