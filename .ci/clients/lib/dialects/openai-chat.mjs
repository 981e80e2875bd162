/**
 * OpenAI Chat Completions (POST …/chat/completions): tools are `{type:'function', function:{name,
 * parameters, strict}}`; a tool result is a `role:'tool'` message whose content is a string or an
 * array of text parts (the API takes no images in tool messages, so a client that wants the model
 * to see one has to add a user message with an `image_url` part). `rejections`: see gemini.mjs.
 */
import { sendEvents, sendJson } from '../sse.mjs';
import { imageFromUrl, newId, parseArgs, textPart } from './parts.mjs';

export const name = 'openai-chat';

export const matches = (method, path) => method === 'POST' && path.endsWith('/chat/completions');

export function read(body) {
  const tools = (body.tools ?? [])
    .filter((tool) => tool.type === 'function')
    .map((tool) => ({
      name: tool.function.name,
      schema: tool.function.parameters,
      strict: tool.function.strict === true,
      schemaField: 'function.parameters',
    }));
  const turns = [];
  const rejections = [];
  const names = new Map();
  for (const message of body.messages ?? []) {
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? []) {
        names.set(call.id, call.function.name);
        turns.push({ kind: 'call', id: call.id, name: call.function.name, args: parseArgs(call.function.arguments) });
      }
    } else if (message.role === 'tool') {
      if (Array.isArray(message.content) && message.content.some((part) => part.type !== 'text'))
        rejections.push('a tool message with a non-text part: Chat Completions answers 400');
      turns.push({
        kind: 'result',
        callId: message.tool_call_id,
        name: names.get(message.tool_call_id),
        isError: undefined,
        // The API takes text parts only in tool messages: an image here is a 400, not an image.
        parts: contentParts(message.content).map((part) =>
          part.type === 'image' ? { ...part, rejected: 'Chat Completions tool messages take text parts only' } : part,
        ),
      });
    } else if (message.role === 'user') {
      turns.push({ kind: 'user', parts: contentParts(message.content) });
    }
  }
  return { tools, turns, rejections, stream: body.stream === true };
}

function contentParts(content) {
  if (typeof content === 'string') return [textPart(content)];
  return (content ?? []).map((part) => {
    if (part.type === 'text') return textPart(part.text);
    if (part.type === 'image_url') return imageFromUrl(part.image_url);
    return textPart(JSON.stringify(part));
  });
}

export function answer(res, action, body) {
  const id = newId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const base = { id, created, model: body.model ?? 'gpt-4.1' };
  const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
  const call =
    action.type === 'call'
      ? {
          id: newId('call_'),
          type: 'function',
          function: { name: action.name, arguments: JSON.stringify(action.args) },
        }
      : undefined;
  const finish = call ? 'tool_calls' : 'stop';
  if (!body.stream) {
    const message = call
      ? { role: 'assistant', content: null, tool_calls: [call], refusal: null }
      : { role: 'assistant', content: action.text, refusal: null };
    sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
      usage,
    });
    return;
  }
  const chunk = (delta, finishReason = null) => ({
    data: {
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    },
  });
  const events = call
    ? [
        chunk({
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, ...call, function: { ...call.function, arguments: '' } }],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }),
      ]
    : [chunk({ role: 'assistant', content: '' }), chunk({ content: action.text })];
  events.push(chunk({}, finish));
  if (body.stream_options?.include_usage)
    events.push({ data: { ...base, object: 'chat.completion.chunk', choices: [], usage } });
  sendEvents(res, events, { done: true });
}
