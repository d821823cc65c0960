/**
 * A small command-line parser shared by the CLIs: `--name value`,
 * `--name=value` and boolean `--flag`; unknown options are errors.
 */

/** One option: its kind, default and help line. */
export interface OptionSpec {
  kind: 'string' | 'int' | 'number' | 'flag';
  help: string;
  default?: string | number | boolean;
  /** Allowed values for a string option. */
  choices?: readonly string[];
}

export type ParsedArgs = Record<string, string | number | boolean | undefined> & { _: string[] };

/** Help text for a command. */
export function usage(command: string, summary: string, specs: Record<string, OptionSpec>, positional = ''): string {
  const lines = Object.entries(specs).map(([name, s]) => {
    const left = `  --${name}${s.kind === 'flag' ? '' : s.kind === 'string' ? ' VALUE' : ' N'}`;
    const def = s.default !== undefined ? ` (default: ${String(s.default)})` : '';
    const choices = s.choices ? ` [${s.choices.join('|')}]` : '';
    return `${left.padEnd(26)} ${s.help}${choices}${def}`;
  });
  return `Usage: ${command} [options]${positional ? ' ' + positional : ''}\n\n${summary}\n\nOptions:\n${lines.join('\n')}\n  --help                     show this help\n`;
}

/**
 * Parses argv against specs.
 * @throws Error for an unknown option, a missing or malformed value, or a value outside `choices`.
 */
export function parseArgs(argv: readonly string[], specs: Record<string, OptionSpec>): ParsedArgs & { help: boolean } {
  const out = { _: [] as string[], help: false } as ParsedArgs & { help: boolean };
  for (const [k, s] of Object.entries(specs)) if (s.default !== undefined) out[k] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      out._.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (spec === undefined) throw new Error(`Unknown option --${name} (see --help)`);
    if (spec.kind === 'flag') {
      if (eq > 0) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new Error(`Option --${name} is a flag; expected true or false but received '${v}'`);
        out[name] = v === 'true';
      } else {
        out[name] = true;
      }
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new Error(`Option --${name} needs a value (see --help)`);
      value = argv[++i];
    }
    if (spec.kind === 'string') {
      if (spec.choices && !spec.choices.includes(value)) throw new Error(`Option --${name} must be one of ${spec.choices.join(', ')}; received '${value}'`);
      out[name] = value;
    } else {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) {
        throw new Error(`Option --${name} expects ${spec.kind === 'int' ? 'an integer' : 'a number'} but received '${value}'`);
      }
      out[name] = n;
    }
  }
  return out;
}
