/**
 * Several images from one call (`count`): each a gateway request of its own with its own seed,
 * consecutive from the seed given (so a set can be made again), or random each when none was.
 * Models that take no seed get the same request several times.
 */
import type { ModelSpec } from '../catalog/models.js';
import { COUNT, RANDOM_SEED_MAX, SEED } from '../catalog/parameters.js';
import type { Variant } from './image-call.js';
import type { OutputPlan } from './output-plan.js';

export function variantsOf(plan: OutputPlan, count: number, givenSeed: number | undefined): Variant[] {
  return Array.from({ length: count }, (_, index) => {
    if (plan.seed === undefined) return { seed: undefined, parameters: plan.wire };
    const seed =
      index === 0
        ? plan.seed
        : givenSeed !== undefined
          ? givenSeed + index
          : Math.floor(Math.random() * (RANDOM_SEED_MAX + 1));
    return { seed, parameters: { ...plan.wire, seed } };
  });
}

/** What is wrong with `count` for this model (its cap, or seeds past the largest), or undefined. */
export function countProblem(model: ModelSpec, count: number, givenSeed: number | undefined): string | undefined {
  const cap = model.maxCount ?? COUNT.max;
  if (count > cap) {
    return (
      `count ${count} is more than ${model.id} makes in one call ` +
      `(at most ${cap}): use count ${cap}, or call again for more`
    );
  }
  if (givenSeed !== undefined && givenSeed + count - 1 > SEED.max) {
    return `seed ${givenSeed} with count ${count} would run past the largest seed ${SEED.max}: use a smaller seed`;
  }
  return undefined;
}
