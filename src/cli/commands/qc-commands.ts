import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CohortError, invalidInput } from '../../errors/cohort-error.js';
import { mosaicHtml } from '../../qc/mosaic-html.js';
import { qcItems } from '../../qc/qc-items.js';
import { renderMosaic } from '../../qc/render-mosaic.js';
import { ThumbnailPool } from '../../qc/thumbnail-pool.js';
import { ORIENTATIONS, THUMBNAIL_AXES, thumbnailOptions } from '../../qc/thumbnail-options.js';
import { parseSelector } from '../../selection/parse-selector.js';
import { selectStudies } from '../../selection/run-selector.js';
import type { CommandSpec } from '../command-spec.js';

/** `cohort qc mosaic`: the web page's QC mosaic as one HTML file or a folder of PNGs. */
export const qcMosaicCommand: CommandSpec = {
  name: 'qc mosaic',
  summary:
    'Thumbnails of one image per selected study, as a self-contained HTML page (-o) or PNG files (--png-dir).',
  args: [
    {
      name: 'SELECTOR',
      description: "Selector picking the studies, one argument (e.g. '*', 'stag:baseline P00*').",
      required: true,
    },
    {
      name: 'PATTERN',
      description: 'File pattern of the image; several are tried in order per study.',
      required: true,
      variadic: true,
    },
  ],
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: 'Write the HTML page here.' },
    'png-dir': { type: 'string', value: 'DIR', description: 'Write one PNG per study here (PID_SID.png).' },
    overlay: {
      type: 'string',
      multiple: true,
      value: 'PATTERN',
      description: 'Overlay (mask, labels) pattern; repeat to try several in order.',
    },
    axis: { type: 'string', choices: THUMBNAIL_AXES, default: 'axial', description: 'Slice plane.' },
    slices: {
      type: 'integer',
      min: 1,
      max: 16,
      default: 1,
      description: 'Slices per study (a small mosaic).',
    },
    size: {
      type: 'integer',
      min: 8,
      max: 1024,
      default: 160,
      description: 'Pixels on the longer side of a slice.',
    },
    orientation: {
      type: 'string',
      choices: ORIENTATIONS,
      default: 'neurological',
      description: "neurological (patient's left on the left) or radiological (right on the left).",
    },
  },
  examples: [
    "cohort qc mosaic '*' 't1*/*.nii*' 'T1*/*.nii*' -o qc.html",
    "cohort qc mosaic 'stag:baseline' 't1*/*.nii' --overlay 'masks/brain*.nii*' --slices 3 -o masks.html",
    "cohort qc mosaic 'notstag:qc_ok' 'T1w*/*.nii.gz' --axis coronal --png-dir qc-png",
  ],
  async run(ctx) {
    const [selectorText = '', ...patterns] = ctx.args;
    const output = typeof ctx.options.output === 'string' ? ctx.options.output : undefined;
    const pngDir = typeof ctx.options['png-dir'] === 'string' ? ctx.options['png-dir'] : undefined;
    if (output === undefined && pngDir === undefined) {
      throw invalidInput('Say where the mosaic goes.', 'Give -o page.html, --png-dir DIR, or both.');
    }
    const overlay = Array.isArray(ctx.options.overlay) ? ctx.options.overlay : [];
    const options = thumbnailOptions({
      axis: ctx.options.axis as (typeof THUMBNAIL_AXES)[number],
      slices: ctx.options.slices as number,
      size: ctx.options.size as number,
      orientation: ctx.options.orientation as (typeof ORIENTATIONS)[number],
    });
    const pool = new ThumbnailPool(join(ctx.config.home, 'cache', 'thumbnails'));
    pool.warmUp(); // the threads load their code while the studies are selected
    const project = ctx.project();
    let entries;
    try {
      const db = ctx.catalog().db;
      const studies = selectStudies(db, project, parseSelector(selectorText)).studies;
      if (studies.length === 0) ctx.warn(`No study matched ${selectorText} in project '${project.name}'.`);
      const items = qcItems(db, project, studies, { image: patterns, overlay });
      if (pngDir !== undefined) write(() => mkdirSync(pngDir, { recursive: true }));
      // Each PNG is written as it arrives, while the threads draw the next ones.
      entries = await renderMosaic(project, items, options, pool, (e) => {
        if (pngDir !== undefined && e.ok)
          write(() => writeFileSync(join(pngDir, `${e.item.pid}_${e.item.sid}.png`), e.png));
      });
    } finally {
      await pool.close();
    }
    for (const e of entries) if (!e.ok) ctx.warn(`${e.item.ref}: ${e.reason}`);
    write(() => {
      if (output !== undefined) {
        const info = {
          project: project.name,
          selector: selectorText,
          patterns,
          overlay,
          options,
          made: new Date().toISOString(),
        };
        writeFileSync(output, mosaicHtml(entries, info));
      }
    });
    const drawn = entries.filter((e) => e.ok).length;
    if (ctx.json)
      ctx.printJson(
        entries.map((e) => ({
          ref: e.item.ref,
          image: e.item.image,
          ok: e.ok,
          ...(e.ok ? {} : { reason: e.reason }),
        })),
      );
    else
      ctx.print(
        `${drawn} of ${entries.length} studies drawn${output === undefined ? '' : ` into ${output}`}${pngDir === undefined ? '' : ` as PNGs in ${pngDir}`}.`,
      );
    return drawn === entries.length ? 0 : 1;
  },
};

function write(action: () => void): void {
  try {
    action();
  } catch (error) {
    throw new CohortError('FILESYSTEM', `Cannot write the mosaic: ${(error as Error).message}`, {
      hint: 'Check that the output folder exists and is writable.',
      cause: error,
    });
  }
}
