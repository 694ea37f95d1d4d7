import { closeSync, openSync, writeSync } from 'node:fs';
import { formatTckHeader } from './tck-header.js';
import type { StreamlineBatch } from './tractogram.js';

/**
 * Writes a `.tck` file batch by batch (little endian, float32 unless `float64`): a NaN triplet after
 * each streamline, an Inf triplet at the end, and the final count patched into the header on close.
 */
export class TckWriter {
  private readonly fd: number;
  private readonly header: Buffer;
  private count = 0;

  constructor(
    readonly path: string,
    properties: Readonly<Record<string, string>> = {},
    private readonly float64 = false,
  ) {
    this.header = formatTckHeader(properties, 0, float64);
    this.fd = openSync(path, 'w');
    writeSync(this.fd, this.header);
  }

  /** Appends the streamlines of a batch. */
  write(batch: StreamlineBatch): void {
    const points = (batch.offsets[batch.count] ?? 0) - (batch.offsets[0] ?? 0);
    const out = this.float64
      ? new Float64Array((points + batch.count) * 3)
      : new Float32Array((points + batch.count) * 3);
    let at = 0;
    for (let i = 0; i < batch.count; i++) {
      const from = (batch.offsets[i] ?? 0) * 3;
      const to = (batch.offsets[i + 1] ?? 0) * 3;
      out.set(batch.positions.subarray(from, to), at);
      at += to - from;
      out.fill(NaN, at, at + 3);
      at += 3;
    }
    writeSync(this.fd, littleEndianBytes(out));
    this.count += batch.count;
  }

  /** Writes the end marker and the count; returns the number of streamlines written. */
  close(): number {
    const end = this.float64 ? new Float64Array(3).fill(Infinity) : new Float32Array(3).fill(Infinity);
    writeSync(this.fd, littleEndianBytes(end));
    const text = this.header.toString('latin1');
    const at = text.indexOf('count: ') + 'count: '.length;
    writeSync(this.fd, Buffer.from(String(this.count).padStart(10, '0'), 'latin1'), 0, 10, at);
    closeSync(this.fd);
    return this.count;
  }
}

/** The bytes of a typed array in little-endian order (a view on little-endian hosts, a copy otherwise). */
export function littleEndianBytes(values: Float32Array | Float64Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes;
  const copy = new Uint8Array(bytes.length);
  const size = values.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) copy[i + j] = bytes[i + size - 1 - j] ?? 0;
  }
  return copy;
}
