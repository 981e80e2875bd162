/** What every stack asks its agent; the stub model ignores the words and follows script.mjs. */
export const SYSTEM_PROMPT = 'You make and edit images with the flux tools. Pass images between calls by their path.';
export const USER_PROMPT =
  'Make a watercolor of a red fox in snow at 512x512, then make the fox blue, list my images, and try a 1000x1000 image.';
/** Enough model turns for the four tool calls and the answer, with room for a library that adds one. */
export const MAX_STEPS = 8;
/** Model names as each provider spells them; the stub answers any. Gemini 2.x: see dialects/gemini.mjs. */
export const MODELS = { openai: 'gpt-4.1', anthropic: 'claude-sonnet-4-5', google: 'gemini-2.5-flash' };
export const API_KEY = 'sk-stub-not-a-key';
