import { importDicom } from '../../catalog/dicom/import-dicom.js';
import type { CommandSpec } from '../command-spec.js';
import { fireAutoRules } from './fire-auto-rules.js';
import { formatTable, visible } from '../format-table.js';
import { formatImportProgress } from '../progress/import-progress.js';
import { liveLine } from '../progress/index-progress.js';

export const importDicomCommand: CommandSpec = {
  name: 'import-dicom',
  createsCatalog: true,
  summary: 'Convert a folder of DICOM files with dcm2niix into <subject>/<study>/<series>/ and index them.',
  args: [
    { name: 'DICOM_DIR', description: 'Folder with DICOM files (searched recursively).', required: true },
  ],
  options: {
    subject: {
      type: 'string',
      value: 'ID',
      description: 'Subject id to use (required when the DICOMs carry no PatientID).',
    },
    study: { type: 'string', value: 'ID', description: 'Study id to use (default: study date and time).' },
    dcm2niix: {
      type: 'string',
      value: 'PATH',
      description: 'The dcm2niix program (default: dcm2niix on PATH).',
    },
  },
  examples: [
    'cohort import-dicom ~/incoming/scan-0042',
    'cohort import-dicom ./anon-export --subject P017 --study 20240312',
  ],
  async run(ctx) {
    const opt = (name: string): string | undefined => {
      const value = ctx.options[name];
      return typeof value === 'string' ? value : undefined;
    };
    const subject = opt('subject');
    const study = opt('study');
    const dcm2niixPath = opt('dcm2niix');
    // On a terminal: files converted, series placed, then the index (nothing in a pipe or with --json).
    const line = liveLine(ctx);
    const result = await importDicom(ctx.catalog(), ctx.project(), ctx.args[0] ?? '', {
      ...(subject === undefined ? {} : { subject }),
      ...(study === undefined ? {} : { study }),
      ...(dcm2niixPath === undefined ? {} : { dcm2niixPath }),
      ...(line === undefined
        ? {}
        : { onProgress: (p) => line.draw((elapsed) => formatImportProgress(p, elapsed)) }),
    }).finally(() => line?.stop());
    if (ctx.json) {
      ctx.printJson(result);
    } else {
      ctx.print(
        formatTable(
          ['STUDY', 'SERIES', 'FILES'],
          result.series.map((s) => [`${s.subject}#${s.study}`, s.series, s.files.join(' ')]),
        ),
      );
      ctx.print(`${result.index.filesAdded} file(s) added to the catalog.`);
      for (const w of result.warnings) ctx.warn(`warning: ${visible(w)}`);
    }
    fireAutoRules(ctx, 'import-dicom');
    for (const f of result.failed)
      ctx.warn(`error: series ${visible(f.folder)} was not imported: ${f.reason}`);
    return result.failed.length === 0 ? 0 : 1;
  },
};
