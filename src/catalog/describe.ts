/**
 * Words about the catalog, for tool titles and descriptions, parameter descriptions, messages and
 * the README. All derived from the tables, so a model change shows up everywhere at once.
 */
import { formatBytes } from '../core/units.js';
import {
  canEdit,
  type EditingModel,
  FAMILIES,
  findModel,
  MODELS,
  type ModelSpec,
  type ParamName,
  PROVIDERS,
  type SizeRule,
  sendsAspectRatio,
} from './models.js';
import { DEFAULT_PIXELS, EXAMPLE_ASPECT_RATIOS, megapixels, roundMegapixels } from './sizes.js';

export function priceText(model: ModelSpec): string {
  return model.priceUsd === null ? 'billed by tokens' : `$${model.priceUsd}`;
}

/** "flux-2-pro — < 10 s, $0.03: production at scale, best value (default)" */
function modelLine(model: ModelSpec): string {
  return `${model.id} — ${model.speed}, ${priceText(model)}: ${model.bestFor}`;
}

/**
 * The model menu, once for every tool: one line per model with speed, price, what it is best for,
 * and which tool takes it when not both. "- flux-2-pro — < 10 s, $0.03: production at scale, best
 * value (default)"
 */
export function modelMenu(): string {
  return MODELS.map((m: ModelSpec) => `- ${modelLine(m)}${m.generates ? '' : ' (edit_images only)'}`).join('\n');
}

/** The catalog's models of the given ids, in their order; unknown ids are skipped. */
function modelsOf(modelIds: readonly string[]): ModelSpec[] {
  return modelIds.flatMap((id) => findModel(id) ?? []);
}

/** The editing models among the given ids. */
function editingOf(modelIds: readonly string[]): EditingModel[] {
  return modelsOf(modelIds).filter(canEdit);
}

/** Models grouped by a key, groups in the order their first model appears. */
function groupBy<M extends ModelSpec, K>(models: readonly M[], key: (model: M) => K): M[][] {
  const groups = new Map<K, M[]>();
  for (const model of models) {
    const k = key(model);
    groups.set(k, [...(groups.get(k) ?? []), model]);
  }
  return [...groups.values()];
}

const sameMembers = (a: readonly ModelSpec[], b: readonly ModelSpec[]): boolean =>
  a.length === b.length && a.every((m) => b.includes(m));

/** "flux-2-pro/max/flex" for ids that differ only after their last dash; else "a, b". */
export function compactIds(ids: readonly string[]): string {
  if (ids.length < 2) return ids.join('');
  let prefix = ids[0]!;
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  prefix = prefix.slice(0, prefix.lastIndexOf('-') + 1);
  const rests = ids.map((id) => id.slice(prefix.length));
  // Only when every id differs in its last part: "flux-pro/pro-1.1" would read as two models.
  if (prefix === '' || rests.some((rest) => rest === '' || rest.includes('-'))) return ids.join(', ');
  return `${prefix}${rests.join('/')}`;
}

interface Naming {
  readonly text: string;
  /** A single id, a provider or family name, or a list of ids. */
  readonly kind: 'id' | 'group' | 'ids';
}

function naming(models: readonly ModelSpec[], among: readonly ModelSpec[]): Naming {
  const first = models[0];
  if (!first) return { text: '', kind: 'ids' };
  if (models.length === 1) return { text: first.id, kind: 'id' };
  if (
    sameMembers(
      models,
      among.filter((m) => m.provider === first.provider),
    )
  )
    return { text: PROVIDERS[first.provider].modelsName, kind: 'group' };
  if (
    sameMembers(
      models,
      among.filter((m) => m.family === first.family),
    )
  )
    return { text: FAMILIES[first.family].shortName, kind: 'group' };
  return { text: compactIds(models.map((m) => m.id)), kind: 'ids' };
}

/**
 * How to name some models among others, in the fewest words: the one id; the provider's name for
 * all of its models ("FLUX"); a family's short name for all of that family ("Kontext"); else the
 * ids ("flux-2-pro/max"). With `noun`, a provider or family name reads "FLUX models".
 */
export function nameModels(
  models: readonly ModelSpec[],
  among: readonly ModelSpec[] = MODELS,
  { noun = false }: { noun?: boolean } = {},
): string {
  const { text, kind } = naming(models, among);
  return noun && kind === 'group' ? `${text} models` : text;
}

