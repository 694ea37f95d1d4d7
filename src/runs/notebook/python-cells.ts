import { shellQuote } from '../../executors/index.js';
import { pythonValue, substituteTokens } from '../../jobs/python-command.js';
import type { LanguageCells, NotebookSource } from './build-notebook.js';
import { SCRIPT_MARKER } from './nbformat.js';

/**
 * The cells of a Python-kernel notebook: for Python jobs, for BASH jobs (their script in a `%%bash`
 * cell, which inherits the kernel's environment, where the setup cell puts every value) and for
 * library jobs (their command in a `%%bash` cell).
 */
export function pythonCells(source: NotebookSource): LanguageCells {
  const { provenance, bound, cohortEnv } = source;
  const { job } = provenance;
  const names = bound.map((arg) => arg.name);
  const files = bound.filter((arg) => arg.type === 'FILE').map((arg) => arg.name);
  const commandEnv = Object.fromEntries(
    Object.entries(provenance.env).filter(([k]) => !k.startsWith('COHORT_') && !names.includes(k)),
  );
  const setup = [
    "# Setup (tagged `parameters`): the task's resolved values. Edit them to try other data.",
    ...(job.environment === undefined
      ? []
      : [
          "# The job's environment line; it ran before this kernel started, so what it set up is here:",
          `cohort_environment = ${pythonLiteral(job.environment)}`,
        ]),
    'import os as _cohort_os',
    ...bound.map((arg) => `${arg.name} = ${pythonLiteral(pythonValue(arg))}`),
    `cohort_args = {${names.map((n) => `${pythonLiteral(n)}: ${n}`).join(', ')}}`,
    '# What the in-job CLI (`cohort add`) reads: project, item, study, task.',
    `_cohort_os.environ.update(${pythonDict(cohortEnv)})`,
    ...(Object.keys(commandEnv).length === 0 ? [] : [`_cohort_os.environ.update(${pythonDict(commandEnv)})`]),
    '',
    '# Every value also as an environment variable, as a BASH job sees it (f1, f1_count, f1_1...).',
    'def _cohort_export(values, files):',
    '    for name, value in values.items():',
    '        if name in files:',
    '            paths = [] if value is None else [value] if isinstance(value, str) else list(value)',
    '            _cohort_os.environ[name] = " ".join(paths)',
    '            _cohort_os.environ[name + "_count"] = str(len(paths))',
    '            for i, path in enumerate(paths, 1):',
    '                _cohort_os.environ[f"{name}_{i}"] = path',
    '        elif isinstance(value, bool):',
    '            _cohort_os.environ[name] = "true" if value else "false"',
    '        else:',
    '            _cohort_os.environ[name] = str(value)',
    '',
    `_cohort_export(cohort_args, {${files.map(pythonLiteral).join(', ')}})`,
    ...outputFolderLines(source),
  ].join('\n');
  return { setup, job: jobCell(source, names, files), register: registerCell(source) };
}

function jobCell(source: NotebookSource, names: readonly string[], files: readonly string[]): string {
  const { job, argv, cwd } = source.provenance;
  if (job.language === 'python') {
    return [`# ${SCRIPT_MARKER}`, substituteTokens(job.script ?? '', names)].join('\n');
  }
  if (job.language === 'bash') {
    // The arrays a BASH job gets from its preamble (bash-command.ts): "${f1_all[@]}".
    const arrays = files.map(
      (f) =>
        `${f}_all=(); for ((cohort_i = 1; cohort_i <= ${f}_count; cohort_i++)); do ` +
        `cohort_v="${f}_$cohort_i"; ${f}_all+=("\${!cohort_v}"); done`,
    );
    return ['%%bash', ...arrays, `# ${SCRIPT_MARKER}`, job.script ?? ''].join('\n');
  }
  // A library job: its command as the task ran it, every word quoted for the shell.
  return [
    '%%bash',
    `# The library job '${job.library ?? ''}' as its task runs it (not saved back: edit the library job).`,
    `cd ${shellQuote(cwd)}`,
    argv.map(shellQuote).join(' '),
  ].join('\n');
}

// The folders the engine makes before a task: each OUT's parent, each PATHOUT itself.
function outputFolderLines(source: NotebookSource): string[] {
  const lines = source.bound.flatMap((arg) => {
    if (arg.type === 'OUT')
      return [`_cohort_os.makedirs(_cohort_os.path.dirname(${arg.name}), exist_ok=True)`];
    return arg.type === 'PATHOUT' ? [`_cohort_os.makedirs(${arg.name}, exist_ok=True)`] : [];
  });
  return lines.length === 0
    ? []
    : ['# The output folders, made as the task makes them before it starts.', ...lines];
}

function registerCell(source: NotebookSource): string {
  const { job, tagOnSuccess, studyRef } = source.provenance;
  const outputs = job.args.flatMap((arg) =>
    arg.type === 'OUT' || arg.type === 'PATHOUT'
      ? [
          `_cohort_add(${arg.name}, ${pythonLiteral(arg.tags ?? [])}, ${arg.type === 'PATHOUT' ? 'True' : 'False'})`,
        ]
      : [],
  );
  return [
    "# Registers the outputs in the catalog with their tags through the in-job CLI, as the task's end does.",
    'import subprocess as _cohort_subprocess',
    '',
    'def _cohort_add(path, tags, folder):',
    '    files = [_cohort_os.path.join(d, n) for d, _, ns in _cohort_os.walk(path) for n in sorted(ns)] if folder else [path]',
    '    if not _cohort_os.path.exists(path):',
    '        raise FileNotFoundError(f"the job ended without writing {path}")',
    '    if files:',
    '        _cohort_subprocess.run(["cohort", "add", *files, *[w for t in tags for w in ("--tag", t)]], check=True)',
    '',
    ...(outputs.length === 0 ? ['# (the job declares no outputs)'] : outputs),
    ...(tagOnSuccess === undefined || studyRef === undefined
      ? []
      : [
          `_cohort_subprocess.run(["cohort", "tag", "add", ${pythonLiteral(tagOnSuccess)}, ${pythonLiteral(studyRef)}], check=True)`,
        ]),
  ].join('\n');
}

/**
 * A JSON-compatible value as a Python literal. JSON string literals are valid Python string
 * literals (the same escapes), so values go in as data; `null` is None, booleans True/False.
 */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'float("nan")';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  return pythonDict(value as Record<string, unknown>);
}

function pythonDict(record: Readonly<Record<string, unknown>>): string {
  return `{${Object.entries(record)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`)
    .join(', ')}}`;
}
