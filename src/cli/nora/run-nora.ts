import { fileLocator } from '../../batches/file-locator.js';
import { openCatalog } from '../../catalog/catalog.js';
import { findProject } from '../../catalog/project-store.js';
import { findStudy } from '../../catalog/study-lookup.js';
import type { CohortConfig } from '../../config/resolve-config.js';
import { isCohortError } from '../../errors/cohort-error.js';
import { runCli } from '../run-cli.js';
import { EXIT, type CliStreams } from '../run-command.js';
import { translateNora, type NoraAction } from './translate-nora.js';

/**
 * `nora ARGS` (the `nora` command on a job's PATH, or `cohort nora ARGS`): runs a NORA backend command
 * line as the Cohort commands it maps to ({@link translateNora}), stopping at the first that fails.
 */
export async function runNora(
  argv: readonly string[],
  config: CohortConfig,
  env: Readonly<Record<string, string | undefined>>,
  io: CliStreams,
): Promise<number> {
  let actions: NoraAction[];
  try {
    actions = translateNora(argv, env);
  } catch (error) {
    if (!isCohortError(error)) throw error;
    io.err(`error: ${error.message}\n${error.hint === undefined ? '' : `  hint: ${error.hint}\n`}`);
    return EXIT.usage;
  }
  for (const action of actions) {
    const code =
      action.kind === 'cohort' ? await runCli(action.argv, config, io) : printOutput(action, config, env, io);
    if (code !== EXIT.ok) return code;
  }
  return EXIT.ok;
}

/** `-o/-pa PATTERN`: the absolute path an output of the job's study gets (BIDS: in derivatives). */
function printOutput(
  action: Extract<NoraAction, { kind: 'output' }>,
  config: CohortConfig,
  env: Readonly<Record<string, string | undefined>>,
  io: CliStreams,
): number {
  const catalog = openCatalog(config, { create: false });
  try {
    const project = findProject(catalog.db, config.jobProject ?? env.DPXproject);
    const study = findStudy(catalog.db, project, action.study);
    const folder = `${project.root}/${study.folder}`;
    const target = {
      kind: 'study',
      study: { ...study, studyId: study.id, ref: action.study, folder },
      label: action.study,
      folder,
    } as const;
    io.out(`${fileLocator(project).output(target, action.path.replace(/\/+$/, '')).absolute}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!isCohortError(error)) throw error;
    io.err(`error: ${error.message}\n${error.hint === undefined ? '' : `  hint: ${error.hint}\n`}`);
    return EXIT.failed;
  } finally {
    catalog.close();
  }
}
