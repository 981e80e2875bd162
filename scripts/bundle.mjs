#!/usr/bin/env node
/**
 * Bundles the server for start-up speed: `dist/index.js` (the bin) becomes one minified ES module
 * plus lazily loaded chunks (the stdio server, the simulator), instead of ~150 files
 * resolved and compiled one by one. Runs after `tsc`, which still emits every module to dist/
 * for the tests and scripts that import them.
 *
 * - sharp stays external: it is a native module with its own binaries. undici stays external
 *   too: it is CommonJS, loaded lazily on the first call, and Node's own loader gives its named
 *   exports reliably (bundled, the lazy import came back without them).
 * - ajv is replaced by a stub: the SDK's Server builds an Ajv validator only when not given one,
 *   for elicitation, which this server never uses; createServer passes its own (src/server.ts).
 *   Leaving ajv out removes its ~120 modules from every start.
 * - The answers to `initialize` and `tools/list` are made here, by the server tsc just built (a
 *   real session asked both), and put into the bundle: the stdio front door gives them while the
 *   SDK and the tools load (src/transports/front-door.ts). Made at every build, they follow every
 *   change to the tools, their descriptions and schemas.
 */
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';
import { computeStartAnswers } from '../dist/transports/compute-start-answers.js';

const stubAjv = {
  name: 'stub-ajv',
  setup(b) {
    b.onResolve({ filter: /^ajv(-formats)?$/ }, (args) => ({ path: args.path, namespace: 'stub-ajv' }));
    b.onLoad({ filter: /.*/, namespace: 'stub-ajv' }, () => ({
      contents:
        'export default function unavailable() { throw new Error("ajv is not bundled with flux-mcp: pass a jsonSchemaValidator"); }',
      loader: 'js',
    }));
  },
};

// Chunk names carry content hashes: clear the old ones so dist/ holds only what index.js loads.
await rm('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  minify: true,
  sourcemap: 'linked',
  external: ['sharp', 'undici'],
  plugins: [stubAjv],
  define: { __FLUX_START_ANSWERS__: JSON.stringify(await computeStartAnswers()) },
  chunkNames: 'chunks/[name]-[hash]',
  // Any bundled CommonJS code that calls require() for Node built-ins finds it.
  banner: {
    js: "import { createRequire as __fluxCreateRequire } from 'node:module'; const require = __fluxCreateRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
});
