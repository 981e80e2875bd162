/**
 * Vercel AI SDK: `createMCPClient(...).tools()` (from @ai-sdk/mcp) into `generateText` with a step
 * limit, its documented tool loop. The MCP result reaches the model through @ai-sdk/mcp's
 * `mcpToModelOutput`, then each provider's own conversion.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createMCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs } from 'ai';
import { API_KEY, MAX_STEPS, MODELS, SYSTEM_PROMPT, USER_PROMPT } from '../lib/prompt.mjs';

export const PROVIDERS = ['openai-responses', 'openai-chat', 'anthropic', 'google'];

function model(provider, base) {
  switch (provider) {
    case 'openai-responses':
      return createOpenAI({ baseURL: `${base}/openai/v1`, apiKey: API_KEY })(MODELS.openai);
    case 'openai-chat':
      return createOpenAI({ baseURL: `${base}/openai/v1`, apiKey: API_KEY }).chat(MODELS.openai);
    case 'anthropic':
      return createAnthropic({ baseURL: `${base}/anthropic/v1`, apiKey: API_KEY })(MODELS.anthropic);
    case 'google':
      return createGoogleGenerativeAI({ baseURL: `${base}/google/v1beta`, apiKey: API_KEY })(MODELS.google);
  }
  throw new Error(`ai-sdk: unknown provider ${provider}`);
}

export async function run({ provider, mcp, llmBaseUrl, report }) {
  const transport =
    mcp.transport === 'http'
      ? { type: 'http', url: mcp.url }
      : new Experimental_StdioMCPTransport({ command: mcp.command, args: mcp.args, env: mcp.env });
  const client = await createMCPClient({
    transport,
    // Without this hook the client drops what it cannot handle silently; with it, we count it.
    onUncaughtError: (error) => report.clientError('ai-sdk onUncaughtError', error),
  });
  try {
    const result = await generateText({
      model: model(provider, llmBaseUrl),
      system: SYSTEM_PROMPT,
      prompt: USER_PROMPT,
      tools: await client.tools(),
      stopWhen: stepCountIs(MAX_STEPS),
    });
    return result.text;
  } finally {
    await client.close();
  }
}
