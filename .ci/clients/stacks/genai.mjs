/**
 * Google Gen AI SDK (@google/genai): `mcpToTool(client)` in `ai.models.generateContent` with its
 * automatic function calling, the SDK's documented MCP path. mcpToTool hands the model the whole
 * CallToolResult as `functionResponse.response` (index.mjs `McpCallableTool.callTool`).
 */
import { GoogleGenAI, mcpToTool } from '@google/genai';
import { connectSdkClient } from '../lib/mcp-sdk-client.mjs';
import { API_KEY, MAX_STEPS, MODELS, SYSTEM_PROMPT, USER_PROMPT } from '../lib/prompt.mjs';

export const PROVIDERS = ['google'];

export async function run({ mcp, llmBaseUrl }) {
  const client = await connectSdkClient(mcp, 'genai-compat');
  try {
    const ai = new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: `${llmBaseUrl}/google` } });
    const response = await ai.models.generateContent({
      model: MODELS.google,
      contents: USER_PROMPT,
      config: {
        systemInstruction: SYSTEM_PROMPT,
        tools: [mcpToTool(client)],
        automaticFunctionCalling: { maximumRemoteCalls: MAX_STEPS },
      },
    });
    return response.text;
  } finally {
    await client.close();
  }
}
