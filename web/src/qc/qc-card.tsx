import type { KeyboardEvent } from 'react';
import { viewerHash } from '../viewer/viewer-url.js';
import { projectPath } from '../api/api-client.js';
import type { Orientation, QcItem, ThumbnailAxis } from '../api/api-types.js';
import { useApp } from '../app/app-context.js';
import { ROUTES } from '../app/use-hash-route.js';

/** How the thumbnails are drawn (the server's thumbnail options). */
export interface ThumbnailSettings {
  readonly axis: ThumbnailAxis;
  readonly slices: number;
  readonly orientation: Orientation;
  readonly size: number;
}

export interface QcCardProps {
  readonly project: string;
  readonly item: QcItem;
  readonly settings: ThumbnailSettings;
  /** An overlay pattern was given: a study without an overlay says so. */
  readonly overlayWanted: boolean;
  readonly focused: boolean;
  readonly qcTags: readonly string[];
  readonly onFocus: () => void;
}

/**
 * The viewer's address for a study: its image with the overlay over it (`#/viewer?project=P&file=...`,
 * the viewer's own address form, viewer/viewer-url.ts). Where this build has no viewer page, the
 * study's subject is shown in the subjects table instead.
 */
export function studyViewerHash(project: string, item: QcItem): string {
  return viewerHash(
    project,
    [item.image, item.overlay].filter((f): f is string => f !== null),
  );
}

const HAS_VIEWER = (ROUTES as readonly string[]).includes('viewer');

/** One study of the mosaic: its thumbnail (loaded lazily, as it scrolls near), name and QC tags. */
export function QcCard({ project, item, settings, overlayWanted, focused, qcTags, onFocus }: QcCardProps) {
  const { focusSubject } = useApp();
  const verdict = qcTags.find((t) => item.tags.includes(t));
  const open = (): void => {
    if (HAS_VIEWER) window.location.hash = studyViewerHash(project, item);
    else focusSubject(item.pid);
  };
  const src =
    item.image === null
      ? null
      : projectPath(
          project,
          `qc/thumbnail?${new URLSearchParams({
            path: item.image,
            ...(item.overlay === null ? {} : { overlay: item.overlay }),
            axis: settings.axis,
            slices: String(settings.slices),
            orientation: settings.orientation,
            size: String(settings.size),
          })}`,
        );
  return (
    <div
      className={`qc-card${verdict === undefined ? '' : ` qc-verdict-${qcTags.indexOf(verdict)}`}`}
      role="gridcell"
      tabIndex={focused ? 0 : -1}
      aria-selected={focused}
      aria-label={`${item.ref}${verdict === undefined ? '' : ` ${verdict}`}`}
      data-ref={item.ref}
      onFocus={onFocus}
      onKeyDown={(e: KeyboardEvent) => {
        if (e.key === 'Enter') open();
      }}
    >
      <a
        href={HAS_VIEWER ? studyViewerHash(project, item) : '#/subjects'}
        tabIndex={-1}
        onClick={(e) => {
          e.preventDefault();
          open();
        }}
        style={{ width: settings.size, height: settings.size }}
        className="qc-thumb"
      >
        {src === null ? (
          <span className="qc-missing">no matching image</span>
        ) : (
          <img src={src} alt={`${item.ref} ${item.image ?? ''}`} loading="lazy" decoding="async" />
        )}
      </a>
      <span className="qc-name" title={item.image ?? ''}>
        {item.ref}
      </span>
      <span className="qc-tags">
        {verdict ?? ''}
        {overlayWanted && item.overlay === null && item.image !== null ? ' (no overlay)' : ''}
      </span>
    </div>
  );
}
