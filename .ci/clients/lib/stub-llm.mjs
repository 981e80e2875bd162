/**
 * One loopback HTTP server that answers as OpenAI (Chat Completions and Responses), Anthropic
 * (Messages) and Gemini (generateContent), non-streaming and streaming, with the scripted tool
 * calls of script.mjs, and records every request body.
 *
 * Each scenario cell gets its own base URL prefix, `/c/<cell>/…`, so cells running at the same
 * time never mix their conversations or records.
 */
import { createServer } from 'node:http';
import * as anthropic from './dialects/anthropic.mjs';
import * as gemini from './dialects/gemini.mjs';
import * as openaiChat from './dialects/openai-chat.mjs';
import * as openaiResponses from './dialects/openai-responses.mjs';
import { nextAction } from './script.mjs';
import { sendJson } from './sse.mjs';

const DIALECTS = [openaiChat, openaiResponses, anthropic, gemini];

export class StubLlm {
  #server;
  /** cell → [{ dialect, path, stream, body, conversation, action }] */
  #records = new Map();

  static async start() {
    const stub = new StubLlm();
    stub.#server = createServer((req, res) => stub.#handle(req, res));
    await new Promise((resolve) => stub.#server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get origin() {
    return `http://127.0.0.1:${this.#server.address().port}`;
  }

  /** The base URL a cell's clients use; each library appends its own API path. */
  baseUrl(cell) {
    return `${this.origin}/c/${encodeURIComponent(cell)}`;
  }

  records(cell) {
    return this.#records.get(cell) ?? [];
  }

  async close() {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(req, res) {
    const url = new URL(req.url, this.origin);
    const match = /^\/c\/([^/]+)(\/.*)$/.exec(url.pathname);
    const cell = match ? decodeURIComponent(match[1]) : '?';
    const path = match ? match[2] : url.pathname;
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    const list = this.#records.get(cell) ?? [];
    this.#records.set(cell, list);

    const dialect = DIALECTS.find((candidate) => candidate.matches(req.method, path));
    if (!dialect) {
      list.push({ dialect: undefined, path, method: req.method, unrouted: true });
      sendJson(res, 404, { error: { message: `stub LLM: no route for ${req.method} ${path}` } });
      return;
    }
    let body;
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      list.push({ dialect: dialect.name, path, unparsable: raw.slice(0, 200) });
      sendJson(res, 400, { error: { message: 'stub LLM: body is not JSON' } });
      return;
    }
    const conversation = dialect.read(body, path);
    const action = nextAction(conversation);
    list.push({ dialect: dialect.name, path, stream: conversation.stream, body, conversation, action });
    dialect.answer(res, action, body, path);
  }
}
