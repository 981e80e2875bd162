import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configWarnings,
  DEFAULT_BASE_URL,
  describeSettings,
  loadConfig,
  SETTINGS,
} from '../../src/config.js';

const HOME = path.resolve('/home/tester');

/** `${name}` as a bundle manifest writes a variable (a literal, not a template). */
const variable = (name: string): string => `\${${name}}`;

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env, HOME);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has working defaults and starts without a key', () => {
    expect(loadConfig({}, HOME)).toEqual({
      apiKey: undefined,
      baseUrl: DEFAULT_BASE_URL,
      outputDir: path.join(HOME, 'Pictures', 'flux-mcp'),
      previewSize: 768,
      preview: 'auto',
      resourceLinks: false,
      apps: true,
      normalizeInputs: true,
      maxRetries: 2,
      timeoutMs: undefined,
      maxConcurrent: 24,
      modelConcurrency: {},
      shutdownGraceMs: 120_000,
      handoffAfterMs: 45_000,
      logLevel: 'info',
      keepInputMetadata: false,
      allowPrivateUrls: false,
      httpInputDirs: [],
      budgetUsd: undefined,
      budgetPeriod: 'day',
      tokenPrice: undefined,
    });
  });

  it('reads every variable, trimming whitespace and a trailing slash', () => {
    const config = loadConfig(
      {
        APIYI_API_KEY: '  sk-abc  ',
        APIYI_BASE_URL: 'http://127.0.0.1:8787/v1/',
        FLUX_MCP_OUTPUT_DIR: path.join(HOME, 'art'),
        FLUX_MCP_PREVIEW_SIZE: '0',
        FLUX_MCP_NORMALIZE_INPUTS: 'off',
        FLUX_MCP_APPS: '0',
        FLUX_MCP_LOG_LEVEL: 'DEBUG',
      },
      HOME,
    );
    expect(config).toEqual({
      apiKey: 'sk-abc',
      baseUrl: 'http://127.0.0.1:8787/v1',
      outputDir: path.join(HOME, 'art'),
      previewSize: 0,
      preview: 'auto',
      resourceLinks: false,
      apps: false,
      normalizeInputs: false,
      maxRetries: 2,
      timeoutMs: undefined,
      maxConcurrent: 24,
      modelConcurrency: {},
      shutdownGraceMs: 120_000,
      handoffAfterMs: 45_000,
      logLevel: 'debug',
      keepInputMetadata: false,
      allowPrivateUrls: false,
      httpInputDirs: [],
      budgetUsd: undefined,
      budgetPeriod: 'day',
      tokenPrice: undefined,
    });
  });

  it('expands ~/ in the output directory', () => {
    expect(loadConfig({ FLUX_MCP_OUTPUT_DIR: '~/Pictures/ai' }, HOME).outputDir).toBe(
      path.join(HOME, 'Pictures', 'ai'),
    );
  });

  it('expands a leading HOME variable in the output directory, as a bundle manifest default arrives unsubstituted', () => {
    expect(loadConfig({ FLUX_MCP_OUTPUT_DIR: `${variable('HOME')}/Pictures/flux-mcp` }, HOME).outputDir).toBe(
      path.join(HOME, 'Pictures', 'flux-mcp'),
    );
    expect(loadConfig({ FLUX_MCP_OUTPUT_DIR: variable('HOME') }, HOME).outputDir).toBe(HOME);
    expect(problemsOf({ FLUX_MCP_OUTPUT_DIR: `${variable('HOMEWORK')}/x` })[0]).toContain('is a relative path');
  });

  it('takes a bundle placeholder the host left unfilled (user_config.…) as unset', () => {
    const config = loadConfig(
      {
        APIYI_BASE_URL: variable('user_config.base_url'),
        FLUX_MCP_OUTPUT_DIR: variable('user_config.output_dir'),
        FLUX_MCP_PREVIEW: variable('user_config.preview'),
      },
      HOME,
    );
    expect(config).toMatchObject({
      baseUrl: DEFAULT_BASE_URL,
      outputDir: path.join(HOME, 'Pictures', 'flux-mcp'),
      preview: 'auto',
    });
  });

  it("reads FLUX_MCP_PREVIEW as auto, on or off, also in a switch's words, and refuses anything else", () => {
    const preview = (value: string) => loadConfig({ FLUX_MCP_PREVIEW: value }, HOME).preview;
    expect(['auto', 'AUTO', ' Auto '].map(preview)).toEqual(['auto', 'auto', 'auto']);
    expect(['on', 'On', 'true', 'yes', '1'].map(preview)).toEqual(['on', 'on', 'on', 'on', 'on']);
    expect(['off', 'OFF', 'false', 'no', '0'].map(preview)).toEqual(['off', 'off', 'off', 'off', 'off']);
    expect(problemsOf({ FLUX_MCP_PREVIEW: 'sometimes' })).toEqual([
      'FLUX_MCP_PREVIEW "sometimes" must be one of auto, on, off',
    ]);
  });

  it('refuses a relative output directory, saying why and what to use', () => {
    const [problem] = problemsOf({ FLUX_MCP_OUTPUT_DIR: 'images' });
    expect(problem).toContain('FLUX_MCP_OUTPUT_DIR "images" is a relative path');
    expect(problem).toContain('working directory');
    expect(problem).toContain(path.join(HOME, 'Pictures', 'flux-mcp'));
  });

  it('refuses previews outside 0 or 64–1568 and non-numbers', () => {
    for (const value of ['32', '2000', 'big', '-1', '7.5']) {
      expect(problemsOf({ FLUX_MCP_PREVIEW_SIZE: value })[0]).toContain(`FLUX_MCP_PREVIEW_SIZE "${value}" must be 0`);
    }
    expect(loadConfig({ FLUX_MCP_PREVIEW_SIZE: '1568' }, HOME).previewSize).toBe(1568);
  });

  it('reads FLUX_MCP_NORMALIZE_INPUTS as a switch and refuses anything else', () => {
    expect(loadConfig({ FLUX_MCP_NORMALIZE_INPUTS: '0' }, HOME).normalizeInputs).toBe(false);
    expect(loadConfig({ FLUX_MCP_NORMALIZE_INPUTS: 'true' }, HOME).normalizeInputs).toBe(true);
    expect(problemsOf({ FLUX_MCP_NORMALIZE_INPUTS: 'sometimes' })[0]).toContain(
      'FLUX_MCP_NORMALIZE_INPUTS "sometimes" must be 1',
    );
  });

  it('reads retries, timeout, concurrency caps and the shutdown grace, refusing bad values', () => {
    const config = loadConfig(
      {
        FLUX_MCP_MAX_RETRIES: '0',
        FLUX_MCP_TIMEOUT_MS: '90000',
        FLUX_MCP_MAX_CONCURRENT: '4',
        FLUX_MCP_MODEL_CONCURRENCY: 'flux-kontext-max=2, gpt-image-2=3',
        FLUX_MCP_SHUTDOWN_GRACE_MS: '5000',
      },
      HOME,
    );
    expect(config).toMatchObject({
      maxRetries: 0,
      timeoutMs: 90_000,
      maxConcurrent: 4,
      modelConcurrency: { 'flux-kontext-max': 2, 'gpt-image-2': 3 },
      shutdownGraceMs: 5000,
    });
    const problems = problemsOf({
      FLUX_MCP_MAX_RETRIES: '-1',
      FLUX_MCP_TIMEOUT_MS: '10',
      FLUX_MCP_MODEL_CONCURRENCY: 'flux-9=2,kontext',
    });
    expect(problems).toEqual([
      'FLUX_MCP_MAX_RETRIES "-1" must be a whole number from 0 to 10 (retries of a failed gateway request)',
      'FLUX_MCP_TIMEOUT_MS "10" must be a whole number from 1000 to 3600000 (milliseconds per gateway request)',
      expect.stringContaining('FLUX_MCP_MODEL_CONCURRENCY names "flux-9", which is not a model'),
      'FLUX_MCP_MODEL_CONCURRENCY entry "kontext" must look like model=N with N ≥ 1, e.g. flux-kontext-max=6',
    ]);
  });

  it('refuses a base URL that is not http(s), and reports every problem at once', () => {
    const problems = problemsOf({
      APIYI_BASE_URL: 'ftp://example.com',
      FLUX_MCP_OUTPUT_DIR: 'rel',
      FLUX_MCP_LOG_LEVEL: 'loud',
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('must be an http(s) URL');
    expect(problemsOf({ APIYI_BASE_URL: 'not a url' })[0]).toContain('is not a URL');
  });

  it('warns about a missing key and about a key sent over plain http to another host', () => {
    expect(configWarnings(loadConfig({}, HOME))).toEqual([
      'APIYI_API_KEY is not set: tools are listed, but calls will ask for a key.',
    ]);
    expect(
      configWarnings(loadConfig({ APIYI_API_KEY: 'k', APIYI_BASE_URL: 'http://relay.example.com/v1' }, HOME))[0],
    ).toContain('unencrypted');
    expect(configWarnings(loadConfig({ APIYI_API_KEY: 'k', APIYI_BASE_URL: 'http://127.0.0.1:1/v1' }, HOME))).toEqual(
      [],
    );
  });

  it('reads the spending cap, its period and the token price, refusing bad values', () => {
    expect(
      loadConfig(
        {
          FLUX_MCP_BUDGET_USD: '12.50',
          FLUX_MCP_BUDGET_PERIOD: 'Month',
          FLUX_MCP_TOKEN_PRICE_USD: 'output=40, input=10',
        },
        HOME,
      ),
    ).toMatchObject({ budgetUsd: 12.5, budgetPeriod: 'month', tokenPrice: { input: 10, output: 40 } });
    expect(loadConfig({ FLUX_MCP_BUDGET_USD: '0', FLUX_MCP_TOKEN_PRICE_USD: '30' }, HOME)).toMatchObject({
      budgetUsd: 0,
      budgetPeriod: 'day',
      tokenPrice: { input: 30, output: 30 },
    });
    expect(
      problemsOf({ FLUX_MCP_BUDGET_USD: '$5', FLUX_MCP_BUDGET_PERIOD: 'week', FLUX_MCP_TOKEN_PRICE_USD: 'input=10' }),
    ).toEqual([
      'FLUX_MCP_BUDGET_USD "$5" must be an amount of US dollars such as 5 or 12.50 (0 refuses every paid call)',
      'FLUX_MCP_BUDGET_PERIOD "week" must be one of day, month',
      'FLUX_MCP_TOKEN_PRICE_USD "input=10" must be USD per million tokens: one number for every token (e.g. 30) or input and output apart (e.g. input=10,output=40)',
    ]);
    expect(problemsOf({ FLUX_MCP_TOKEN_PRICE_USD: 'input=1,output=2,cached=3' })[0]).toContain(
      'must be USD per million',
    );
  });

  it('warns when a cap is set that cannot count the token-billed models', () => {
    const warnings = configWarnings(loadConfig({ APIYI_API_KEY: 'k', FLUX_MCP_BUDGET_USD: '5' }, HOME));
    expect(warnings).toEqual([expect.stringMatching(/^FLUX_MCP_BUDGET_USD is set without FLUX_MCP_TOKEN_PRICE_USD: /)]);
    expect(
      configWarnings(loadConfig({ APIYI_API_KEY: 'k', FLUX_MCP_BUDGET_USD: '5', FLUX_MCP_TOKEN_PRICE_USD: '9' }, HOME)),
    ).toEqual([]);
  });

  it('is one table: every Config field has exactly one setting, and the start-up line names what differs', () => {
    const keys = SETTINGS.map((entry) => entry.key).sort();
    expect(keys).toEqual(Object.keys(loadConfig({}, HOME)).sort());
    expect(new Set(SETTINGS.map((entry) => entry.env)).size).toBe(SETTINGS.length);
    expect(describeSettings(loadConfig({}, HOME), HOME)).toBe('all defaults');
    const config = loadConfig(
      { APIYI_API_KEY: 'sk-secret-value', FLUX_MCP_PREVIEW_SIZE: '0', FLUX_MCP_HTTP_TOKEN: 't0k3n' },
      HOME,
    );
    const line = describeSettings(config, HOME);
    expect(line).toBe('APIYI_API_KEY (set), FLUX_MCP_PREVIEW_SIZE=0, FLUX_MCP_HTTP_TOKEN (set)');
    expect(line).not.toContain('sk-secret-value');
  });
});
