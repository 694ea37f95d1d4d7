import { invalidInput } from '../../errors/cohort-error.js';

/** What one `nora` command line does in Cohort: CLI command lines to run, or an output path to print. */
export type NoraAction =
  | { readonly kind: 'cohort'; readonly argv: readonly string[] }
  | { readonly kind: 'output'; readonly path: string; readonly folder: boolean; readonly study: string };

/** The NORA options with no Cohort equivalent, and what to use instead. */
export const NORA_UNSUPPORTED: Readonly<Record<string, string>> = {
  '--exportmeta':
    'Cohort keeps no DICOM metadata fields; read values with `cohort files --json` (entities, tags)',
  '--sql': 'Cohort does not expose SQL; use `cohort select`, `cohort files` or the API',
  '--launch': 'run batches with `cohort run BATCH SELECTOR`',
  '--import': 'use `cohort import-dicom` or `cohort add FILE --study SUBJECT#STUDY`',
  '--createproject': 'use `cohort create NAME ROOT`',
  '--admin': 'use `cohort user`, `cohort queue` and the web admin pages',
  '--byfilename': '`cohort select --json` groups files by study only',
};

const TAG_SPLIT = /[,\s]+/;

/**
 * Maps a command line of NORA's backend CLI (as its manual documents it) onto Cohort, so NORA job
 * scripts run unchanged. `env` gives the job's `DPXproject` and `DPXpsid` (Cohort sets both in tasks).
 * The table of mappings is in the README (section "NORA scripts").
 *
 * Example: `translateNora(['-a', '/p/x.nii', '--addtag', 'mask'], {})` →
 * `[{ kind: 'cohort', argv: ['add', '/p/x.nii', '--tag', 'mask'] }]`.
 *
 * @throws CohortError INVALID_INPUT for an option Cohort has no equivalent of (naming what to use), an
 *   unknown option, or a missing value.
 */
export function translateNora(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): NoraAction[] {
  const words = [...argv];
  const project: string[] = [];
  let add: string[] | null = null;
  let addTags: string[] = [];
  let rmTags: string[] = [];
  let selector: string[] | null = null;
  let json = false;
  const files: string[] = [];
  const actions: NoraAction[] = [];
  const value = (option: string): string => {
    const next = words.shift();
    if (next === undefined || (next.startsWith('-') && next.length > 1)) {
      throw invalidInput(`nora ${option} needs a value.`, `Write nora ${option} VALUE.`);
    }
    return next;
  };
  while (words.length > 0) {
    const word = words.shift() ?? '';
    const unsupported = NORA_UNSUPPORTED[word];
    if (unsupported !== undefined) {
      throw invalidInput(`nora ${word} has no equivalent in Cohort.`, `Instead, ${unsupported}.`);
    }
    switch (word) {
      case '-p':
      case '--project':
        project.push('--project', value(word));
        break;
      case '-a':
      case '--add':
        add = [];
        while (words[0] !== undefined && !words[0].startsWith('-')) add.push(words.shift() ?? '');
        break;
      case '--addtag':
        addTags = value(word).split(TAG_SPLIT).filter(Boolean);
        break;
      case '--rmtag':
        rmTags = value(word).split(TAG_SPLIT).filter(Boolean);
        break;
      case '-s':
      case '--select':
        selector = value(word).split(/\s+/).filter(Boolean);
        break;
      case '--json':
        json = true;
        break;
      case '--addtag_study':
      case '--addtag_patient': {
        const tag = value(word);
        const who = value(word);
        const on = word === '--addtag_study' ? 'studies' : 'subjects';
        actions.push({ kind: 'cohort', argv: ['tag', 'add', tag, who, '--on', on] });
        break;
      }
      case '-o':
      case '--out':
      case '-pa':
      case '--pathout':
        actions.push({
          kind: 'output',
          path: value(word),
          folder: word === '-pa' || word === '--pathout',
          study: currentStudy(env, word),
        });
        break;
      default:
        if (word.startsWith('-')) {
          throw invalidInput(
            `nora ${word} is not an option Cohort knows.`,
            'Cohort maps -a/--add, --addtag, --rmtag, -s/--select, --json, --addtag_study, --addtag_patient, -o/--out, -pa/--pathout and -p (see the README, "NORA scripts").',
          );
        }
        files.push(word);
    }
  }
  const projectArgs = project.length > 0 ? project : env.DPXproject ? ['--project', env.DPXproject] : [];
  if (add !== null) {
    const tags = addTags.flatMap((t) => ['--tag', t]);
    actions.unshift({ kind: 'cohort', argv: ['add', ...add, ...files, ...tags, ...projectArgs] });
  } else if (addTags.length > 0 || rmTags.length > 0) {
    // `--addtag T -s SELECTOR [FILE...]`: the selector's files (a file list narrows them).
    const terms = [...(selector ?? []), ...files];
    if (terms.length === 0) {
      throw invalidInput(
        'nora --addtag/--rmtag needs -s SELECTOR (or files).',
        'Write nora --addtag T -s "$DPXpsid" "$f1".',
      );
    }
    if (addTags.length > 0)
      actions.unshift({
        kind: 'cohort',
        argv: ['tag', 'add', addTags.join(','), ...terms, '--on', 'files', ...projectArgs],
      });
    if (rmTags.length > 0)
      actions.push({
        kind: 'cohort',
        argv: ['tag', 'remove', rmTags.join(','), ...terms, '--on', 'files', ...projectArgs],
      });
  } else if (selector !== null) {
    actions.unshift({
      kind: 'cohort',
      argv: ['select', ...selector, ...files, ...(json ? ['--json'] : []), ...projectArgs],
    });
  }
  if (actions.length === 0) {
    throw invalidInput('nora was given nothing to do.', 'Write e.g. nora -a "$o1" --addtag mytag.');
  }
  return actions;
}

function currentStudy(env: Readonly<Record<string, string | undefined>>, option: string): string {
  const psid = env.DPXpsid ?? '';
  if (psid === '' || !psid.includes('#')) {
    throw invalidInput(
      `nora ${option} needs the job's study ($DPXpsid), which is set only in study-level jobs.`,
      'Use it inside a study-level job, or write the path yourself.',
    );
  }
  return psid;
}
