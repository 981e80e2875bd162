/**
 * The layout of src/ as a rule: every folder imports only from folders below it in LAYERS, never
 * from a peer on its own floor, and no module takes part in an import cycle. Type-only imports
 * count too: they are dependencies of the design even when they vanish at run time.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/**
 * Top to bottom: the path a call takes. Entries on the same floor are peers and may not import
 * each other. A path names a folder (with the trailing slash) or a file.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['index.ts', 'demo.ts'],
  ['cli/'],
  ['transports/'],
  ['server.ts'],
  ['docs/'],
  ['apps/'],
  ['mcp/'],
  ['tools/'],
  ['pipeline/'],
  ['pipeline/inputs/'],
  ['gateway/', 'library/', 'simulator/'],
  ['config.ts'],
  ['catalog/'],
  ['imaging/'],
  ['core/'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** The most specific layer entry a file belongs to, with its floor. */
function placeOf(file: string): { entry: string; floor: number } {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  let best: { entry: string; floor: number } | undefined;
  LAYERS.forEach((floor, index) => {
    for (const entry of floor) {
      const matches = entry.endsWith('/') ? rel.startsWith(entry) : rel === entry;
      if (matches && (!best || entry.length > best.entry.length)) best = { entry, floor: index };
    }
  });
  if (!best) throw new Error(`src/${rel} is in no layer: add it to LAYERS in test/unit/architecture.test.ts`);
  return best;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) =>
    path.resolve(path.dirname(file), (m[1] ?? m[2])!).replace(/\.js$/, '.ts'),
  );
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const rel = (file: string): string => `src/${path.relative(SRC, file).split(path.sep).join('/')}`;

describe('the layout of src/', () => {
  it('places every module on a floor', () => {
    for (const file of files) expect(() => placeOf(file)).not.toThrow();
  });

  it('has no import that points up or sideways', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = placeOf(file);
      for (const target of targets) {
        const to = placeOf(target);
        if (to.entry === from.entry) continue;
        if (to.floor <= from.floor) {
          wrong.push(
            `${rel(file)} (${from.entry}) imports ${rel(target)} (${to.entry}), which is ${to.floor < from.floor ? 'above' : 'beside'} it`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle', () => {
    // Tarjan's strongly connected components: any component of two or more modules is a cycle.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter += 1;
      stack.push(node);
      onStack.add(node);
      for (const next of graph.get(node) ?? []) {
        if (!graph.has(next)) continue;
        if (!index.has(next)) {
          visit(next);
          low.set(node, Math.min(low.get(node)!, low.get(next)!));
        } else if (onStack.has(next)) {
          low.set(node, Math.min(low.get(node)!, index.get(next)!));
        }
      }
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(rel(member));
        } while (member !== node);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const file of files) if (!index.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('keeps the simulator apart from the server: below it, only imaging/ and core/', () => {
    // The simulator checks requests against its own transcription of the gateway's documentation
    // (simulator/documented-rules.ts). Were it to use the catalog, a bug in the server's rules
    // would be the simulator's too, and the property tests could never expose it.
    const allowed = ['simulator/', 'imaging/', 'core/'];
    const wrong = [...graph]
      .filter(([file]) => placeOf(file).entry === 'simulator/')
      .flatMap(([file, targets]) =>
        targets.filter((t) => !allowed.includes(placeOf(t).entry)).map((t) => `${rel(file)} → ${rel(t)}`),
      );
    expect(wrong).toEqual([]);
  });

  it('resolves every relative import to a module of src/', () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !graph.has(t)).map((t) => `${rel(file)} → ${rel(t)}`),
    );
    expect(missing).toEqual([]);
  });
});
