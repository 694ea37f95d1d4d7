import { closeSync, openSync, writeSync } from 'node:fs';
import type { StreamlineBatch, VoxelSpace } from './tractogram.js';
import { formatTrkHeader, worldToVoxmm } from './trk-header.js';

type Named = { readonly name: string; readonly components: number };

/**
 * Writes a TrackVis `.trk` file (version 2, little endian) batch by batch: world points go back to
 * voxmm in `space`, `dpp` arrays become per-point scalars and `dps` arrays per-streamline properties
 * (at most 10 names each, as the format allows). The count is patched into the header on close.
 */
export class TrkWriter {
  private readonly fd: number;
  private readonly toVoxmm: Float64Array;
  private count = 0;

  constructor(
    readonly path: string,
    private readonly space: VoxelSpace,
    private readonly scalars: readonly Named[] = [],
    private readonly properties: readonly Named[] = [],
  ) {
    this.toVoxmm = worldToVoxmm(space);
    this.fd = openSync(path, 'w');
    writeSync(this.fd, formatTrkHeader(space, scalars, properties, 0));
  }

  write(batch: StreamlineBatch): void {
    const ns = this.scalars.reduce((n, s) => n + s.components, 0);
    const np = this.properties.reduce((n, s) => n + s.components, 0);
    const points = (batch.offsets[batch.count] ?? 0) - (batch.offsets[0] ?? 0);
    const out = Buffer.alloc(4 * (batch.count * (1 + np) + points * (3 + ns)));
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const [a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0] =
      this.toVoxmm;
    let o = 0;
    const f32 = (value: number): void => {
      view.setFloat32(o, value, true);
      o += 4;
    };
    for (let i = 0; i < batch.count; i++) {
      const first = batch.offsets[i] ?? 0;
      const last = batch.offsets[i + 1] ?? 0;
      view.setInt32(o, last - first, true);
      o += 4;
      for (let p = first; p < last; p++) {
        const x = batch.positions[3 * p] ?? 0;
        const y = batch.positions[3 * p + 1] ?? 0;
        const z = batch.positions[3 * p + 2] ?? 0;
        f32(a0 * x + a1 * y + a2 * z + a3);
        f32(a4 * x + a5 * y + a6 * z + a7);
        f32(a8 * x + a9 * y + a10 * z + a11);
        for (const { name, components } of this.scalars) {
          const data = batch.dpp[name]?.data;
          for (let c = 0; c < components; c++) f32(data?.[p * components + c] ?? 0);
        }
      }
      for (const { name, components } of this.properties) {
        const data = batch.dps[name]?.data;
        for (let c = 0; c < components; c++) f32(data?.[i * components + c] ?? 0);
      }
    }
    writeSync(this.fd, out);
    this.count += batch.count;
  }

  close(): number {
    const n = Buffer.alloc(4);
    n.writeInt32LE(this.count);
    writeSync(this.fd, n, 0, 4, 988);
    closeSync(this.fd);
    return this.count;
  }
}
