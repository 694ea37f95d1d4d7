/** Decoding and encoding of the little-endian arrays a TRX container holds, float16 included. */

export const TRX_DTYPES = [
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
] as const;
export type TrxDtype = (typeof TRX_DTYPES)[number];

export function isTrxDtype(name: string): name is TrxDtype {
  return (TRX_DTYPES as readonly string[]).includes(name);
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes per value. */
export function dtypeSize(dtype: TrxDtype): number {
  return Number(/\d+$/.exec(dtype)?.[0] ?? 8) / 8;
}

/** Decodes `bytes` into numbers: float32 stays float32 (and float16, which it holds exactly), the rest float64. */
export function decodeArray(bytes: Uint8Array, dtype: TrxDtype): Float32Array | Float64Array {
  const size = dtypeSize(dtype);
  const n = Math.floor(bytes.length / size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'float32') {
    if (LITTLE_ENDIAN_HOST) return new Float32Array(bytes.slice(0, n * 4).buffer); // an aligned copy
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (dtype === 'float16') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    return out;
  }
  const out = new Float64Array(n);
  const get: (o: number) => number = {
    int8: (o: number) => view.getInt8(o),
    int16: (o: number) => view.getInt16(o, true),
    int32: (o: number) => view.getInt32(o, true),
    int64: (o: number) => Number(view.getBigInt64(o, true)),
    uint8: (o: number) => view.getUint8(o),
    uint16: (o: number) => view.getUint16(o, true),
    uint32: (o: number) => view.getUint32(o, true),
    uint64: (o: number) => Number(view.getBigUint64(o, true)),
    float64: (o: number) => view.getFloat64(o, true),
  }[dtype];
  for (let i = 0; i < n; i++) out[i] = get(i * size);
  return out;
}

/** Encodes numbers as `dtype` (integers rounded, float16 rounded to nearest even). */
export function encodeArray(values: ArrayLike<number>, dtype: TrxDtype): Uint8Array {
  const size = dtypeSize(dtype);
  if (dtype === 'float32' && LITTLE_ENDIAN_HOST) {
    return new Uint8Array(Float32Array.from(values).buffer); // one typed copy, not a call per value
  }
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    const o = i * size;
    switch (dtype) {
      case 'int8':
        view.setInt8(o, Math.round(v));
        break;
      case 'int16':
        view.setInt16(o, Math.round(v), true);
        break;
      case 'int32':
        view.setInt32(o, Math.round(v), true);
        break;
      case 'int64':
        view.setBigInt64(o, BigInt(Math.round(v)), true);
        break;
      case 'uint8':
        view.setUint8(o, Math.round(v));
        break;
      case 'uint16':
        view.setUint16(o, Math.round(v), true);
        break;
      case 'uint32':
        view.setUint32(o, Math.round(v), true);
        break;
      case 'uint64':
        view.setBigUint64(o, BigInt(Math.round(v)), true);
        break;
      case 'float16':
        view.setUint16(o, floatToHalf(v), true);
        break;
      case 'float32':
        view.setFloat32(o, v, true);
        break;
      case 'float64':
        view.setFloat64(o, v, true);
        break;
    }
  }
  return bytes;
}

/** IEEE 754 half (as its 16 bits) to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A number to IEEE 754 half bits, rounding to nearest even. */
export function floatToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= 65520) return sign | 0x7c00; // rounds to infinity
  if (a < 2 ** -24 / 2) return sign;
  let exponent = Math.floor(Math.log2(a));
  if (exponent < -14) {
    // Subnormal: multiples of 2^-24.
    return sign | roundEven(a / 2 ** -24);
  }
  if (2 ** exponent > a) exponent--; // log2 rounding guard
  let mantissa = roundEven((a / 2 ** exponent - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent++;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | mantissa;
}

function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
