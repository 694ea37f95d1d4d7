import type { Catalog } from '../../catalog/catalog.js';
import { importDicom, type DicomImportOptions } from '../../catalog/dicom/import-dicom.js';
import type { IndexCounts } from '../../catalog/indexer/catalog-writer.js';
import { indexProject, type IndexResult } from '../../catalog/indexer/index-project.js';
import type { Project } from '../../catalog/project-store.js';
import type { ProgressUpdate, OperationWork } from './operation-registry.js';

/** The index counts as progress fields. */
export function indexProgress(counts: Readonly<IndexCounts>): ProgressUpdate {
  return {
    phase: 'indexing',
    filesSeen: counts.filesAdded + counts.filesChanged + counts.filesUnchanged,
    filesAdded: counts.filesAdded,
    filesChanged: counts.filesChanged,
    filesRemoved: counts.filesRemoved,
    subjectsAdded: counts.subjectsAdded,
    studiesAdded: counts.studiesAdded,
  };
}

/** `Indexed 'x' in 1.20 s: 3 subjects and 5 studies added; files: 40 added, ...` (the CLI's words). */
export function indexSummary(r: IndexResult): string {
  const c = r.counts;
  return (
    `Indexed '${r.project}' in ${(r.durationMs / 1000).toFixed(2)} s: ${c.subjectsAdded} subjects and ` +
    `${c.studiesAdded} studies added; files: ${c.filesAdded} added, ${c.filesChanged} changed, ` +
    `${c.filesRemoved} marked missing, ${c.filesUnchanged} unchanged.`
  );
}

/** Indexing a project's tree (create and rescan): the indexer's counts as it writes them. */
export function indexWork(catalog: Catalog, project: Project): OperationWork {
  return async (report, signal) => {
    const result = await indexProject(catalog, project, {
      signal,
      onProgress: (counts) => report(indexProgress(counts)),
    });
    report(indexProgress(result.counts));
    return {
      summary: indexSummary(result),
      warnings: result.warnings.map((w) => `${w.path}: ${w.problem} (${w.detail})`),
    };
  };
}

/** A DICOM import: dcm2niix's files, the series placed, then the index of the touched subjects. */
export function importWork(
  catalog: Catalog,
  project: Project,
  source: string,
  options: Pick<DicomImportOptions, 'subject' | 'study'>,
): OperationWork {
  return async (report, signal) => {
    const result = await importDicom(catalog, project, source, {
      ...options,
      signal,
      onProgress: (p) => {
        if (p.phase === 'converting')
          report({ phase: p.phase, dicomFound: p.found, dicomConverted: p.converted });
        else if (p.phase === 'placing')
          report({ phase: p.phase, seriesPlaced: p.placed, seriesTotal: p.series });
        else report(indexProgress(p.counts));
      },
    });
    report({ ...indexProgress(result.index), seriesPlaced: result.series.length });
    const studies = new Set(result.series.map((s) => `${s.subject}#${s.study}`));
    return {
      summary:
        `Imported ${result.series.length} series into ${studies.size} studies of '${project.name}' ` +
        `(${[...studies].join(', ')}); ${result.index.filesAdded} files added to the catalog.` +
        (result.failed.length > 0 ? ` ${result.failed.length} series could not be placed.` : ''),
      warnings: [
        ...result.failed.map((f) => `series ${f.folder} was not imported: ${f.reason}`),
        ...result.warnings,
      ],
    };
  };
}
