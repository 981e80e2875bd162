/**
 * A command's options, parsed and explained from one table: each entry is the parseArgs option
 * (type, short, multiple, default) with its placeholder and one line of help, so `<command> --help`
 * lists exactly what is parsed. Mistakes become a UsageError that names the option, suggests the
 * nearest one when the name looks like a typo, and points to the command's --help.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closest } from '../core/text.js';
import { SERVER_NAME } from '../core/version.js';

type ParseArgsOption = NonNullable<ParseArgsConfig['options']>[string];

export interface CliOption extends ParseArgsOption {
  /** What a string option's value looks like in the help: N, DIR, WxH… */
  readonly value?: string;
  /** One line: what the option does (its default, when it has one, is added). */
  readonly help: string;
}

type CliOptions = Readonly<Record<string, CliOption>>;

export interface CommandSpec<O extends CliOptions = CliOptions> {
  /** The word after the program name: generate, images… */
  readonly name: string;
  /** What follows the name in each usage line, e.g. `"prompt" [options]`. */
  readonly usage: readonly string[];
  /** What the command does, in a few words (the top-level help lists it). */
  readonly summary: string;
  /** Whether words that are not options are taken (a prompt, a job id). */
  readonly positionals: boolean;
  readonly options: O;
  /** Lines after the options: examples, notes. */
  readonly notes?: readonly string[];
}

const HELP_OPTION = { type: 'boolean', short: 'h', help: 'print this help and exit' } as const satisfies CliOption;

/** A command's table, with -h/--help added to every command. */
export function command<const O extends CliOptions>(
  spec: CommandSpec<O>,
): CommandSpec<O & { readonly help: typeof HELP_OPTION }> {
  return { ...spec, options: { ...spec.options, help: HELP_OPTION } };
}

/** A mistake in the command line: exit code 2, with the message and where to read the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--help` was given: the command prints its help and exits 0 instead of running. */
export class HelpRequest extends Error {
  override readonly name = 'HelpRequest';
  constructor(readonly spec: CommandSpec) {
    super(`${spec.name} --help`);
  }
}

const flagOf = (name: string, option: CliOption): string =>
  `${option.short ? `-${option.short}, ` : '    '}--${name}` +
  `${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;

/** `<command> --help`: the usage lines, what it does, and one line per option from the table. */
export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([name, option]) => [flagOf(name, option), option] as const);
  const width = Math.max(...flags.map(([flag]) => flag.length)) + 2;
  const lines = [
    ...spec.usage.map((usage, i) => `${i === 0 ? 'Usage: ' : '       '}${SERVER_NAME} ${spec.name} ${usage}`.trimEnd()),
    '',
    `${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.`,
    '',
    'Options:',
    ...flags.map(([flag, option]) => {
      const shown = option.default === undefined ? '' : ` (default ${String(option.default)})`;
      return `  ${flag.padEnd(width)}${option.help}${shown}`;
    }),
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** "unknown option --sead; did you mean --seed?" and the like, for each mistake in the options. */
function optionProblems(spec: CommandSpec, argv: readonly string[]): string[] {
  const { tokens = [] } = parseArgs({
    args: [...argv],
    options: spec.options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) throw new HelpRequest(spec);
  const names = Object.keys(spec.options);
  const problems: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (!spec.positionals) problems.push(`${spec.name} takes no arguments besides its options, not "${token.value}"`);
      continue;
    }
    if (token.kind !== 'option') continue;
    const option = spec.options[token.name];
    if (option === undefined) {
      // A long option is matched whole; a short one is a single letter, too short to guess from.
      const guess = token.rawName.startsWith('--') ? closest(token.name, names) : undefined;
      problems.push(`unknown option ${token.rawName}${guess ? `; did you mean --${guess}?` : ''}`);
    } else if (option.type === 'string' && token.value === undefined) {
      problems.push(`option --${token.name} needs a value: --${token.name} ${option.value ?? 'VALUE'}`);
    } else if (option.type === 'boolean' && token.inlineValue) {
      problems.push(`option --${token.name} takes no value: give --${token.name} alone`);
    }
  }
  return problems;
}

/** The parsed options and words; throws UsageError for a mistake, HelpRequest for --help. */
export function parseCommand<const O extends CliOptions>(spec: CommandSpec<O>, argv: readonly string[]) {
  const problems = optionProblems(spec, argv);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  try {
    return parseArgs({ args: [...argv], options: spec.options, allowPositionals: spec.positionals, strict: true });
  } catch (error) {
    // What the checks above do not word themselves (a value that starts with a dash): Node's own text.
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}
