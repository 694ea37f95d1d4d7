import type { MosaicEntry } from './render-mosaic.js';
import type { ThumbnailOptions } from './thumbnail-options.js';

/** What the page's heading says about how it was made. */
export interface MosaicPageInfo {
  readonly project: string;
  readonly selector: string;
  readonly patterns: readonly string[];
  readonly overlay: readonly string[];
  readonly options: ThumbnailOptions;
  /** ISO time shown on the page. */
  readonly made: string;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A self-contained HTML page (thumbnails inlined as data: URIs, no script, no outside resource) that
 * can be mailed or put in a paper's supplement: a heading saying what was selected and how it is
 * drawn (including which side is the patient's left), then one captioned thumbnail per study.
 */
export function mosaicHtml(entries: readonly MosaicEntry[], info: MosaicPageInfo): string {
  const o = info.options;
  const side =
    o.axis === 'sagittal'
      ? 'anterior on the left'
      : o.orientation === 'neurological'
        ? "neurological: the patient's left on the left"
        : "radiological: the patient's right on the left";
  const figures = entries
    .map((e) => {
      const caption = `${escape(e.item.ref)}<br><small>${escape(e.item.image ?? '')}${
        e.item.tags.length > 0 ? ` · ${escape(e.item.tags.join(' '))}` : ''
      }</small>`;
      const body = e.ok
        ? `<img src="data:image/png;base64,${e.png.toString('base64')}" alt="${escape(e.item.ref)}">`
        : `<div class="missing">${escape(e.reason)}</div>`;
      return `<figure>${body}<figcaption>${caption}</figcaption></figure>`;
    })
    .join('\n');
  const failed = entries.filter((e) => !e.ok).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>QC mosaic: ${escape(info.project)}</title>
<style>
body{font:13px system-ui,sans-serif;background:#111;color:#ddd;margin:12px}
h1{font-size:16px}p{color:#aaa}
main{display:flex;flex-wrap:wrap;gap:8px}
figure{margin:0;text-align:center;background:#000;padding:4px}
figure img{display:block;margin:auto;image-rendering:pixelated}
.missing{width:${o.size}px;height:${o.size}px;display:flex;align-items:center;justify-content:center;color:#f88}
small{color:#999}
</style></head><body>
<h1>QC mosaic: project ${escape(info.project)}, ${entries.length} studies${failed > 0 ? `, ${failed} without a thumbnail` : ''}</h1>
<p>Selector <code>${escape(info.selector)}</code>; image <code>${escape(info.patterns.join(' | '))}</code>${
    info.overlay.length > 0 ? `; overlay <code>${escape(info.overlay.join(' | '))}</code>` : ''
  }; ${o.axis}, ${o.slices} slice(s), ${side}. Made ${escape(info.made)} by cohort qc mosaic.</p>
<main>
${figures}
</main>
</body></html>
`;
}
