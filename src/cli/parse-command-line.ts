import { parseArgs } from 'node:util';
import { invalidInput } from '../errors/cohort-error.js';
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec, type OptionValues } from './command-spec.js';

export interface ParsedCommandLine {
  readonly command: CommandSpec;
  readonly args: string[];
  readonly options: OptionValues;
}

/** Finds the command (longest name match) and parses its options and arguments strictly. */
export function parseCommandLine(
  commands: readonly CommandSpec[],
  argv: readonly string[],
): ParsedCommandLine | null {
  const words = argv.slice(0, 2);
  const command =
    commands.find((c) => c.name === words.join(' ')) ??
    commands.find((c) => c.name === words[0] && !c.name.includes(' '));
  if (command === undefined) return null;
  const rest = argv.slice(command.name.split(' ').length);
  const specs = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: attachDashValues(rest, specs),
      allowPositionals: true,
      strict: true,
      // Selector terms like `-mtime` are not options: `--` ends options explicitly when needed.
      options: Object.fromEntries(
        Object.entries(specs).map(([name, s]) => [
          name,
          {
            type: s.type === 'boolean' ? 'boolean' : 'string',
            ...(s.short === undefined ? {} : { short: s.short }),
            multiple: s.multiple === true,
          },
        ]),
      ),
    });
  } catch (error) {
    throw invalidInput(
      `${(error as Error).message.replace(/\. To specify.*$/s, '')} (command '${command.name}').`,
      `See \`cohort ${command.name} --help\`.`,
    );
  }
  const options = typedOptions(command, specs, parsed.values as Record<string, string | boolean | string[]>);
  if (options.help !== true) checkArgs(command, parsed.positionals);
  return { command, args: parsed.positionals, options };
}

/**
 * `--sort -updated`: a value that starts with one dash (a descending sort key, a negative number)
 * after a string option is that option's value, as the help examples write it; parseArgs alone would
 * refuse it as ambiguous. `--name --other` stays an error.
 */
function attachDashValues(
  words: readonly string[],
  specs: Readonly<Record<string, { readonly type: string }>>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '--') {
      out.push(...words.slice(i));
      break;
    }
    const next = words[i + 1];
    const long = /^--([^=]+)$/.exec(word)?.[1];
    if (long !== undefined && specs[long]?.type === 'string' && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${word}=${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
}

function checkArgs(command: CommandSpec, positionals: readonly string[]): void {
  const required = command.args.filter((a) => a.required === true).length;
  const variadic = command.args.some((a) => a.variadic === true);
  if (positionals.length < required) {
    const missing = command.args.filter((a) => a.required === true)[positionals.length];
    throw invalidInput(
      `Missing ${missing?.name ?? 'argument'} for '${command.name}'.`,
      `See \`cohort ${command.name} --help\`.`,
    );
  }
  if (!variadic && positionals.length > command.args.length) {
    throw invalidInput(
      `Too many arguments for '${command.name}': ${positionals.slice(command.args.length).join(' ')}.`,
      `Quote arguments that contain spaces. See \`cohort ${command.name} --help\`.`,
    );
  }
}

/** Option values as the spec says: integers parsed and checked, choices checked, defaults filled in. */
function typedOptions(
  command: CommandSpec,
  specs: Readonly<Record<string, OptionSpec>>,
  values: Readonly<Record<string, string | boolean | string[] | undefined>>,
): OptionValues {
  const out: Record<string, string | number | boolean | string[] | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    if (value === undefined) {
      if (spec.default !== undefined) out[name] = spec.default;
      continue;
    }
    const hint = `See \`cohort ${command.name} --help\`.`;
    if (spec.choices !== undefined && typeof value === 'string' && !spec.choices.includes(value)) {
      throw invalidInput(
        `Unknown value '${value}' for --${name}.`,
        `Use one of: ${spec.choices.join(', ')}.`,
      );
    }
    if (spec.type === 'integer' && typeof value === 'string') {
      const n = Number(value);
      const min = spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
        const range = [
          spec.min === undefined ? '' : ` of at least ${spec.min}`,
          spec.max === undefined ? '' : `${spec.min === undefined ? ' of' : ' and'} at most ${spec.max}`,
        ].join('');
        throw invalidInput(`--${name} must be a whole number${range} (got '${value}').`, hint);
      }
      out[name] = n;
      continue;
    }
    out[name] = value;
  }
  return out;
}
