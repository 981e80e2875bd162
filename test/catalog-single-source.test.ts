/**
 * The catalog (src/catalog/) is the only place a model fact is written: everywhere else renders
 * text from its data. This test reads every other module of src/ (the simulator aside: it keeps
 * tables of its own, transcribed from the gateway's documentation, to judge the server by) and
 * fails on any model id, model name, endpoint or documented limit written there — in code and in
 * comments alike, since a comment that states a fact goes stale the same way.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS, RESULT_URL_LIFETIME_MS, UPSTREAM_ACTIVE_TASKS } from '../src/catalog/gateway.js';
import { FAMILIES, MODELS, type ModelSpec, PROVIDERS } from '../src/catalog/models.js';
import { SAFETY_TOLERANCE } from '../src/catalog/parameters.js';
import { megapixels, roundMegapixels } from '../src/catalog/sizes.js';
import { formatBytes, thousands } from '../src/core/units.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
/** Where facts may be written: the catalog itself, and the simulator's own tables. */
const EXEMPT_DIRS = ['catalog/', 'simulator/'];

/**
 * Occurrences allowed elsewhere, each with its reason: `file` (relative to src/) and the exact
 * text. None today; prefer rendering from the catalog to adding one.
 */
const JUSTIFIED: readonly { readonly file: string; readonly text: string; readonly reason: string }[] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A term as a whole word: not inside a longer id ("flux-pro" in "flux-pro-1.1"), not FLUX_MCP_… */
const word = (text: string): RegExp => new RegExp(`(?<![\\w.-])${escapeRegExp(text)}(?![\\w-]|\\.\\w)`);

const models = MODELS as readonly ModelSpec[];
const inputRules = [...new Set(models.flatMap((m) => (m.edits ? [m.edits.inputRule] : [])))];
const sizeRules = [...new Set(models.map((m) => m.sizeRule))];

/** Every fact the catalog holds that must not be written elsewhere, as the text it would take. */
const FACTS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  ...models.map((m) => ({ what: `model id ${m.id}`, pattern: word(m.id) })),
  ...Object.values(PROVIDERS).map((p) => ({ what: `model name ${p.modelsName}`, pattern: word(p.modelsName) })),
  ...Object.entries(FAMILIES).flatMap(([family, { shortName }]) =>
    [family, shortName]
      .filter((name) => !Object.values(PROVIDERS).some((p) => p.name === name))
      .map((name) => ({ what: `family ${name}`, pattern: word(name) })),
  ),
  ...Object.values(ENDPOINTS).map((endpoint) => ({ what: `endpoint ${endpoint}`, pattern: word(endpoint) })),
  ...inputRules.flatMap((rule) => [
    { what: 'an input size limit', pattern: word(formatBytes(rule.maxBytes)) },
    { what: 'an input pixel limit', pattern: word(roundMegapixels(rule.maxPixels)) },
    ...(rule.sendAs ? [{ what: 'a normalization target', pattern: word(roundMegapixels(rule.sendAs.maxPixels)) }] : []),
  ]),
  ...sizeRules.flatMap((rule) => [
    { what: 'a size limit', pattern: word(megapixels(rule.maxPixels)) },
    { what: 'a side limit', pattern: new RegExp(`(?<![\\w.])${rule.maxSide}(?![\\w.])`) },
    { what: 'a pixel limit', pattern: word(thousands(rule.maxPixels)) },
    ...(rule.presets ?? []).map((preset) => ({ what: `a size preset ${preset}`, pattern: word(preset) })),
  ]),
  ...models.flatMap((m) =>
    m.priceUsd === null ? [] : [{ what: `a price of ${m.id}`, pattern: word(`$${m.priceUsd}`) }],
  ),
  { what: 'the result URL lifetime', pattern: word(`${RESULT_URL_LIFETIME_MS / 60_000} min`) },
  { what: 'the result URL lifetime', pattern: word(`${RESULT_URL_LIFETIME_MS / 60_000} minutes`) },
  { what: 'the upstream active tasks', pattern: new RegExp(`(?<![\\w.])${UPSTREAM_ACTIVE_TASKS} active`) },
  { what: 'the safety_tolerance range', pattern: word(`${SAFETY_TOLERANCE.min} strictest`) },
];

const files = sourceFiles(SRC).filter((file) => {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  return !EXEMPT_DIRS.some((dir) => rel.startsWith(dir));
});

describe('the catalog as the single source of model facts', () => {
  it('recognises the facts as they used to be written by hand', () => {
    const handWritten = [
      'At most 8 (flux-2-pro/max/flex), 4 (klein), 1 (Kontext), 16 (gpt-image-2).',
      'FLUX ≤ 20 MB and ≤ 20 MP, gpt-image-2 ≤ 50 MB',
      'scaled to ≤ 4 MP with sides ×16',
      "this.send('/images/generations', body, call)",
      "json: '/images/generations', multipart: '/images/edits'",
      'raise safety_tolerance (0 strictest – 6 most permissive; default 2)',
      'Result URLs live 10 minutes',
      'use a faster model (flux-2-klein-9b, flux-2-pro)',
      'e.g. flux-kontext-max=6',
      "a global cap (the upstream account's 24 active tasks)",
      'at most 4 MP (2048x2048)',
      'presets 3840x2160',
      'FLUX.1 Kontext',
      'flux-pro',
    ];
    for (const text of handWritten)
      expect(
        FACTS.some((fact) => fact.pattern.test(text)),
        text,
      ).toBe(true);
    // Names that merely contain a fact's words are not facts.
    for (const text of ['FLUX_MCP_OUTPUT_DIR', 'flux-mcp', 'flux-mcp.image/1'])
      expect(
        FACTS.filter((fact) => fact.pattern.test(text)).map((f) => f.what),
        text,
      ).toEqual([]);
  });

  it('writes no model fact in src/ outside catalog/ (and simulator/)', () => {
    const found: string[] = [];
    for (const file of files) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const fact of FACTS) {
            const match = fact.pattern.exec(line);
            if (!match) continue;
            if (JUSTIFIED.some((j) => j.file === rel && j.text === match[0])) continue;
            found.push(`src/${rel}:${index + 1}: ${fact.what} ("${match[0]}"): ${line.trim()}`);
          }
        });
    }
    expect(found).toEqual([]);
  });

  it('lists no exception that no longer applies', () => {
    for (const entry of JUSTIFIED) {
      const text = readFileSync(path.join(SRC, entry.file), 'utf8');
      expect(text, `${entry.file}: ${entry.reason}`).toContain(entry.text);
    }
  });
});
