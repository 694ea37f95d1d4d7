import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './command-spec.js';

/** The overview printed by `cohort` and `cohort --help`. */
export function overviewHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'cohort: run neuroimaging pipelines over whole cohorts.',
    '',
    'Usage: cohort COMMAND [ARGS] [OPTIONS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options for every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    "Run `cohort COMMAND --help` for a command's arguments and examples.",
  ].join('\n');
}

export function commandHelp(command: CommandSpec): string {
  const usage = command.args
    .map((a) => {
      const name = a.variadic === true ? `${a.name}...` : a.name;
      return a.required === true ? name : `[${name}]`;
    })
    .join(' ');
  const lines = [`Usage: cohort ${command.name} ${usage}`.trimEnd(), '', command.summary, ''];
  if (command.args.length > 0) {
    lines.push('Arguments:', ...command.args.map((a) => `  ${a.name.padEnd(16)}${a.description}`), '');
  }
  if (Object.keys(command.options).length > 0) lines.push('Options:', ...optionLines(command.options), '');
  lines.push('Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (command.examples !== undefined && command.examples.length > 0) {
    lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  }
  return lines.join('\n');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`;
    const notes = [
      spec.multiple === true ? 'repeatable' : undefined,
      spec.choices === undefined ? undefined : `one of: ${spec.choices.join(', ')}`,
      spec.default === undefined ? undefined : `default: ${String(spec.default)}`,
    ].filter((n) => n !== undefined);
    return `  ${flag.padEnd(28)}${spec.description}${notes.length === 0 ? '' : ` (${notes.join('; ')})`}`;
  });
}
