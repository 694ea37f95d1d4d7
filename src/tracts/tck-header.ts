import { closeSync, openSync, readSync } from 'node:fs';
import { badTractFile } from './tract-errors.js';

/** The parsed text header of an MRtrix `.tck` file. */
export interface TckHeader {
  /** Every `key: value` field but `file` and `datatype`; a key given on several lines joins them with `\n`. */
  readonly properties: Record<string, string>;
  /** Byte offset of the first point. */
  readonly dataOffset: number;
  readonly float64: boolean;
  readonly littleEndian: boolean;
  /** The `count` field, or undefined when absent. */
  readonly count: number | undefined;
}

/** Largest header read: real ones are a few kB; a larger one means a wrong or corrupt file. */
export const MAX_TCK_HEADER = 1 << 20;
const MAGIC = 'mrtrix tracks';

/** Reads and parses the header of the `.tck` file at `path`. */
export function readTckHeader(path: string): TckHeader {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(65536, MAX_TCK_HEADER - total + 1));
      const n = readSync(fd, chunk, 0, chunk.length, total);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      const text = Buffer.concat(chunks).toString('latin1');
      if (/\nEND\r?\n/.test(text)) return parseTckHeader(text, path);
      if (total > MAX_TCK_HEADER) {
        throw badTractFile(path, `no END line in the first ${MAX_TCK_HEADER} bytes of the header`);
      }
    }
    return parseTckHeader(Buffer.concat(chunks).toString('latin1'), path);
  } finally {
    closeSync(fd);
  }
}

/** Parses a header given as text (the file's first bytes, up to at least its END line). */
export function parseTckHeader(text: string, path: string): TckHeader {
  if (!text.startsWith(MAGIC)) {
    throw badTractFile(path, `it does not start with '${MAGIC}' (not an MRtrix .tck file)`);
  }
  const end = text.search(/\nEND\r?\n/);
  if (end < 0) throw badTractFile(path, 'the header has no END line (truncated header)');
  const properties: Record<string, string> = {};
  let file: string | undefined;
  let datatype: string | undefined;
  for (const line of text.slice(MAGIC.length, end).split('\n')) {
    const trimmed = line.replace(/\r$/, '');
    if (trimmed.trim() === '') continue;
    const colon = trimmed.indexOf(':');
    if (colon < 0) throw badTractFile(path, `header line '${trimmed.slice(0, 60)}' has no 'key: value'`);
    const key = trimmed.slice(0, colon).trim();
    const value = trimmed.slice(colon + 1).trim();
    if (key === 'file') file = value;
    else if (key === 'datatype') datatype = value;
    else properties[key] = key in properties ? `${properties[key]}\n${value}` : value;
  }
  const match = /^\.\s+(\d+)$/.exec(file ?? '');
  if (match === null) {
    throw badTractFile(
      path,
      `its 'file' field is '${file ?? ''}', expected '. OFFSET' (data in the same file)`,
    );
  }
  const dataOffset = Number(match[1]);
  if (dataOffset < end + 5)
    throw badTractFile(path, `its data offset ${dataOffset} points inside the header`);
  const types: Record<string, [boolean, boolean]> = {
    Float32LE: [false, true],
    Float32BE: [false, false],
    Float64LE: [true, true],
    Float64BE: [true, false],
  };
  const type = types[datatype ?? ''];
  if (type === undefined) {
    throw badTractFile(path, `datatype '${datatype ?? ''}' is not one of ${Object.keys(types).join(', ')}`);
  }
  const countText = properties['count'];
  const count = countText === undefined ? undefined : Number(countText);
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    throw badTractFile(path, `its count '${countText}' is not a whole number`);
  }
  return { properties, dataOffset, float64: type[0], littleEndian: type[1], count };
}

/** The header text of a `.tck` file with these properties (count last-but-one, padded so it can be patched). */
export function formatTckHeader(
  properties: Readonly<Record<string, string>>,
  count: number,
  float64 = false,
): Buffer {
  const lines = [MAGIC];
  for (const [key, value] of Object.entries(properties)) {
    if (['count', 'file', 'datatype', 'total_count'].includes(key)) continue;
    for (const part of value.split('\n')) lines.push(`${key.replace(/[:\n]/g, '_')}: ${part}`);
  }
  lines.push(`datatype: ${float64 ? 'Float64LE' : 'Float32LE'}`);
  lines.push(`count: ${String(count).padStart(10, '0')}`);
  // The offset depends on its own length: take the length with the widest offset, then pad.
  const base = `${lines.join('\n')}\nfile: . `;
  let offset = base.length + 'XXXXXXXXXX\nEND\n'.length;
  offset += (4 - (offset % 4)) % 4;
  const text = `${base}${offset}\nEND\n`;
  const bytes = Buffer.alloc(offset);
  bytes.write(text, 'latin1');
  return bytes;
}
