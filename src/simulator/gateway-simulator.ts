/**
 * A local stand-in for the APIYI gateway, over real HTTP on loopback. It authenticates, checks
 * requests as strictly as the gateway documents (wire-rules.ts, against the literal tables of
 * documented-rules.ts, never the server's catalog), renders real images, answers FLUX with a
 * signed delivery URL that expires and gpt-image-2 with b64_json and usage, and stamps every
 * answer with x-request-id.
 *
 * Tests script it: the next answers' status, headers, body, delay, a hang, a truncated body or a
 * dropped connection; and every request it received is logged for assertions. `apiyi-flux-mcp
 * simulate` runs it on its own, to try agent workflows without a key or cost.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { IMAGE_FORMATS } from '../imaging/inspect.js';
import type { WireFormat } from './documented-rules.js';
import { sizeMatching } from './output-size.js';
import { checkUploads, type Reference, resolveJsonReferences } from './references.js';
import { renderEdit, renderImage } from './render.js';
import {
  type AcceptedRequest,
  checkEditForm,
  checkGenerationBody,
  type SimulatedFile,
  WireError,
} from './wire-rules.js';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** When set, only this key is accepted; otherwise any non-empty Bearer token is. */
  readonly apiKey?: string;
  /** Lifetime of delivery URLs; the gateway's is 10 minutes. */
  readonly resultTtlMs?: number;
  /** Time every API answer takes at least (not downloads), like generation time; the image is made within it. */
  readonly latencyMs?: number;
  /** Called with a line per request (never with credentials). */
  readonly onRequestLog?: (line: string) => void;
}

/** One scripted answer. Without status and body, the simulator answers normally after the delay. */
interface ScriptedResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly delayMs?: number;
  /**
   * Answer only once this settles (after delayMs, if any): a test holds the gateway "working" for
   * exactly as long as it needs to observe something, instead of guessing a delay.
   */
  readonly holdUntil?: Promise<unknown>;
  /** Take the request and never answer (until the client gives up or the simulator closes). */
  readonly hang?: boolean;
  /** Destroy the connection without any answer. */
  readonly drop?: boolean;
  /** Announce the full Content-Length, send only this many bytes, then cut the connection. */
  readonly truncateAfterBytes?: number;
}

type SimulatedRoute = 'generations' | 'edits' | 'delivery' | 'asset' | 'unknown';

export interface SimulatedRequest {
  readonly method: string;
  readonly path: string;
  readonly route: SimulatedRoute;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
  /** Parsed JSON body, for JSON requests. */
  readonly json?: unknown;
  /** Parsed multipart body: text fields (repeatable) and files in order. */
  readonly form?: { readonly fields: Readonly<Record<string, string[]>>; readonly files: readonly SimulatedFile[] };
  /** Status answered (undefined for a hang or a drop). */
  status?: number;
  /** The simulator's own time on the request, excluding scripted and configured delays. */
  handledMs?: number;
}

interface StoredResult {
  readonly bytes: Buffer;
  readonly mimeType: string;
  readonly expiresAt: number;
}

const API_PREFIX = '/v1';
const DEFAULT_TTL_MS = 10 * 60 * 1000;

const envelope = (message: string, type: string, code: string | null, param: string | null = null) => ({
  error: { message, type, param, code },
});

/**
 * Emits `request` (with the SimulatedRequest) as soon as a request has arrived and been parsed,
 * before it is answered: tests await it instead of polling.
 */
