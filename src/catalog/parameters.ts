/**
 * Ranges and allowed values of the tunable parameters, as the gateway documents them. Which model
 * takes which parameter lives in models.ts; this file says what a valid value is.
 */

export interface NumberRule {
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

export const SEED: NumberRule = { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER };
/** 0 = strictest moderation, 6 = most permissive (the gateway's range; BFL caps FLUX.2 at 5). */
export const SAFETY_TOLERANCE: NumberRule = { integer: true, min: 0, max: 6, default: 2 };
export const STEPS: NumberRule = { integer: true, min: 1, max: 50, default: 50 };
export const GUIDANCE: NumberRule = { integer: false, min: 1.5, max: 10, default: 4.5 };
export const OUTPUT_COMPRESSION: NumberRule = { integer: true, min: 0, max: 100 };

export const QUALITY_VALUES = ['auto', 'low', 'medium', 'high'] as const;
export const BACKGROUND_VALUES = ['auto', 'opaque'] as const;

/** Output formats that take `output_compression` (gpt-image-2). */
export const COMPRESSIBLE_FORMATS = ['jpeg', 'webp'] as const;

/** The longest prompt the gateway takes, in tokens. */
export const PROMPT_MAX_TOKENS = 32_000;

/**
 * Tokens cannot be counted here without the model's tokenizer, so the prompt check is on
 * characters at ~4 per token: it stops runaway input (a pasted file, a base64 blob) without
 * refusing any prompt the gateway would take.
 */
export const PROMPT_MAX_CHARS = 4 * PROMPT_MAX_TOKENS;

/** Seeds the server picks when the caller gives none, so every image can be reproduced. */
export const RANDOM_SEED_MAX = 0xffff_ffff;

/** Images one call makes (`count`): each a gateway call of its own, in parallel, under the usual limits. */
export const COUNT: NumberRule = { integer: true, min: 1, max: 8, default: 1 };
