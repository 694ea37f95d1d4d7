import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateSync } from 'fflate';
import { badTractFile, fileError } from './tract-errors.js';

/** One file of a zip archive: where its data lie, so a stored (uncompressed) entry can be read in place. */
export interface ZipEntry {
  readonly name: string;
  /** 0: stored, 8: deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the entry's data (after its local header) in the file. */
  readonly dataOffset: number;
}

const MAX = 0xffffffff;

/**
 * Lists the entries of a zip file from its central directory (zip64 included) without reading their
 * data: TRX files hold hundreds of megabytes of positions that are better read in place, chunk by chunk.
 */
export function readZipEntries(path: string): ZipEntry[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number): DataView => {
      const bytes = new Uint8Array(length);
      const n = readSync(fd, bytes, 0, length, offset);
      if (n < length)
        throw badTractFile(path, 'its zip structure points past the end of the file (truncated)');
      return new DataView(bytes.buffer);
    };
    const tailLength = Math.min(size, 65557);
    const tail = read(size - tailLength, tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.getUint32(i, true) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0)
      throw badTractFile(path, 'it is not a zip archive, or a truncated one (no end of central directory)');
    let entries = tail.getUint16(eocd + 10, true);
    let cdSize = tail.getUint32(eocd + 12, true);
    let cdOffset = tail.getUint32(eocd + 16, true);
    if (cdOffset === MAX || entries === 0xffff) {
      const locator = size - tailLength + eocd - 20;
      const l = read(locator, 20);
      if (l.getUint32(0, true) !== 0x07064b50) throw badTractFile(path, 'its zip64 locator is missing');
      const z = read(Number(l.getBigUint64(8, true)), 56);
      entries = Number(z.getBigUint64(32, true));
      cdSize = Number(z.getBigUint64(40, true));
      cdOffset = Number(z.getBigUint64(48, true));
    }
    if (cdOffset + cdSize > size)
      throw badTractFile(path, 'its zip central directory lies past the end (truncated)');
    const cd = read(cdOffset, cdSize);
    const out: ZipEntry[] = [];
    let o = 0;
    for (let e = 0; e < entries; e++) {
      if (cd.getUint32(o, true) !== 0x02014b50)
        throw badTractFile(path, 'its zip central directory is corrupt');
      const method = cd.getUint16(o + 10, true);
      let compressedSize = cd.getUint32(o + 20, true);
      let uncompressed = cd.getUint32(o + 24, true);
      const nameLength = cd.getUint16(o + 28, true);
      const extraLength = cd.getUint16(o + 30, true);
      const commentLength = cd.getUint16(o + 32, true);
      let local = cd.getUint32(o + 42, true);
      const name = Buffer.from(cd.buffer, o + 46, nameLength).toString('utf8');
      // Zip64 extra field: 8-byte values for the fields that read 0xFFFFFFFF, in this order.
      for (let x = o + 46 + nameLength; x < o + 46 + nameLength + extraLength;) {
        const id = cd.getUint16(x, true);
        const length = cd.getUint16(x + 2, true);
        if (id === 1) {
          let at = x + 4;
          const next = (): number => {
            const v = Number(cd.getBigUint64(at, true));
            at += 8;
            return v;
          };
          if (uncompressed === MAX) uncompressed = next();
          if (compressedSize === MAX) compressedSize = next();
          if (local === MAX) local = next();
        }
        x += 4 + length;
      }
      const header = read(local, 30);
      if (header.getUint32(0, true) !== 0x04034b50)
        throw badTractFile(path, `its zip entry ${name} is corrupt`);
      const dataOffset = local + 30 + header.getUint16(26, true) + header.getUint16(28, true);
      out.push({ name, method, compressedSize, size: uncompressed, dataOffset });
      o += 46 + nameLength + extraLength + commentLength;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `length` bytes of an entry's uncompressed data from `start` into a fresh (aligned) buffer:
 * in place for stored entries, through inflate (the whole entry) for deflated ones.
 */
export function readZipEntry(
  path: string,
  entry: ZipEntry,
  start = 0,
  length = entry.size - start,
): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    if (entry.method === 0) {
      const out = new Uint8Array(length);
      if (readSync(fd, out, 0, length, entry.dataOffset + start) < length) {
        throw badTractFile(path, `its zip entry ${entry.name} is truncated`);
      }
      return out;
    }
    if (entry.method !== 8)
      throw badTractFile(path, `its zip entry ${entry.name} uses compression method ${entry.method}`);
    const packed = new Uint8Array(entry.compressedSize);
    readSync(fd, packed, 0, packed.length, entry.dataOffset);
    return inflateSync(packed).slice(start, start + length);
  } finally {
    closeSync(fd);
  }
}
