#!/usr/bin/env node
/**
 * Checks the stub model's streaming answers, which no stack in the matrix uses today (each calls
 * the non-streaming APIs by default): the AI SDK's `streamText` runs the whole script against
 * each dialect with stand-in tools. Run it after upgrading a library or changing a dialect:
 *
 *   .ci/clients/node_modules/node/bin/node .ci/clients/stub-selftest.mjs
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { API_KEY, MODELS } from './lib/prompt.mjs';
import { FINAL_TEXT, STEPS } from './lib/script.mjs';
import { StubLlm } from './lib/stub-llm.mjs';

const standIn = (name) =>
  tool({
    description: name,
    inputSchema: jsonSchema({ type: 'object', properties: {}, additionalProperties: true }),
    execute: async () => `/tmp/stub-selftest/${name}.jpg — saved`,
  });
const tools = Object.fromEntries(['generate_image', 'edit_images', 'list_images'].map((name) => [name, standIn(name)]));
const MODELS_BY_DIALECT = {
  'openai-responses': (base) => createOpenAI({ baseURL: `${base}/openai/v1`, apiKey: API_KEY })(MODELS.openai),
  'openai-chat': (base) => createOpenAI({ baseURL: `${base}/openai/v1`, apiKey: API_KEY }).chat(MODELS.openai),
  anthropic: (base) => createAnthropic({ baseURL: `${base}/anthropic/v1`, apiKey: API_KEY })(MODELS.anthropic),
  gemini: (base) => createGoogleGenerativeAI({ baseURL: `${base}/google/v1beta`, apiKey: API_KEY })(MODELS.google),
};

const stub = await StubLlm.start();
let failures = 0;
for (const [dialect, model] of Object.entries(MODELS_BY_DIALECT)) {
  let error;
  const result = streamText({
    model: model(stub.baseUrl(dialect)),
    tools,
    prompt: 'go',
    stopWhen: stepCountIs(STEPS.length + 2),
    onError: (event) => {
      error = event.error;
    },
  });
  const text = await result.text.catch((caught) => String(caught));
  const records = stub.records(dialect);
  const ok = !error && text === FINAL_TEXT && records.length === STEPS.length + 1 && records.every((r) => r.stream);
  if (!ok) failures++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${dialect}: ${records.length} streamed requests, answer "${text}"${error ? `, ${error}` : ''}`,
  );
}
await stub.close();
console.log(`stub-selftest: ${4 - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
