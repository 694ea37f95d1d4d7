import type { DicomImportProgress } from '../../catalog/dicom/import-dicom.js';
import { formatDuration } from './format-progress.js';
import { formatIndexProgress } from './index-progress.js';

/**
 * `converting: 120 of 480 DICOM files · 60 files/s · 2s elapsed`, then `placing series: 3 of 9`, then
 * the indexer's line (cohort import-dicom on a terminal).
 */
export function formatImportProgress(progress: DicomImportProgress, elapsedMs: number): string {
  const elapsed = `${formatDuration(elapsedMs / 1000)} elapsed`;
  switch (progress.phase) {
    case 'converting': {
      const rate = elapsedMs > 0 ? Math.round(progress.converted / (elapsedMs / 1000)) : 0;
      const of = progress.found > 0 ? String(progress.found) : '?';
      return `converting: ${progress.converted} of ${of} DICOM files · ${rate} files/s · ${elapsed}`;
    }
    case 'placing':
      return `placing series: ${progress.placed} of ${progress.series} · ${elapsed}`;
    case 'indexing':
      return formatIndexProgress(progress.counts, elapsedMs);
  }
}
