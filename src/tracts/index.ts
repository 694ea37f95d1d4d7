/** The public surface of the tract module: formats, statistics, selection, maps and profiles. */
export * from './tractogram.js';
export * from './open-tracts.js';
export * from './length-stats.js';
export * from './sample-image.js';
export * from './track-map.js';
export * from './tract-profile.js';
export * from './selection-recipe.js';
export * from './select-streamlines.js';
export * from './tract-stats.js';
export * from './tract-actions.js';
export * from './tract-tsv.js';
export type { StreamOptions } from './tck-reader.js';
