/**
 * Arguments (and values) agents often send that the gateway refuses or that no model has, with
 * what cannot be done, why, and what to do instead (gateway.md, "Parameters"). The tools' schemas
 * refuse them before any request; mcp/argument-messages.ts renders these facts as the reason.
 */
import { IMAGES_PER_CALL } from './gateway.js';
import { MODELS, type ModelId, type ProviderId } from './models.js';

export interface RefusedArgument {
  /** The argument as agents send it. */
  readonly argument: string;
  /** The one value refused; absent when the argument itself is refused. */
  readonly value?: string;
  /** The models the fact is about; `{models}` in `fact` names them. Absent for the gateway's own rules. */
  readonly models?: readonly ModelId[];
  /** What cannot be done: "{models} cannot make transparent backgrounds". */
  readonly fact: string;
  /** Why, as the gateway documents it. */
  readonly reason?: string;
  /** What to do instead. */
  readonly instead?: string;
}

const modelsOf = (provider: ProviderId): ModelId[] => MODELS.filter((m) => m.provider === provider).map((m) => m.id);

export const REFUSED_ARGUMENTS: readonly RefusedArgument[] = [
  {
    argument: 'n',
    fact: 'one image per call',
    reason: `the gateway takes n = ${IMAGES_PER_CALL} only`,
    instead: 'call the tool again for more images',
  },
  {
    argument: 'negative_prompt',
    models: modelsOf('bfl'),
    fact: '{models} has no negative prompt',
    instead: 'describe what you want instead',
  },
  {
    argument: 'input_fidelity',
    models: ['gpt-image-2'],
    fact: '{models} always works at high fidelity',
    reason: 'the gateway answers 400 to input_fidelity',
  },
  {
    argument: 'background',
    value: 'transparent',
    models: ['gpt-image-2'],
    fact: '{models} cannot make transparent backgrounds',
    reason: 'the gateway answers 400',
    instead: 'use "opaque" or "auto" and cut the background out afterwards',
  },
];

/** The refused values of an argument, for its description ("transparent"). */
export function refusedValuesText(argument: string): string {
  return REFUSED_ARGUMENTS.flatMap((r) => (r.argument === argument && r.value !== undefined ? [r.value] : [])).join(
    ', ',
  );
}
