/**
 * The wire form of streamlines for the web viewer, written by the server (tract-display.ts) and read by
 * the browser (web/src/viewer): a little-endian uint32 header length, a JSON header, padding to 4 bytes,
 * then float32 positions (x, y, z per vertex, world mm), uint32 offsets (`count + 1`: streamline `i`
 * holds vertices `offsets[i]` to `offsets[i + 1] - 1`, as niivue's `offsetPt0`), and, when a scalar was
 * sampled, one float32 per vertex. niivue builds its tract mesh from these arrays directly, so none of
 * its file readers (whose TCK reader drops the first streamline) stands between the file and the screen.
 * Pure code without Node imports: the web app bundles it.
 */

/** Counts and statistics sent with a mesh. */
export interface TractMeshHeader {
  /** Streamlines in the file (or, for a selection, passing it). */
  readonly total: number;
  /** Vertices of those streamlines. */
  readonly totalVertices: number;
  /** Streamlines sent (every `stride`-th, so that `vertices` stays under the display limit). */
  readonly shown: number;
  readonly vertices: number;
  readonly stride: number;
  /** Range of the per-vertex scalar, when one was sampled. */
  readonly scalar: { readonly min: number; readonly max: number } | null;
  /** For a selection: streamlines of the whole file, mean length (mm) and mean scalar of the selected. */
  readonly selection?: {
    readonly fileTotal: number;
    readonly meanLength: number | null;
    readonly meanScalar: number | null;
    readonly ms: number;
  };
}

/** A decoded mesh. */
export interface TractMesh {
  readonly header: TractMeshHeader;
  readonly positions: Float32Array;
  readonly offsets: Uint32Array;
  readonly scalar: Float32Array | null;
}

/** Packs a mesh into one buffer. */
export function encodeTractMesh(mesh: TractMesh): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(mesh.header));
  const start = 4 + Math.ceil(json.length / 4) * 4;
  const parts = [mesh.positions, mesh.offsets, ...(mesh.scalar === null ? [] : [mesh.scalar])];
  const bytes = start + parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(bytes);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let at = start;
  for (const part of parts) {
    out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
    at += part.byteLength;
  }
  return out;
}

/**
 * Unpacks a buffer made by {@link encodeTractMesh}.
 *
 * @throws Error when the buffer is shorter than its header says (a cut download).
 */
export function decodeTractMesh(buffer: ArrayBuffer): TractMesh {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length))) as TractMeshHeader;
  const start = 4 + Math.ceil(length / 4) * 4;
  const need =
    start + 4 * (header.vertices * 3 + header.shown + 1 + (header.scalar === null ? 0 : header.vertices));
  if (buffer.byteLength < need) {
    throw new Error(`Tract mesh cut short: ${buffer.byteLength} of ${need} bytes.`);
  }
  const positions = new Float32Array(buffer, start, header.vertices * 3);
  const offsets = new Uint32Array(buffer, start + positions.byteLength, header.shown + 1);
  const scalar =
    header.scalar === null
      ? null
      : new Float32Array(buffer, start + positions.byteLength + offsets.byteLength, header.vertices);
  return { header, positions, offsets, scalar };
}
