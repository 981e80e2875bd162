/**
 * Schema failures in words an agent can act on: the field, the value it sent, the rule, and the
 * nearest valid value where there is one ("seed -1 is below the minimum of 0: use 0").
 */
import type { z } from 'zod';
import { nameModels } from '../catalog/describe.js';
import { modelSpec } from '../catalog/models.js';
import { REFUSED_ARGUMENTS, type RefusedArgument } from '../catalog/refused-arguments.js';
import { closest, show, showName } from '../core/text.js';

/** "{fact} ({reason}): {instead}", with the models named. */
function refusalText(refusal: RefusedArgument): string {
  const models = refusal.models?.map(modelSpec) ?? [];
  const fact = refusal.fact.replace('{models}', nameModels(models));
  return `${fact}${refusal.reason ? ` (${refusal.reason})` : ''}${refusal.instead ? `: ${refusal.instead}` : ''}`;
}

/** Arguments agents often invent, with what to do instead: the gateway's refusals, and the server's own. */
const UNKNOWN_ARGUMENT_HINTS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    REFUSED_ARGUMENTS.filter((r) => r.value === undefined).map((r) => [r.argument, refusalText(r)]),
  ),
  response_format: 'results are always saved to disk and returned as a path',
};

/** Values agents often try, keyed "argument=value", with what to do instead. */
const VALUE_HINTS: ReadonlyMap<string, string> = new Map(
  REFUSED_ARGUMENTS.flatMap((r) => (r.value === undefined ? [] : [[`${r.argument}=${r.value}`, refusalText(r)]])),
);

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Unknown arguments described one by one; the rest are counted. */
const MAX_UNKNOWN_KEYS_DESCRIBED = 10;

const EXPECTED: Readonly<Record<string, string>> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function describeIssue(issue: z.core.$ZodIssue, input: unknown, allowedKeys: readonly string[]): string {
  const field = issue.path.map(String).join('.') || 'arguments';
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return `${field} is required`;
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const got = typeof value === 'string' ? `the string ${show(value)}` : show(value);
      return `${field} must be ${expected}, not ${got}`;
    }
    case 'too_small': {
      if (issue.origin === 'string') {
        return Number(issue.minimum) <= 1
          ? `${field} must not be empty`
          : `${field} must be at least ${issue.minimum} characters`;
      }
      if (issue.origin === 'array') return `${field} needs at least ${issue.minimum} item(s)`;
      return `${field} ${show(value)} is below the minimum of ${issue.minimum}: use ${issue.minimum}`;
    }
    case 'too_big': {
      if (issue.origin === 'string') {
        const length = typeof value === 'string' ? `${value.length} characters` : 'too long';
        return `${field} is ${length}, over the limit of ${issue.maximum}`;
      }
      if (issue.origin === 'array') return `${field} takes at most ${issue.maximum} item(s)`;
      return `${field} ${show(value)} is above the maximum of ${issue.maximum}: use ${issue.maximum}`;
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const hint = typeof value === 'string' ? VALUE_HINTS.get(`${field}=${value}`) : undefined;
      if (hint) return `${field} ${show(value)} is not accepted: ${hint}`;
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return `${field} ${show(value)} is not one of ${allowed.join(', ')}${guess ? `: did you mean "${guess}"?` : ''}`;
    }
    case 'unrecognized_keys': {
      // Each is compared with every argument name: a bounded number, however many were sent.
      const listed = issue.keys.slice(0, MAX_UNKNOWN_KEYS_DESCRIBED);
      const more = issue.keys.length - listed.length;
      const lines = listed.map((key) => {
        const hint = Object.hasOwn(UNKNOWN_ARGUMENT_HINTS, key) ? UNKNOWN_ARGUMENT_HINTS[key] : undefined;
        if (hint) return `${key} is not an argument of this tool: ${hint}`;
        const guess = closest(key, allowedKeys);
        return (
          `${showName(key)} is not an argument of this tool${guess ? `: did you mean ${guess}?` : ''} ` +
          `(it takes ${allowedKeys.join(', ')})`
        );
      });
      if (more > 0) lines.push(`and ${more} more arguments this tool does not take`);
      return lines.join('\n');
    }
    default:
      return issue.path.length > 0 ? `${field}: ${issue.message}` : issue.message;
  }
}

/** One sentence per problem, in the order of the schema's fields. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  allowedKeys: readonly string[],
): string[] {
  return issues.flatMap((issue) => describeIssue(issue, input, allowedKeys).split('\n'));
}
