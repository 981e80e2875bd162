/**
 * One cell's verdict, from what the stub recorded (what the stack sent to the model) and what the
 * worker saw (what the library threw or reported). Pure: records in, row out.
 */
import { MAX_TEXT_TOKENS_PER_SUCCESS, nativeImages } from './expectations.mjs';
import { checkTool } from './schema-rules.mjs';
import { FINAL_TEXT, findImagePath, STEPS } from './script.mjs';
import { countTokens, hasBase64 } from './tokens.mjs';

/** Client messages that come from notifications the client never asked for. */
const NOTIFICATION_NOISE = /unsupported message type|notifications\/|list_changed|notification/i;

/** Undoes the JSON string escaping a stack may have applied once or twice (`\"`, `\\n`). */
function unescapeJson(text) {
  let out = text;
  for (let i = 0; i < 3 && /\\[\\"nu]/.test(out); i++) {
    out = out
      .replace(/\\u([0-9a-f]{4})/gi, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(/\\n/g, '\n')
      .replace(/\\"/g, '"')
      .replace(/\\\\/g, '\\');
  }
  return out;
}

/** Each model tool call with everything that followed it until the next call: its results, and what the client appended. */
function callsWithResults(conversation) {
  const calls = [];
  let current;
  for (const turn of conversation?.turns ?? []) {
    if (turn.kind === 'call') {
      current = { name: turn.name, args: turn.args, results: [], appended: [] };
      calls.push(current);
    } else if (current && turn.kind === 'result') current.results.push(turn);
    else if (current && turn.kind === 'user') current.appended.push(turn);
  }
  return calls;
}

/** What the model received for one call: tokens of text, base64 in that text, images as images. */
function received(call) {
  if (!call || call.results.length === 0) return undefined;
  const parts = [...call.results.flatMap((result) => result.parts), ...call.appended.flatMap((turn) => turn.parts)];
  const texts = parts.filter((part) => part.type === 'text').map((part) => part.text);
  const images = parts.filter((part) => part.type === 'image');
  const text = texts.join('\n');
  return {
    functionResponses: call.results.length,
    textTokens: countTokens(text),
    textChars: text.length,
    base64InText: hasBase64(text),
    images: images.filter((part) => !part.rejected).length,
    rejectedImages: images.filter((part) => part.rejected).length,
    shape: parts.map((part) =>
      part.type === 'image' ? `image${part.rejected ? '(rejected)' : ''}` : `text(${part.text.length})`,
    ),
    excerpt: unescapeJson(text).slice(0, 160),
    texts,
  };
}

function schemaVerdict(dialect, tools) {
  return tools.map((tool) => {
    const { rules, violations } = checkTool(dialect, tool);
    return { tool: tool.name, strict: tool.strict, field: tool.schemaField, rules, violations };
  });
}

/** The request with the longest history: it holds every result the model was given. */
function fullestConversation(records) {
  let best;
  for (const record of records) {
    if (!record.conversation) continue;
    const calls = record.conversation.turns.filter((turn) => turn.kind === 'call').length;
    if (!best || calls >= best.calls) best = { calls, record };
  }
  return best?.record;
}

export function analyzeCell({ cell, records, worker, serverErrorLine }) {
  const routed = records.filter((record) => record.conversation);
  const dialect = routed[0]?.dialect;
  const toolsByName = new Map();
  for (const record of routed)
    for (const tool of record.conversation.tools) if (!toolsByName.has(tool.name)) toolsByName.set(tool.name, tool);
  const schemas = schemaVerdict(dialect, [...toolsByName.values()]);

  const last = fullestConversation(records);
  const calls = callsWithResults(last?.conversation);
  const byStep = Object.fromEntries(
    STEPS.map((step, index) => [step.step, { call: calls[index], got: received(calls[index]) }]),
  );

  const generatePath = byStep.generate.got && findImagePath(byStep.generate.got.texts);
  const editInput = byStep.edit.call?.args?.images?.[0];
  const editPath = byStep.edit.got && findImagePath(byStep.edit.got.texts);
  const errorText = byStep.error.got ? unescapeJson(byStep.error.got.texts.join('\n')) : '';
  const images = nativeImages(cell.stack, cell.provider);
  // A success is a result that carried a saved image's path to the model.
  const successes = [];
  if (generatePath) successes.push(byStep.generate.got);
  if (editPath) successes.push(byStep.edit.got);
  const notificationNoise = [
    ...worker.clientErrors
      .filter((entry) => NOTIFICATION_NOISE.test(entry.message))
      .map((entry) => `${entry.source}: ${entry.message}`),
    ...worker.console
      .filter((line) => (line.level === 'warn' || line.level === 'error') && NOTIFICATION_NOISE.test(line.text))
      .map((line) => `console.${line.level}: ${line.text}`),
  ];
  const otherClientErrors = worker.clientErrors
    .filter((entry) => !NOTIFICATION_NOISE.test(entry.message))
    .map((entry) => `${entry.source}: ${entry.message}`);
  const rejected = [...new Set(routed.flatMap((record) => record.conversation.rejections ?? []))];
  const finalAnswer = records.at(-1)?.action?.type === 'text' && records.at(-1).action.text === FINAL_TEXT;

  const targets = {
    noThrow: {
      ok: worker.ok && !worker.thrown && rejected.length === 0 && finalAnswer,
      why: worker.thrown
        ? `throws: ${worker.thrown}`
        : rejected.length > 0
          ? `sends what the provider rejects: ${rejected.join('; ')}`
          : !finalAnswer
            ? 'the loop ended before the final answer'
            : '',
    },
    schema: {
      ok: schemas.length > 0 && schemas.every((schema) => schema.violations.length === 0),
      why: schemas.length === 0 ? 'no tools reached the model' : summarizeViolations(schemas),
    },
    generate: {
      ok: Boolean(generatePath),
      why: byStep.generate.got
        ? `no image path in what the model got: "${byStep.generate.got.excerpt}"`
        : worker.thrown
          ? 'the stack threw before the result reached the model'
          : 'no result reached the model',
    },
    edit: {
      ok: Boolean(editPath) && editInput !== undefined && !String(editInput).startsWith('NO-PATH'),
      why: !byStep.edit.call
        ? 'never called'
        : String(editInput).startsWith('NO-PATH')
          ? 'the model saw no path to edit'
          : `no image path in the edit result: "${byStep.edit.got?.excerpt ?? ''}"`,
    },
    error: {
      ok: Boolean(serverErrorLine) && errorText.includes(serverErrorLine),
      why: byStep.error.got ? `the model got "${errorText.slice(0, 140)}"` : 'the bad call was never made (see above)',
    },
    tokens: {
      ok: successes.length === 0 ? null : successes.every((got) => got.textTokens <= MAX_TEXT_TOKENS_PER_SUCCESS),
      why: `${Math.max(0, ...successes.map((got) => got.textTokens))} tokens of text per success (limit ${MAX_TEXT_TOKENS_PER_SUCCESS})${successes.some((got) => got.base64InText) ? ', base64 in text' : ''}`,
    },
    // With the default (auto) the preview goes only to clients known to show it, and no library
    // can be known (its provider decides); with FLUX_MCP_PREVIEW=on it must arrive as an image
    // wherever the stack can carry one.
    image: {
      ok:
        !images.native || cell.preview !== 'on' || successes.length === 0
          ? null
          : successes.every((got) => got.images > 0),
      why: `preview not delivered as an image with FLUX_MCP_PREVIEW=on, though the stack can (${images.reason})`,
    },
    notifications: {
      ok: notificationNoise.length === 0,
      why: `${notificationNoise.length} client error(s)/warning(s) from unsolicited notifications: ${notificationNoise[0] ?? ''}`,
    },
  };

  return {
    ...cell,
    dialect,
    durationMs: worker.durationMs,
    requests: records.length,
    unrouted: records.filter((record) => record.unrouted).map((record) => `${record.method} ${record.path}`),
    thrown: worker.thrown,
    nativeImages: images,
    schemas,
    steps: Object.fromEntries(
      Object.entries(byStep).map(([step, { call, got }]) => [
        step,
        call
          ? { name: call.name, args: call.args, received: got ? { ...got, texts: undefined } : undefined }
          : undefined,
      ]),
    ),
    notificationNoise,
    otherClientErrors,
    targets,
    failed: Object.entries(targets)
      .filter(([, target]) => target.ok === false)
      .map(([name, target]) => ({ target: name, why: target.why })),
  };
}

function summarizeViolations(schemas) {
  const byKeyword = new Map();
  for (const schema of schemas)
    for (const violation of schema.violations) {
      const key = `${violation.keyword} (${violation.rule})`;
      byKeyword.set(key, (byKeyword.get(key) ?? 0) + 1);
    }
  return `${schemas[0]?.rules}: ${[...byKeyword].map(([key, count]) => `${key} ×${count}`).join('; ')}`;
}
