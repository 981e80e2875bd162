/** A failed result carries its category as data; programs (the CLI) read it there, not from the text. */
import { describe, expect, it } from 'vitest';
import { FAILURE_META_KEY, failureCategoryOf, failureResult, ToolFailure } from '../src/core/failure.js';

describe('failure category as data', () => {
  it('puts the category in _meta under the flux-mcp/failure key, the text unchanged', () => {
    const result = failureResult(new ToolFailure('rate_limited', 'slow down', { hint: 'Wait.' }), []);
    expect(FAILURE_META_KEY).toBe('flux-mcp/failure');
    expect(result._meta).toEqual({ 'flux-mcp/failure': { category: 'rate_limited' } });
    expect(result.content).toEqual([{ type: 'text', text: 'rate_limited: slow down\nWait.' }]);
    expect(failureCategoryOf(result)).toBe('rate_limited');
  });

  it('finds no category in the text alone, nor an unknown one in _meta', () => {
    const textOnly = { isError: true, content: [{ type: 'text' as const, text: 'auth: the key was refused' }] };
    expect(failureCategoryOf(textOnly)).toBeUndefined();
    expect(failureCategoryOf({ ...textOnly, _meta: { [FAILURE_META_KEY]: { category: 'nonsense' } } })).toBeUndefined();
    expect(failureCategoryOf({ ...textOnly, _meta: { [FAILURE_META_KEY]: 'auth' } })).toBeUndefined();
  });
});
