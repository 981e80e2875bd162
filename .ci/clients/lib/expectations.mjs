/**
 * Which stacks can hand the model an image from a tool result as an image (not as text), read in
 * each library's source at the pinned version. Where one can, the preview must arrive as an image;
 * where one cannot, the best the server can do is keep the text small.
 */
export const NATIVE_IMAGES = {
  'ai-sdk': {
    'openai-responses': {
      native: true,
      reason:
        '@ai-sdk/mcp mcpToModelOutput maps an MCP image block to a file part; @ai-sdk/openai convertFunctionToolResultOutput sends it as input_image in function_call_output',
    },
    'openai-chat': {
      native: false,
      reason:
        '@ai-sdk/openai (chat) stringifies a content tool output into the tool message: Chat Completions tool messages are text only',
    },
    anthropic: {
      native: true,
      reason: '@ai-sdk/anthropic turns file parts of a content tool output into image blocks inside tool_result',
    },
    google: {
      native: true,
      reason: '@ai-sdk/google sends the image as an inlineData part beside the functionResponse (Gemini 2.x)',
    },
  },
  'openai-agents': {
    'openai-responses': {
      native: true,
      reason:
        'agents-core normalizeStructuredToolOutputs turns text/image items into input_text/input_image, but only when every item is text, image or file',
    },
    'openai-chat': {
      native: false,
      reason: 'agents-openai normalizeFunctionCallOutputForChat keeps only input_text items for Chat Completions',
    },
    'openai-responses+strict': {
      native: true,
      reason: 'as for openai-responses (strict changes schemas, not results)',
    },
  },
  genai: {
    google: {
      native: false,
      reason:
        '@google/genai McpCallableTool.callTool puts the whole CallToolResult in functionResponse.response (JSON)',
    },
  },
  langchain: {
    'openai-chat': {
      native: false,
      reason: 'Chat Completions tool messages are text only (an image part there is rejected by the API)',
    },
    anthropic: {
      native: true,
      reason:
        '@langchain/anthropic _ensureMessageContents/_formatContent turn ToolMessage image blocks into tool_result images',
    },
    google: {
      native: false,
      reason:
        '@langchain/google-genai convertMessageContentToParts puts ToolMessage parts in functionResponse.response.result (JSON)',
    },
  },
  mastra: {
    'openai-responses': {
      native: false,
      reason:
        '@mastra/mcp createStructuredToolToModelOutput gives the model only the text blocks of a tool with an outputSchema',
    },
    anthropic: { native: false, reason: 'as for openai-responses: text blocks only' },
    google: { native: false, reason: 'as for openai-responses: text blocks only' },
  },
};

export function nativeImages(stack, provider) {
  return NATIVE_IMAGES[stack]?.[provider] ?? { native: false, reason: 'not assessed' };
}

/** The targets the suite asserts (README "Targets"). */
export const MAX_TEXT_TOKENS_PER_SUCCESS = 1500;
