/**
 * The command line of the three CLIs: Node's `util.parseArgs` (strict) for
 * the syntax, the schema's fields for the values, and `--help` generated from
 * the same table.
 */
import { parseArgs } from 'node:util';
import { flagName, parseField, type ConfigOf, type Schema } from './fields.js';

/** What {@link parseCommandLine} returns. */
export interface CommandLine<C> {
  /** Every setting: given values, defaults for the rest. */
  config: C;
  /** The settings given on the command line. */
  given: Set<keyof C & string>;
  /** Arguments that are not options. */
  positionals: string[];
  /** `--help` or `-h` was given. */
  help: boolean;
}

/** A command-line mistake (the CLIs print it and exit with 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `argv` against `schema`: `--name value`, `--name=value`, boolean
 * `--flag`, `--help`/`-h`; a negative number may follow its option
 * (`--warmup-steps -5`).
 * @throws UsageError for an unknown option, a missing value, a value given to
 *   a flag, or positionals where none are taken; TypeError/RangeError for a
 *   value the field does not accept (the message names `--flag`).
 */
export function parseCommandLine<S extends Schema>(argv: readonly string[], schema: S, opts: { positionals?: boolean } = {}): CommandLine<ConfigOf<S>> {
  const byFlag = new Map(Object.entries(schema).map(([k, f]) => [flagName(k), { key: k, field: f }]));
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, { field }] of byFlag) options[name] = { type: field.kind === 'flag' ? 'boolean' : 'string' };
  // `--lr -1` is a value, not an option: join it as `--lr=-1` so the field reports the range.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i].startsWith('--') ? byFlag.get(argv[i].slice(2)) : undefined;
    if (f !== undefined && f.field.kind !== 'flag' && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) {
      args.push(`${argv[i]}=${argv[++i]}`);
    } else {
      args.push(argv[i]);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: opts.positionals ?? false });
  } catch (e) {
    throw usageError(e as Error & { code?: string });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const config: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [name, { key, field }] of byFlag) {
    const v = values[name];
    if (v === undefined) {
      config[key] = field.default;
      continue;
    }
    given.add(key);
    config[key] = typeof v === 'boolean' ? v : parseField(field, v, `--${name}`);
  }
  return { config: config as ConfigOf<S>, given: given as Set<keyof ConfigOf<S> & string>, positionals: parsed.positionals, help: values.help === true };
}

/** parseArgs' errors in this project's words. */
function usageError(e: Error & { code?: string }): Error {
  const option = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`Unknown option ${option} (see --help)`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${/'([^']*)'/.exec(e.message)?.[1] ?? ''}' (see --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(e.message)) return new UsageError(`Option ${option} takes no value (see --help)`);
      return new UsageError(`Option ${option} needs a value (see --help)`);
    default:
      return e;
  }
}

/**
 * The --help text: usage line, summary, one line per field with its choices
 * and default, then `--help`.
 */
export function usage(command: string, summary: string, schema: Schema, positional = ''): string {
  const lines = Object.entries(schema).map(([key, f]) => {
    const value = f.kind === 'flag' ? '' : ` ${f.valueName ?? (f.kind === 'string' ? 'VALUE' : 'N')}`;
    const left = `  --${flagName(key)}${value}`;
    const def = f.defaultText ?? (f.default !== undefined ? String(f.default) : undefined);
    const choices = f.choices ? ` [${f.choices.join('|')}]` : '';
    return `${left.padEnd(26)} ${f.help}${choices}${def !== undefined ? ` (default: ${def})` : ''}`;
  });
  return `Usage: ${command} [options]${positional ? ` ${positional}` : ''}\n\n${summary}\n\nOptions:\n${lines.join('\n')}\n  --help                     show this help\n`;
}
