/**
 * Words about the catalog, for tool descriptions, parameter descriptions and the README. All
 * derived from the tables, so a model change shows up everywhere at once.
 */
import { FLUX_SIZE_RULE, getModel, MODELS, type ModelSpec, type ParamName, type SizeRule } from './models.js';
import { megapixels } from './sizes.js';

export function priceText(model: ModelSpec): string {
  return model.priceUsd === null ? 'billed by tokens' : `$${model.priceUsd}`;
}

/** "flux-2-pro — < 10 s, $0.03: production at scale, best value (default)" */
export function modelLine(model: ModelSpec): string {
  return `${model.id} — ${model.speed}, ${priceText(model)}: ${model.bestFor}`;
}

const isFlux = (model: ModelSpec): boolean => model.family !== 'OpenAI';

/** Which of the given models take a parameter, in the fewest words ("flux-2-flex only"). */
export function acceptedBy(param: ParamName, modelIds: readonly string[]): string {
  const models = modelIds.map((id) => getModel(id)!).filter(Boolean);
  const taking = models.filter((m) => m.params.includes(param));
  if (taking.length === models.length) return '';
  if (taking.length === 1) return `${taking[0]!.id} only`;
  const flux = models.filter(isFlux);
  if (taking.length === flux.length && taking.every(isFlux)) return 'FLUX models only';
  return `only ${taking.map((m) => m.id).join(', ')}`;
}

export function sizeRuleText(rule: SizeRule): string {
  const parts = [
    `sides multiples of ${rule.multipleOf}`,
    rule.minPixels === undefined ? `${rule.minSide}–${rule.maxSide} px` : `longest side ≤ ${rule.maxSide}`,
    rule.minPixels === undefined
      ? `at most ${megapixels(rule.maxPixels)}`
      : `${megapixels(rule.minPixels)}–${megapixels(rule.maxPixels)}`,
  ];
  if (rule.maxRatio !== undefined) parts.push(`ratio ≤ ${rule.maxRatio}:1`);
  return parts.join(', ');
}

/** The size rules of each distinct rule among the models, one clause each (with defaults for generation). */
export function sizeRulesText(modelIds: readonly string[], withDefaults = true): string {
  const models = modelIds.map((id) => getModel(id)!);
  const flux = models.filter(isFlux);
  const clauses: string[] = [];
  if (flux[0]) {
    const fallback = withDefaults ? `; default ${flux[0].sizeRule.defaultSize}` : '';
    clauses.push(`FLUX: ${sizeRuleText(flux[0].sizeRule)}, e.g. 1024x1024, 1536x1024, 1920x1080${fallback}`);
  }
  for (const model of models.filter((m) => !isFlux(m))) {
    const rule = model.sizeRule;
    clauses.push(
      `${model.id}: "auto"${withDefaults ? ' (default)' : ''}, a preset (${rule.presets?.join(', ')}) or custom with ${sizeRuleText(rule)}`,
    );
  }
  return clauses.join('. ');
}

/** One sentence on sizes for a tool description (the full rules are on the size argument). */
export function sizeSummary(modelIds: readonly string[]): string {
  const rule = FLUX_SIZE_RULE;
  const largest = Math.max(...modelIds.map((id) => getModel(id)!.sizeRule.maxSide));
  const beyond = largest > rule.maxSide ? `; gpt-image-2 goes up to ${largest} px` : '';
  return `FLUX sizes are multiples of ${rule.multipleOf}, ${rule.minSide}–${rule.maxSide} px per side, at most ${megapixels(rule.maxPixels)}${beyond}. See the size argument, or give aspect_ratio.`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's model table. */
export function modelTableMarkdown(): string {
  const rows = MODELS.map((m) => {
    const edits = m.edits ? `up to ${m.edits.maxReferences}` : '–';
    const formats = m.outputFormats.join(', ');
    const extras = m.params.filter((p) =>
      ['steps', 'guidance', 'quality', 'background', 'output_compression'].includes(p),
    );
    return `| \`${m.id}\` | ${m.family} | ${m.generates ? 'yes' : '–'} | ${edits} | ${cell(m.speed)} | ${priceText(m)} | ${formats} | ${extras.join(', ') || '–'} | ${Math.round(m.timeoutMs / 1000)} s | ${cell(m.bestFor)} |`;
  });
  return [
    '| model | family | text-to-image | reference images | speed | price / image | output formats | extra parameters | timeout | best for |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
