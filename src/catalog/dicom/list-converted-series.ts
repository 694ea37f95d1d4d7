import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One series folder written by dcm2niix (naming `DCM2NIIX_NAMING`), with what its sidecar says. */
export interface ConvertedSeries {
  /** Absolute path of the folder holding the series' files. */
  readonly dir: string;
  /** File names in that folder: NIfTI, JSON sidecars, .bval/.bvec. */
  readonly files: readonly string[];
  /** PatientID (from the sidecar, else dcm2niix's folder name); '' when the DICOM has none. */
  readonly patientId: string;
  /** Study date and time as dcm2niix writes it (`20100114121314`); '' when absent. */
  readonly studyTime: string;
  /** `<series number>_<series description>` (from the sidecar, else the folder name). */
  readonly seriesName: string;
  readonly seriesInstanceUid: string | undefined;
  readonly seriesDescription: string | undefined;
  readonly studyDescription: string | undefined;
}

export interface ConvertedOutput {
  readonly series: ConvertedSeries[];
  /** Paths (relative to the output folder) outside the expected naming, or unreadable sidecars. */
  readonly problems: string[];
}

/**
 * Reads what dcm2niix wrote into `outputDir` under the naming `P<id>/T<time>/S<series>/<files>`,
 * stripping the literal prefixes. Names prefer the JSON sidecar, whose text dcm2niix decodes from the
 * DICOM; the folder names are dcm2niix's ASCII-only version of the same values.
 */
export function listConvertedSeries(outputDir: string): ConvertedOutput {
  const out: ConvertedOutput = { series: [], problems: [] };
  for (const p of entries(outputDir)) {
    if (!p.isDirectory() || !p.name.startsWith('P')) {
      out.problems.push(p.name);
      continue;
    }
    for (const t of entries(join(outputDir, p.name))) {
      if (!t.isDirectory() || !t.name.startsWith('T')) {
        out.problems.push(`${p.name}/${t.name}`);
        continue;
      }
      for (const s of entries(join(outputDir, p.name, t.name))) {
        const rel = `${p.name}/${t.name}/${s.name}`;
        if (!s.isDirectory() || !s.name.startsWith('S')) {
          out.problems.push(rel);
          continue;
        }
        const dir = join(outputDir, rel);
        const files = entries(dir)
          .filter((f) => f.isFile())
          .map((f) => f.name)
          .sort();
        const sidecar = readSidecar(dir, files, rel, out.problems);
        const number = typeof sidecar.SeriesNumber === 'number' ? String(sidecar.SeriesNumber) : undefined;
        const description = text(sidecar.SeriesDescription);
        out.series.push({
          dir,
          files,
          patientId: text(sidecar.PatientID) ?? p.name.slice(1),
          studyTime: t.name.slice(1),
          seriesName:
            number !== undefined && description !== undefined ? `${number}_${description}` : s.name.slice(1),
          seriesInstanceUid: text(sidecar.SeriesInstanceUID),
          seriesDescription: description,
          studyDescription: text(sidecar.StudyDescription),
        });
      }
    }
  }
  return out;
}

function entries(dir: string) {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
}

/** The first JSON sidecar of a series as an object; all sidecars of one series share these fields. */
function readSidecar(
  dir: string,
  files: readonly string[],
  rel: string,
  problems: string[],
): Record<string, unknown> {
  const name = files.find((f) => f.endsWith('.json'));
  if (name === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    problems.push(`${rel}/${name} (unreadable JSON sidecar)`);
    return {};
  }
}

/** A non-empty, trimmed string field, with UTF-8 mis-read as Latin-1 repaired. */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = repairMojibake(value.trim());
  return trimmed === '' ? undefined : trimmed;
}

/**
 * dcm2niix reads DICOM strings as Latin-1 (the DICOM default) and writes them as UTF-8, so a DICOM in
 * UTF-8 (ISO_IR 192) comes out as `MÃ¼ller`. When the text, taken back to Latin-1 bytes, is valid UTF-8
 * with multi-byte characters, that reading is almost surely the intended one; real Latin-1 text
 * (`Müller` as F6) is not valid UTF-8 and stays as it is.
 */
function repairMojibake(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value) || /[\u0100-\uffff]/.test(value)) return value;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