/** "FLUX and gpt-image-2": the models by provider. */
export function modelsByProvider(modelIds: readonly string[] = MODELS.map((m) => m.id), joiner = ' and '): string {
  const models = modelsOf(modelIds);
  return groupBy(models, (m) => m.provider)
    .map((group) => nameModels(group, models))
    .join(joiner);
}

/** "FLUX (Black Forest Labs) or gpt-image-2 (OpenAI)": the models by provider, each with its maker. */
export function modelsWithMakers(modelIds: readonly string[]): string {
  const models = modelsOf(modelIds);
  return groupBy(models, (m) => m.provider)
    .map((group) => `${nameModels(group, models)} (${PROVIDERS[group[0]!.provider].name})`)
    .join(' or ');
}

/** "FLUX.2 / Kontext / gpt-image-2": the models by family, for a title. */
export function modelsByFamily(modelIds: readonly string[]): string {
  const models = modelsOf(modelIds);
  return groupBy(models, (m) => m.family)
    .map((group) => nameModels(group, models))
    .join(' / ');
}

/** Which of the given models take a parameter, in the fewest words ("flux-2-flex only"). */
export function acceptedBy(param: ParamName, modelIds: readonly string[]): string {
  const models = modelsOf(modelIds);
  const taking = models.filter((m) => m.params.includes(param));
  if (taking.length === models.length) return '';
  const { text, kind } = naming(taking, models);
  if (kind === 'group') return `${text} models only`;
  return kind === 'id' ? `${text} only` : `only ${text}`;
}

/** "FLUX models": the models that take a parameter, named among all models. */
export function modelsTaking(param: ParamName): string {
  return nameModels(
    MODELS.filter((m) => (m.params as readonly ParamName[]).includes(param)),
    MODELS,
    { noun: true },
  );
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
  const models = modelsOf(modelIds);
  return groupBy(models, (m) => `${sizeRuleText(m.sizeRule)}|${m.sizeRule.defaultSize}`)
    .map((group) => {
      const rule = group[0]!.sizeRule;
      const name = nameModels(group, models);
      if (rule.presets) {
        const auto = rule.allowsAuto
          ? `"auto"${withDefaults && rule.defaultSize === 'auto' ? ' (default)' : ''}, `
          : '';
        return `${name}: ${auto}a preset (${rule.presets.join(', ')}) or custom with ${sizeRuleText(rule)}`;
      }
      const fallback = withDefaults ? `; default ${rule.defaultSize}` : '';
      return `${name}: ${sizeRuleText(rule)}${fallback}`;
    })
    .join('. ');
}

/** "jpeg (default) or png", "png (default), jpeg or webp" */
function formatsText(model: ModelSpec): string {
  const formats = [
    `${model.defaultOutputFormat} (default)`,
    ...model.outputFormats.filter((f) => f !== model.defaultOutputFormat),
  ];
  return formats.length === 1 ? formats[0]! : `${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}`;
}

/** "FLUX jpeg (default) or png; gpt-image-2 png (default), jpeg or webp" */
export function outputFormatsText(modelIds: readonly string[]): string {
  const models = modelsOf(modelIds);
  return groupBy(models, formatsText)
    .map((group) => `${nameModels(group, models)} ${formatsText(group[0]!)}`)
    .join('; ');
}

/**
 * What happens to `aspect_ratio`, by model: sent as is, or turned into a size of about 1 MP.
 * "…: FLUX models take it as is (default: the ratio of image 1); for gpt-image-2 the server picks
 * a size of about 1 MP."
 */
export function aspectRatioText(modelIds: readonly string[], mode: 'generate' | 'edit'): string {
  const models = modelsOf(modelIds);
  const intro = `"W:H" (${EXAMPLE_ASPECT_RATIOS.join(', ')}) instead of a size`;
  const about = `a size of about ${roundMegapixels(DEFAULT_PIXELS)}`;
  const sending = models.filter((m) => sendsAspectRatio(m, mode));
  const sized = models.filter((m) => !sendsAspectRatio(m, mode));
  if (sending.length === 0) return `${intro}; the server picks ${about}.`;
  const senders = naming(sending, models);
  const asIs =
    senders.kind === 'id'
      ? `${senders.text} takes it as is`
      : `${nameModels(sending, models, { noun: true })} take it as is`;
  const fromImageOne = mode === 'edit' && sending.every((m) => m.edits?.matchesImageOne) ? " (default: image 1's)" : '';
  const others = naming(sized, models);
  const rest =
    sized.length === 0
      ? ''
      : others.kind === 'id'
        ? `; ${others.text} gets ${about}`
        : `; ${others.kind === 'ids' ? 'the others' : nameModels(sized, models, { noun: true })} get ${about}`;
  return `${intro}: ${asIs}${fromImageOne}${rest}.`;
}