export class GatewaySimulator extends EventEmitter<{ request: [SimulatedRequest] }> {
  readonly requests: SimulatedRequest[] = [];
  private readonly apiScript: ScriptedResponse[] = [];
  private readonly deliveryScript: ScriptedResponse[] = [];
  private readonly results = new Map<string, StoredResult>();
  private readonly assets = new Map<string, { readonly bytes: Buffer; readonly contentType: string }>();
  private readonly signingKey = randomBytes(32);
  private requestCounter = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: SimulatorOptions,
  ) {
    super();
  }

  static async start(options: SimulatorOptions = {}): Promise<GatewaySimulator> {
    let simulator: GatewaySimulator | undefined;
    const server = createServer((req, res) => {
      void simulator!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify(envelope(`simulator error: ${(error as Error).message}`, 'server_error', 'internal_error')),
          );
        } else {
          res.destroy();
        }
      });
    });
    simulator = new GatewaySimulator(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return simulator;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get origin(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** What APIYI_BASE_URL should be to talk to this simulator. */
  get baseUrl(): string {
    return `${this.origin}${API_PREFIX}`;
  }

  /** Requests to the API endpoints (generations and edits), not downloads. */
  apiRequests(): SimulatedRequest[] {
    return this.requests.filter((r) => r.route === 'generations' || r.route === 'edits');
  }

  deliveryRequests(): SimulatedRequest[] {
    return this.requests.filter((r) => r.route === 'delivery');
  }

  /** Requests for hosted assets (see hostAsset): who fetched a "public" reference URL. */
  assetRequests(): SimulatedRequest[] {
    return this.requests.filter((r) => r.route === 'asset');
  }

  /**
   * Serve bytes at a URL on this simulator, standing in for a public image host (a CDN, S3), so
   * tests can pass a reference by URL and see who fetched it.
   */
  hostAsset(bytes: Buffer, name = 'image.png', contentType = 'application/octet-stream'): string {
    const id = randomBytes(6).toString('hex');
    this.assets.set(id, { bytes, contentType });
    return `${this.origin}/assets/${id}/${encodeURIComponent(name)}`;
  }

  /** Script the next answers of the API endpoints, in order. */
  enqueue(...responses: ScriptedResponse[]): void {
    this.apiScript.push(...responses);
  }

  /** Script the next answers of delivery URLs, in order. */
  enqueueDelivery(...responses: ScriptedResponse[]): void {
    this.deliveryScript.push(...responses);
  }

  /** Forget logged requests and scripted answers (between tests). */
  reset(): void {
    this.requests.length = 0;
    this.apiScript.length = 0;
    this.deliveryScript.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private nextRequestId(): string {
    this.requestCounter += 1;
    return `req_sim_${this.requestCounter.toString().padStart(4, '0')}_${randomBytes(3).toString('hex')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const route = routeOf(req.method ?? 'GET', url.pathname);
    const raw = await readAll(req);
    const started = performance.now();
    const entry: SimulatedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      route,
      headers: req.headers,
      bodyBytes: raw.length,
    };
    this.requests.push(entry);
    const requestId = this.nextRequestId();
    res.setHeader('x-request-id', requestId);

    if (route === 'generations' || route === 'edits') {
      Object.assign(entry, await parseBody(req.headers['content-type'], raw));
    }
    this.emit('request', entry);

    const script =
      route === 'delivery' ? this.deliveryScript.shift() : route === 'unknown' ? undefined : this.apiScript.shift();
    let delayed = 0;
    if (script?.delayMs) {
      await sleep(script.delayMs);
      delayed += script.delayMs;
    }
    if (script?.holdUntil) {
      const holding = performance.now();
      await script.holdUntil.catch(() => undefined);
      delayed += performance.now() - holding;
    }
    if (script?.drop) {
      req.socket.destroy();
      return;
    }
    if (script?.hang) return; // The connection stays open until the client or close() ends it.

    let answer: Answer;
    if (script && (script.status !== undefined || script.body !== undefined)) {
      answer = scriptedAnswer(script);
    } else if (route === 'delivery') {
      answer = this.deliver(url);
    } else if (route === 'asset') {
      const asset = this.assets.get(url.pathname.split('/')[2] ?? '');
      answer = asset
        ? { status: 200, headers: { 'content-type': asset.contentType }, body: asset.bytes }
        : { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Not Found') };
    } else if (route === 'unknown') {
      answer = jsonAnswer(
        404,
        envelope(`no route for ${req.method} ${url.pathname}`, 'invalid_request_error', 'not_found'),
      );
    } else {
      // The latency is generation time: the image is made during it, and the answer goes out
      // when both are done, as a gateway answers when its job is.
      const generating = performance.now();
      const latency = this.options.latencyMs ? sleep(this.options.latencyMs) : undefined;
      answer = await this.answerApi(route, req.headers, entry);
      const own = performance.now() - generating;
      if (latency) {
        await latency;
        delayed += performance.now() - generating - own;
      }
    }
    if (script?.headers) answer.headers = { ...answer.headers, ...script.headers };

    entry.status = answer.status;
    send(res, answer, script?.truncateAfterBytes);
    entry.handledMs = performance.now() - started - delayed;
    this.options.onRequestLog?.(
      `${entry.method} ${entry.path} → ${answer.status} ` +
        `(${Math.round(entry.handledMs)} ms, ${requestId})${answer.summary ? ` ${answer.summary}` : ''}`,
    );
  }

  private authorised(headers: IncomingHttpHeaders): boolean {
    const match = /^Bearer\s+(\S+)$/.exec(headers.authorization ?? '');
    if (!match) return false;
    return this.options.apiKey === undefined || match[1] === this.options.apiKey;
  }

  private async answerApi(
    route: 'generations' | 'edits',
    headers: IncomingHttpHeaders,
    entry: SimulatedRequest,
  ): Promise<Answer> {
    if (!this.authorised(headers)) {
      return jsonAnswer(
        401,
        envelope('Invalid token: check the Authorization: Bearer header', 'authentication_error', 'invalid_api_key'),
      );
    }
    let accepted: AcceptedRequest;
    let references: Reference[];
    try {
      if (route === 'generations') {
        accepted = checkJsonRequest(headers, entry);
        references = await resolveJsonReferences(accepted.model, accepted.inputImages);
      } else {
        accepted = checkMultipartRequest(headers, entry);
        references = await checkUploads(accepted.model, entry.form!.files);
      }
    } catch (error) {
      if (error instanceof WireError) return jsonAnswer(error.status, error.envelope());
      throw error;
    }
    const { model, format } = accepted;
    // An edit without a size matches image 1, within the model's output limits.
    const size = accepted.size ?? sizeMatching(references[0]!, model.size);
    const key = JSON.stringify([model.id, accepted.prompt, accepted.seed ?? null]);
    const bytes =
      references.length > 0
        ? await renderEdit({ ...size, format, key, references: references.map((r) => r.bytes) })
        : await renderImage({ ...size, format, key });
    const summary =
      `${model.id} ${size.width}x${size.height} ` +
      `${format}${references.length > 0 ? ` from ${references.length} reference(s)` : ''}`;
    const created = Math.floor(Date.now() / 1000);

    if (model.delivery === 'b64_json') {
      const outputTokens = Math.round((size.width * size.height) / 1000);
      const inputTokens = Math.ceil(accepted.prompt.length / 4) + 200 * references.length;
      return jsonAnswer(
        200,
        {
          created,
          data: [{ b64_json: bytes.toString('base64') }],
          usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
        },
        summary,
      );
    }
    return jsonAnswer(200, { created, data: [{ url: this.storeResult(bytes, format) }] }, summary);
  }

  /** Keep a result and return its signed, expiring delivery URL (like delivery-eu.bfl.ai). */
  private storeResult(bytes: Buffer, format: WireFormat): string {
    const now = Date.now();
    for (const [id, result] of this.results) if (result.expiresAt <= now) this.results.delete(id);
    const id = randomBytes(8).toString('hex');
    const expiresAt = now + (this.options.resultTtlMs ?? DEFAULT_TTL_MS);
    this.results.set(id, { bytes, mimeType: IMAGE_FORMATS[format].mimeType, expiresAt });
    const extension = IMAGE_FORMATS[format].extension === 'jpg' ? 'jpeg' : IMAGE_FORMATS[format].extension;
    return `${this.origin}/results/${id}/sample.${extension}?exp=${expiresAt}&sig=${this.sign(id, expiresAt)}`;
  }

  private sign(id: string, expiresAt: number): string {
    return createHmac('sha256', this.signingKey).update(`${id}:${expiresAt}`).digest('hex');
  }

  private deliver(url: URL): Answer {
    const id = /^\/results\/([0-9a-f]+)\/sample\.\w+$/.exec(url.pathname)?.[1];
    const expiresAt = Number(url.searchParams.get('exp'));
    const result = id ? this.results.get(id) : undefined;
    const valid =
      id !== undefined && url.searchParams.get('sig') === this.sign(id, expiresAt) && result?.expiresAt === expiresAt;
    // Expired from expiresAt on (not one millisecond later): with a lifetime of 0 a URL is dead at
    // once, however fast the client downloads it, so tests of expiry do not depend on timing.
    if (!valid || !result || Date.now() >= expiresAt) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from('Not Found: the signed URL is unknown or has expired'),
      };
    }
    return { status: 200, headers: { 'content-type': result.mimeType }, body: result.bytes };
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  summary?: string;
}

function jsonAnswer(status: number, value: unknown, summary?: string): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(value)),
    ...(summary ? { summary } : {}),
  };
}

function scriptedAnswer(script: ScriptedResponse): Answer {
  const body = script.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const looksHtml = typeof body === 'string' && /^\s*</.test(body);
    return {
      status: script.status ?? 200,
      headers: { 'content-type': looksHtml ? 'text/html' : 'application/octet-stream' },
      body: Buffer.from(body),
    };
  }
  return jsonAnswer(script.status ?? 200, body ?? {});
}

function send(res: ServerResponse, answer: Answer, truncateAfterBytes: number | undefined): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  if (truncateAfterBytes !== undefined && truncateAfterBytes < answer.body.length) {
    res.write(answer.body.subarray(0, truncateAfterBytes), () => res.destroy());
    return;
  }
  res.end(answer.body);
}

function routeOf(method: string, pathname: string): SimulatedRoute {
  if (method === 'POST' && pathname === `${API_PREFIX}/images/generations`) return 'generations';
  if (method === 'POST' && pathname === `${API_PREFIX}/images/edits`) return 'edits';
  if (method === 'GET' && pathname.startsWith('/results/')) return 'delivery';
  if (method === 'GET' && pathname.startsWith('/assets/')) return 'asset';
  return 'unknown';
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<Pick<SimulatedRequest, 'json' | 'form'>> {
  if (contentType?.startsWith('application/json')) {
    try {
      return { json: JSON.parse(raw.toString('utf8')) };
    } catch {
      return {};
    }
  }
  if (contentType?.startsWith('multipart/form-data')) {
    try {
      // The platform's own multipart parser (undici's Request.formData).
      const form = await new Request('http://simulator.invalid/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: raw,
      }).formData();
      const fields: Record<string, string[]> = {};
      const files: SimulatedFile[] = [];
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          fields[field] ??= [];
          fields[field].push(value);
        } else
          files.push({
            field,
            filename: value.name,
            contentType: value.type,
            bytes: Buffer.from(await value.arrayBuffer()),
          });
      }
      return { form: { fields, files } };
    } catch {
      return {};
    }
  }
  return {};
}

function checkJsonRequest(headers: IncomingHttpHeaders, entry: SimulatedRequest): AcceptedRequest {
  if (!headers['content-type']?.startsWith('application/json')) {
    throw new WireError(400, 'this endpoint takes application/json', null, 'invalid_content_type');
  }
  if (entry.json === undefined) throw new WireError(400, 'the body is not valid JSON', null, 'invalid_json');
  return checkGenerationBody(entry.json);
}

/** POST /images/edits: multipart/form-data, checked part by part in wire-rules.ts. */
function checkMultipartRequest(headers: IncomingHttpHeaders, entry: SimulatedRequest): AcceptedRequest {
  if (!headers['content-type']?.startsWith('multipart/form-data') || !entry.form) {
    throw new WireError(400, 'this endpoint takes multipart/form-data', null, 'invalid_content_type');
  }
  return checkEditForm(entry.form.fields, entry.form.files);
}
