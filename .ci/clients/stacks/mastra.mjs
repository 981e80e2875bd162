/**
 * Mastra: `MCPClient` (@mastra/mcp) tools given to a Mastra `Agent` (@mastra/core) whose model is
 * an AI SDK provider, with `agent.generate(…, { maxSteps })`. For a tool with an outputSchema,
 * @mastra/mcp's `createStructuredToolToModelOutput` gives the model the text blocks only.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import { MCPClient } from '@mastra/mcp';
import { API_KEY, MAX_STEPS, MODELS, SYSTEM_PROMPT, USER_PROMPT } from '../lib/prompt.mjs';

export const PROVIDERS = ['openai-responses', 'anthropic', 'google'];

function model(provider, base) {
  switch (provider) {
    case 'openai-responses':
      return createOpenAI({ baseURL: `${base}/openai/v1`, apiKey: API_KEY })(MODELS.openai);
    case 'anthropic':
      return createAnthropic({ baseURL: `${base}/anthropic/v1`, apiKey: API_KEY })(MODELS.anthropic);
    case 'google':
      return createGoogleGenerativeAI({ baseURL: `${base}/google/v1beta`, apiKey: API_KEY })(MODELS.google);
  }
  throw new Error(`mastra: unknown provider ${provider}`);
}

export async function run({ provider, mcp, llmBaseUrl }) {
  const server =
    mcp.transport === 'http' ? { url: new URL(mcp.url) } : { command: mcp.command, args: mcp.args, env: mcp.env };
  const client = new MCPClient({ id: 'flux-compat', servers: { flux: server } });
  try {
    const agent = new Agent({
      id: 'images',
      name: 'images',
      instructions: SYSTEM_PROMPT,
      model: model(provider, llmBaseUrl),
      tools: await client.listTools(),
    });
    const result = await agent.generate(USER_PROMPT, { maxSteps: MAX_STEPS });
    return result.text;
  } finally {
    await client.disconnect();
  }
}