/** 'FLUX matches image 1; gpt-image-2 "auto"': the output size of an edit that gives none. */
export function editDefaultSizeText(modelIds: readonly string[]): string {
  const models = editingOf(modelIds);
  const said = (m: EditingModel): string =>
    m.edits.matchesImageOne ? 'matches image 1' : `"${m.sizeRule.defaultSize}"`;
  return groupBy(models, said)
    .map((group) => `${nameModels(group, models)} ${said(group[0]!)}`)
    .join('; ');
}

/** "8 (flux-2-pro/max/flex), 4 (flux-2-klein-9b/4b), 1 (Kontext), 16 (gpt-image-2)" */
export function referenceCapsText(modelIds: readonly string[]): string {
  const models = editingOf(modelIds);
  return groupBy(models, (m) => m.edits.maxReferences)
    .map((group) => `${group[0]!.edits.maxReferences} (${nameModels(group, models)})`)
    .join(', ');
}

/** "at least 64×64; FLUX ≤ 20 MB and ≤ 20 MP, gpt-image-2 ≤ 50 MB": the limits on reference images. */
export function inputLimitsText(modelIds: readonly string[]): string {
  const models = editingOf(modelIds);
  const minSides = [...new Set(models.map((m) => m.edits.inputRule.minSide))];
  const limits = groupBy(models, (m) => m.edits.inputRule).map((group) => {
    const rule = group[0]!.edits.inputRule;
    const pixels = ` and ≤ ${roundMegapixels(rule.maxPixels)}`;
    return `${nameModels(group, models)} ≤ ${formatBytes(rule.maxBytes)}${pixels}`;
  });
  const least = minSides.length === 1 ? `at least ${minSides[0]}×${minSides[0]}; ` : '';
  return `${least}${limits.join(', ')}`;
}

/** What normalization brings inputs to, per group of models that has a target: "FLUX", "4 MP", 16. */
export function normalizationTargets(
  modelIds: readonly string[],
): { readonly models: string; readonly maxPixels: string; readonly multipleOf: number }[] {
  const models = editingOf(modelIds);
  return groupBy(models, (m) => m.edits.inputRule.sendAs).flatMap((group) => {
    const target = group[0]!.edits.inputRule.sendAs;
    if (!target) return [];
    return [
      {
        models: nameModels(group, models),
        maxPixels: roundMegapixels(target.maxPixels),
        multipleOf: target.multipleOf,
      },
    ];
  });
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's short table: what each model does and costs. */
export function priceTableMarkdown(): string {
  const rows = MODELS.map((m) => {
    const does = [
      m.generates ? 'generate' : '',
      m.edits ? `edit (${m.edits.maxReferences} ref${m.edits.maxReferences === 1 ? '' : 's'})` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `| \`${m.id}\` | ${does} | ${priceText(m)} | ${cell(m.speed)} | ${cell(m.bestFor)} |`;
  });
  return ['| model | does | price / image | speed | best for |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** docs/tools.md's model table. */
export function modelTableMarkdown(): string {
  const rows = MODELS.map((m) => {
    const edits = m.edits ? `up to ${m.edits.maxReferences}` : '–';
    const formats = m.outputFormats.join(', ');
    const extras = m.params.filter((p) =>
      ['steps', 'guidance', 'quality', 'background', 'output_compression'].includes(p),
    );
    return (
      `| \`${m.id}\` | ${m.family} | ${m.generates ? 'yes' : '–'} | ${edits} | ` +
      `${cell(m.speed)} | ${priceText(m)} | ${formats} | ${extras.join(', ') || '–'} | ` +
      `${Math.round(m.timeoutMs / 1000)} s | ${cell(m.bestFor)} |`
    );
  });
  return [
    '| model | family | text-to-image | reference images | speed | price / image | ' +
      'output formats | extra parameters | timeout | best for |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
