/**
 * LangChain JS: `MultiServerMCPClient` (@langchain/mcp-adapters, default settings) tools in the
 * `createAgent` loop of `langchain`, with ChatOpenAI (Chat Completions for gpt-4.1), ChatAnthropic
 * or ChatGoogleGenerativeAI. The adapter turns the MCP result into a ToolMessage; each chat model
 * converts that for its provider.
 */
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { ChatOpenAI } from '@langchain/openai';
import { createAgent } from 'langchain';
import { API_KEY, MAX_STEPS, MODELS, SYSTEM_PROMPT, USER_PROMPT } from '../lib/prompt.mjs';

export const PROVIDERS = ['openai-chat', 'anthropic', 'google'];

function model(provider, base) {
  switch (provider) {
    case 'openai-chat':
      return new ChatOpenAI({ model: MODELS.openai, apiKey: API_KEY, configuration: { baseURL: `${base}/openai/v1` } });
    case 'anthropic':
      return new ChatAnthropic({ model: MODELS.anthropic, apiKey: API_KEY, anthropicApiUrl: `${base}/anthropic` });
    case 'google':
      return new ChatGoogleGenerativeAI({ model: MODELS.google, apiKey: API_KEY, baseUrl: `${base}/google` });
  }
  throw new Error(`langchain: unknown provider ${provider}`);
}

export async function run({ provider, mcp, llmBaseUrl }) {
  const server =
    mcp.transport === 'http'
      ? { transport: 'http', url: mcp.url }
      : { transport: 'stdio', command: mcp.command, args: mcp.args, env: mcp.env };
  const client = new MultiServerMCPClient({ mcpServers: { flux: server } });
  try {
    const agent = createAgent({
      model: model(provider, llmBaseUrl),
      tools: await client.getTools(),
      systemPrompt: SYSTEM_PROMPT,
    });
    const state = await agent.invoke(
      { messages: [{ role: 'user', content: USER_PROMPT }] },
      // Each model turn and each tool run is a graph step.
      { recursionLimit: MAX_STEPS * 2 + 1 },
    );
    const last = state.messages.at(-1);
    return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
  } finally {
    await client.close();
  }
}
