/**
 * OpenAI Responses (POST …/responses), what the Agents SDK and the AI SDK's `openai(model)` use:
 * tools are `{type:'function', name, parameters, strict}`; history is `input` items, and a tool
 * result is a `function_call_output` whose `output` is a string or a list of `input_text` /
 * `input_image` / `input_file` items (images in tool results are native here).
 */
import { sendEvents, sendJson } from '../sse.mjs';
import { imageFromUrl, imagePart, newId, parseArgs, textPart } from './parts.mjs';

export const name = 'openai-responses';

export const matches = (method, path) => method === 'POST' && path.endsWith('/responses');

export function read(body) {
  const tools = (body.tools ?? [])
    .filter((tool) => tool.type === 'function')
    .map((tool) => ({
      name: tool.name,
      schema: tool.parameters,
      strict: tool.strict === true,
      schemaField: 'parameters',
    }));
  const turns = [];
  const names = new Map();
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : (body.input ?? []);
  for (const item of input) {
    if (item.type === 'function_call') {
      names.set(item.call_id, item.name);
      turns.push({ kind: 'call', id: item.call_id, name: item.name, args: parseArgs(item.arguments) });
    } else if (item.type === 'function_call_output') {
      turns.push({
        kind: 'result',
        callId: item.call_id,
        name: names.get(item.call_id),
        isError: undefined,
        parts: outputParts(item.output),
      });
    } else if (item.role === 'user' && (item.type === undefined || item.type === 'message')) {
      turns.push({ kind: 'user', parts: outputParts(item.content) });
    }
  }
  return { tools, turns, stream: body.stream === true };
}

function outputParts(output) {
  if (typeof output === 'string') return [textPart(output)];
  return (output ?? []).map((part) => {
    if (part.type === 'input_text' || part.type === 'output_text') return textPart(part.text);
    if (part.type === 'input_image') return part.image_url ? imageFromUrl(part.image_url) : imagePart('file_id', '');
    return textPart(JSON.stringify(part));
  });
}

export function answer(res, action, body) {
  const item =
    action.type === 'call'
      ? {
          type: 'function_call',
          id: newId('fc_'),
          call_id: newId('call_'),
          name: action.name,
          arguments: JSON.stringify(action.args),
          status: 'completed',
        }
      : {
          type: 'message',
          id: newId('msg_'),
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: action.text, annotations: [], logprobs: [] }],
        };
  const response = (status, output) => ({
    id: responseId,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: body.model ?? 'gpt-4.1',
    output,
    output_text: action.type === 'text' && status === 'completed' ? action.text : '',
    parallel_tool_calls: true,
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    text: { format: { type: 'text' } },
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    metadata: {},
    temperature: 1,
    top_p: 1,
    usage: {
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    },
  });
  const responseId = newId('resp_');
  if (!body.stream) {
    sendJson(res, 200, response('completed', [item]));
    return;
  }
  let sequence = 0;
  const event = (type, fields) => ({ event: type, data: { type, sequence_number: sequence++, ...fields } });
  const started =
    action.type === 'call'
      ? { ...item, arguments: '', status: 'in_progress' }
      : { ...item, content: [], status: 'in_progress' };
  const events = [
    event('response.created', { response: response('in_progress', []) }),
    event('response.in_progress', { response: response('in_progress', []) }),
    event('response.output_item.added', { output_index: 0, item: started }),
  ];
  if (action.type === 'call') {
    events.push(
      event('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: item.arguments }),
    );
    events.push(
      event('response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: item.arguments }),
    );
  } else {
    const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    events.push(event('response.content_part.added', { item_id: item.id, output_index: 0, content_index: 0, part }));
    events.push(
      event('response.output_text.delta', {
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        delta: action.text,
        logprobs: [],
      }),
    );
    events.push(
      event('response.output_text.done', {
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        text: action.text,
        logprobs: [],
      }),
    );
    events.push(
      event('response.content_part.done', {
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        part: item.content[0],
      }),
    );
  }
  events.push(event('response.output_item.done', { output_index: 0, item }));
  events.push(event('response.completed', { response: response('completed', [item]) }));
  sendEvents(res, events);
}
