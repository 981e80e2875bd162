/**
 * Anthropic Messages (POST …/v1/messages): tools are `{name, input_schema, strict?}`; a tool result
 * is a `tool_result` block in a user message, whose content is a string or text and image blocks
 * (images in tool results are native here), with `is_error`.
 */
import { sendEvents, sendJson } from '../sse.mjs';
import { imagePart, newId, textPart } from './parts.mjs';

export const name = 'anthropic';

export const matches = (method, path) => method === 'POST' && path.endsWith('/messages');

export function read(body) {
  const tools = (body.tools ?? [])
    .filter((tool) => tool.input_schema)
    .map((tool) => ({
      name: tool.name,
      schema: tool.input_schema,
      strict: tool.strict === true,
      schemaField: 'input_schema',
    }));
  const turns = [];
  const names = new Map();
  for (const message of body.messages ?? []) {
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (message.role === 'assistant') {
      for (const block of blocks) {
        if (block.type !== 'tool_use') continue;
        names.set(block.id, block.name);
        turns.push({ kind: 'call', id: block.id, name: block.name, args: block.input });
      }
      continue;
    }
    const loose = [];
    for (const block of blocks) {
      if (block.type === 'tool_result') {
        turns.push({
          kind: 'result',
          callId: block.tool_use_id,
          name: names.get(block.tool_use_id),
          isError: block.is_error === true,
          parts: blockParts(block.content),
        });
      } else {
        loose.push(...blockParts([block]));
      }
    }
    if (loose.length > 0) turns.push({ kind: 'user', parts: loose });
  }
  return { tools, turns, stream: body.stream === true };
}

function blockParts(content) {
  if (typeof content === 'string') return [textPart(content)];
  return (content ?? []).map((block) => {
    if (block.type === 'text') return textPart(block.text);
    if (block.type === 'image') return imagePart(block.source?.media_type ?? block.source?.type, block.source?.data);
    return textPart(JSON.stringify(block));
  });
}

export function answer(res, action, body) {
  const block =
    action.type === 'call'
      ? { type: 'tool_use', id: newId('toolu_'), name: action.name, input: action.args }
      : { type: 'text', text: action.text };
  const stopReason = action.type === 'call' ? 'tool_use' : 'end_turn';
  const message = {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model: body.model ?? 'claude-sonnet-4-5',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
  if (!body.stream) {
    sendJson(res, 200, { ...message, content: [block], stop_reason: stopReason });
    return;
  }
  const event = (type, fields) => ({ event: type, data: { type, ...fields } });
  const delta =
    action.type === 'call'
      ? { type: 'input_json_delta', partial_json: JSON.stringify(action.args) }
      : { type: 'text_delta', text: action.text };
  const start = action.type === 'call' ? { ...block, input: {} } : { type: 'text', text: '' };
  sendEvents(res, [
    event('message_start', { message: { ...message, content: [], stop_reason: null } }),
    event('content_block_start', { index: 0, content_block: start }),
    event('content_block_delta', { index: 0, delta }),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 5 } }),
    event('message_stop', {}),
  ]);
}
