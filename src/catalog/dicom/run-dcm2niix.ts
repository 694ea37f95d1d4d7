import { spawn } from 'node:child_process';
import { CohortError } from '../../errors/cohort-error.js';

/**
 * dcm2niix's output naming, relative to the output folder: patient id / study date+time / series
 * number_description / series number_description (+ dcm2niix's own suffixes such as `_e2`, `_ph`).
 * The literal P, T and S prefixes keep every path level present: dcm2niix drops a level whose value is
 * empty (no PatientID), which would shift the study into the subject's place.
 */
export const DCM2NIIX_NAMING = 'P%i/T%t/S%s_%d/%s_%d';

export interface Dcm2niixOptions {
  /** The dcm2niix executable; a bare name is looked up on the PATH. */
  readonly binary: string;
  /** Absolute path of the folder holding the DICOM files (searched 5 levels deep). */
  readonly sourceDir: string;
  /** Absolute path of an existing, empty folder for the results. */
  readonly outputDir: string;
  readonly signal?: AbortSignal | undefined;
  /**
   * Called as dcm2niix reports: the DICOM files it found (once, before converting), then after each
   * series the files converted so far.
   */
  readonly onProgress?: ((progress: Dcm2niixProgress) => void) | undefined;
}

/** How far a dcm2niix run is, from its own output lines (`Found N DICOM`, `Convert N DICOM as`). */
export interface Dcm2niixProgress {
  /** DICOM files found in the folder; 0 until dcm2niix has listed them. */
  readonly found: number;
  /** DICOM files in the series converted so far. */
  readonly converted: number;
}

export interface Dcm2niixRun {
  /** dcm2niix's lines that are neither its banner nor routine progress. */
  readonly warnings: readonly string[];
  /** The last lines of its output, for error messages. */
  readonly tail: readonly string[];
}

// After SIGTERM dcm2niix stops at once; SIGKILL only covers a process stuck in I/O.
const KILL_GRACE_MS = 2_000;
// Enough for the warnings of thousands of series, yet bounded if a broken archive makes it chatter.
const MAX_OUTPUT_CHARS = 2_000_000;
const TAIL_LINES = 15;
const MAX_WARNINGS = 200;
// -g i: ignore the user's ~/.dcm2nii.ini; -b y -ba n: JSON sidecars with the patient fields; -z y: .nii.gz.
const FIXED_ARGS = ['-g', 'i', '-b', 'y', '-ba', 'n', '-z', 'y', '-f', DCM2NIIX_NAMING];
const FOUND_LINE = /^Found (\d+) DICOM/;
const CONVERT_LINE = /^Convert (\d+) DICOM as /;
const ROUTINE_LINES = [
  /^Chris Rorden's dcm2niiX/,
  /^Defaults ignored/,
  /^Found \d+ DICOM/,
  /^Convert \d+ DICOM as /,
  /^Conversion required /,
  /^Compression will be faster with /,
  /^Philips Scaling Values /,
];

/**
 * Runs dcm2niix once over a folder, with an argument array (no shell: any character in a path is safe)
 * and its user defaults file ignored (`-g i`) so results do not depend on the machine. Options: BIDS
 * JSON sidecars that keep the patient fields (`-b y -ba n`), gzipped NIfTI (`-z y`), naming
 * {@link DCM2NIIX_NAMING}.
 *
 * Throws TOOL_MISSING when the executable is not found, TOOL_FAILED on a non-zero exit, and the
 * signal's reason when aborted (after dcm2niix has exited, so the caller may delete its output).
 */
export function runDcm2niix(options: Dcm2niixOptions): Promise<Dcm2niixRun> {
  const { binary, sourceDir, outputDir, signal, onProgress } = options;
  const args = [...FIXED_ARGS, '-o', outputDir, sourceDir];
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const progress = { found: 0, converted: 0 };
    let partial = '';
    const collect = (chunk: string): void => {
      output += chunk;
      if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS / 2);
    };
    // dcm2niix reports on stdout; its lines are split by chunk boundaries, so the last part waits.
    const follow = (chunk: string): void => {
      if (onProgress === undefined) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const found = FOUND_LINE.exec(line);
        const converted = CONVERT_LINE.exec(line);
        if (found !== null) progress.found = Number(found[1]);
        else if (converted !== null) progress.converted += Number(converted[1]);
        else continue;
        onProgress({ ...progress });
      }
    };
    // Decoded per stream, so a character split between two chunks stays whole.
    child.stdout.setEncoding('utf8').on('data', collect).on('data', follow);
    child.stderr.setEncoding('utf8').on('data', collect);

    let killTimer: NodeJS.Timeout | undefined;
    const abort = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    signal?.addEventListener('abort', abort, { once: true });
    let settled = false;
    const finish = (error: unknown, run?: Dcm2niixRun): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      clearTimeout(killTimer);
      if (run !== undefined) resolve(run);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        finish(
          new CohortError('TOOL_MISSING', `dcm2niix was not found (${binary}).`, {
            hint:
              'Install it (Debian/Ubuntu: `apt-get install dcm2niix`, or run scripts/install-test-deps.sh), ' +
              'or give the path of the executable with the dcm2niix path option.',
            context: { binary },
            cause: error,
          }),
        );
      } else {
        finish(
          new CohortError('TOOL_FAILED', `dcm2niix (${binary}) could not be started: ${error.message}.`, {
            hint: 'Check that the file is an executable this user may run.',
            context: { binary },
            cause: error,
          }),
        );
      }
    });
    child.on('close', (code, killedBy) => {
      const lines = output
        .split(/\r?\n/)
        .map((l) => l.trimEnd())
        .filter((l) => l !== '');
      const tail = lines.slice(-TAIL_LINES);
      if (signal?.aborted === true) {
        finish(signal.reason instanceof Error ? signal.reason : new Error('DICOM import aborted'));
      } else if (code !== 0) {
        const how =
          code === null ? `was killed by ${killedBy ?? 'a signal'}` : `failed with exit code ${code}`;
        finish(
          new CohortError('TOOL_FAILED', `dcm2niix ${how} on ${sourceDir}:\n${tail.join('\n')}`, {
            hint:
              code === 2
                ? 'dcm2niix found no DICOM images there: check the folder (it searches 5 levels deep).'
                : 'See dcm2niix’s output above; try it by hand on the same folder.',
            context: { binary, sourceDir, exitCode: code, signal: killedBy },
          }),
        );
      } else {
        const warnings = lines.filter((l) => !ROUTINE_LINES.some((r) => r.test(l)));
        const shown =
          warnings.length > MAX_WARNINGS
            ? [...warnings.slice(0, MAX_WARNINGS), `... ${warnings.length - MAX_WARNINGS} more lines`]
            : warnings;
        finish(undefined, { warnings: shown, tail });
      }
    });
  });
}
