/**
 * Gemini generateContent (POST …/models/M:generateContent, or :streamGenerateContent?alt=sse):
 * tools are `{functionDeclarations:[{name, parameters | parametersJsonSchema}]}`; a tool result is
 * a `functionResponse` part `{name, response:{…}, parts?:[{inlineData}]}` (the model reads
 * `response` as JSON text; images are native only as inlineData parts).
 *
 * Function calls are answered without an `id`, as Gemini 2.x does: clients must match responses
 * to calls by name and order.
 *
 * `rejections` lists what the real API would refuse with a 400; the stub still answers, so the
 * later steps are measured too, and the suite counts the cell as one that throws.
 */
import { sendEvents, sendJson } from '../sse.mjs';
import { imagePart, jsonPart, textPart } from './parts.mjs';

export const name = 'gemini';

export const matches = (method, path) =>
  method === 'POST' && (path.endsWith(':generateContent') || path.endsWith(':streamGenerateContent'));

export function read(body, path) {
  const tools = [];
  for (const tool of body.tools ?? []) {
    for (const declaration of tool.functionDeclarations ?? tool.function_declarations ?? []) {
      const field = declaration.parametersJsonSchema ? 'parametersJsonSchema' : 'parameters';
      tools.push({ name: declaration.name, schema: declaration[field], strict: false, schemaField: field });
    }
  }
  const turns = [];
  const rejections = [];
  let calls = 0;
  let pendingCalls = 0;
  for (const content of body.contents ?? []) {
    const responses = (content.parts ?? []).filter((part) => part.functionResponse).length;
    // Gemini answers 400 "Please ensure that the number of function response parts is equal to the
    // number of function call parts of the function call turn" (google-gemini/gemini-cli#4217).
    if (content.role !== 'model' && pendingCalls > 0 && responses !== pendingCalls)
      rejections.push(
        `${responses} functionResponse parts for ${pendingCalls} functionCall part(s): Gemini answers 400`,
      );
    pendingCalls = content.role === 'model' ? (content.parts ?? []).filter((part) => part.functionCall).length : 0;
    if (content.role === 'model') {
      for (const part of content.parts ?? []) {
        if (part.functionCall) {
          turns.push({
            kind: 'call',
            id: `call-${calls++}`,
            name: part.functionCall.name,
            args: part.functionCall.args ?? {},
          });
        }
      }
      continue;
    }
    const loose = [];
    for (const part of content.parts ?? []) {
      if (part.functionResponse) {
        const response = part.functionResponse;
        turns.push({
          kind: 'result',
          callId: response.id,
          name: response.name,
          isError: undefined,
          parts: [
            jsonPart(response.response ?? {}),
            ...(response.parts ?? []).map((inner) =>
              inner.inlineData
                ? imagePart(inner.inlineData.mimeType, inner.inlineData.data)
                : textPart(JSON.stringify(inner)),
            ),
          ],
        });
      } else if (part.inlineData) {
        loose.push(imagePart(part.inlineData.mimeType, part.inlineData.data));
      } else if (part.text !== undefined) {
        loose.push(textPart(part.text));
      } else {
        loose.push(textPart(JSON.stringify(part)));
      }
    }
    if (loose.length > 0) turns.push({ kind: 'user', parts: loose });
  }
  return { tools, turns, rejections, stream: path.endsWith(':streamGenerateContent') };
}

export function answer(res, action, _body, path) {
  const part =
    action.type === 'call' ? { functionCall: { name: action.name, args: action.args } } : { text: action.text };
  const reply = {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
    modelVersion: /models\/([^:]+):/.exec(path)?.[1] ?? 'gemini-2.5-flash',
    responseId: `stub-${Date.now()}`,
  };
  if (path.endsWith(':streamGenerateContent')) sendEvents(res, [{ data: reply }]);
  else sendJson(res, 200, reply);
}
