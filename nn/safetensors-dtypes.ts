/**
 * Element codecs for safetensors' dtypes (browser-safe: typed arrays and DataView only).
 *
 * Reading: F32 and F64 load as they are; F16 and BF16 widen exactly to float32 (every half and
 * bfloat16 value is a float32 value); the integer dtypes and BOOL load into float64, which holds
 * every I8..I32/U8..U32 value exactly and I64/U64 up to 2^53 (larger values are rejected: no
 * counter or index in a model file comes close, and a silently rounded integer is worse than an
 * error).
 *
 * Writing: F32, F64, F16 and BF16 round to nearest, ties to even (IEEE 754's default, what
 * PyTorch's `.half()` / `.bfloat16()` do), overflowing to ±Infinity, NaN staying NaN; I64 takes
 * integer values only.
 */

/** The dtypes the format defines. */
export const SAFETENSORS_DTYPES = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"] as const;
/** A safetensors dtype name. @example const d: SafetensorsDType = "F16" */
export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

/** Bytes per element of the dtypes ndgrad reads and writes (the F8 ones it rejects). */
export const ELEMENT_BYTES: Partial<Record<SafetensorsDType, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** The float dtypes `saveWeights` can store float tensors in. */
export type StorageDType = "float16" | "bfloat16" | "float32" | "float64";
export const STORAGE_DTYPES: Record<StorageDType, SafetensorsDType> = { float16: "F16", bfloat16: "BF16", float32: "F32", float64: "F64" };

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_53 = 2n ** 53n;

/**
 * Decodes `count` little-endian elements of `dtype` starting at `bytes[0]`. Float dtypes give a
 * Float32Array (F64: Float64Array); integer dtypes and BOOL give a Float64Array. Throws
 * `safetensors: ...` (naming `name`) on values ndgrad cannot hold exactly.
 * @example decodeElements(new Uint8Array([0, 60]), "F16", 1, "w") // Float32Array [1]
 */
export function decodeElements(bytes: Uint8Array, dtype: SafetensorsDType, count: number, name: string): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32": {
      const out = new Float32Array(count);
      // Byte copy: the source may not be 4-byte aligned for a typed-array view.
      if (LITTLE_ENDIAN_HOST) new Uint8Array(out.buffer).set(bytes.subarray(0, 4 * count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case "F64": {
      const out = new Float64Array(count);
      if (LITTLE_ENDIAN_HOST) new Uint8Array(out.buffer).set(bytes.subarray(0, 8 * count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case "F16": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
      return out;
    }
    case "BF16": {
      // bfloat16 is the top half of a float32: shift the bits up, NaN payloads included.
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    default:
      return decodeIntegers(view, dtype, count, name);
  }
}

function decodeIntegers(view: DataView, dtype: SafetensorsDType, count: number, name: string): Float64Array {
  const out = new Float64Array(count);
  switch (dtype) {
    case "BOOL":
      for (let i = 0; i < count; i++) {
        const b = view.getUint8(i);
        if (b > 1) throw new Error(`safetensors: tensor "${name}" is BOOL but byte ${i} of its data is ${b} (a bool byte must be 0 or 1)`);
        out[i] = b;
      }
      return out;
    case "U8":
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      return out;
    case "I8":
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return out;
    case "I16":
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true);
      return out;
    case "U16":
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, true);
      return out;
    case "I32":
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    case "U32":
      for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, true);
      return out;
    case "I64":
    case "U64":
      for (let i = 0; i < count; i++) {
        const v = dtype === "I64" ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true);
        if (v > TWO_53 || v < -TWO_53) {
          throw new Error(`safetensors: tensor "${name}" element ${i} is ${v}, beyond the ±2^53 that ndgrad holds exactly (${dtype} loads into float64)`);
        }
        out[i] = Number(v);
      }
      return out;
    default:
      throw new Error(
        `safetensors: tensor "${name}" has dtype ${dtype}, which ndgrad cannot load (it reads F16, BF16, F32, F64, I64, U64, I32, U32, I16, U16, I8, U8 and BOOL)`,
      );
  }
}

/**
 * Encodes `values` as little-endian `dtype` elements into `out` at byte `pos` (F16/BF16 round to
 * nearest even; I64 requires integers, checked by the caller with `checkIntegers`).
 * @example encodeElements(Float32Array.of(1), "F16", out, 0) // out[0..2] = [0x00, 0x3c]
 */
export function encodeElements(values: Float32Array | Float64Array, dtype: SafetensorsDType, out: Uint8Array, pos: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const n = values.length;
  switch (dtype) {
    case "F32":
      if (LITTLE_ENDIAN_HOST && values instanceof Float32Array) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), pos);
      else for (let i = 0; i < n; i++) view.setFloat32(pos + 4 * i, values[i], true);
      return;
    case "F64":
      if (LITTLE_ENDIAN_HOST && values instanceof Float64Array) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), pos);
      else for (let i = 0; i < n; i++) view.setFloat64(pos + 8 * i, values[i], true);
      return;
    case "F16":
      for (let i = 0; i < n; i++) view.setUint16(pos + 2 * i, numberToHalf(values[i]), true);
      return;
    case "BF16":
      for (let i = 0; i < n; i++) view.setUint16(pos + 2 * i, numberToBfloat16(values[i]), true);
      return;
    case "I64":
      for (let i = 0; i < n; i++) view.setBigInt64(pos + 8 * i, BigInt(values[i]), true);
      return;
    default:
      throw new Error(`serializeSafetensors: cannot write dtype ${dtype} (ndgrad writes F16, BF16, F32, F64 and I64)`);
  }
}

/** The index of the first element that is not an integer within ±2^53, or -1. */
export function firstNonInteger(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 53) return i;
  }
  return -1;
}

/**
 * The value of IEEE half-precision bits (exact: every half is a float32 and a double).
 * @example halfToNumber(0x3c00) // 1
 */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * A number rounded to IEEE half precision (nearest, ties to even), as its 16 bits.
 * @example numberToHalf(1) // 0x3c00; numberToHalf(65520) // 0x7c00 (Infinity)
 */
export function numberToHalf(x: number): number {
  return roundToBits(x, 10, 15);
}

/**
 * A number rounded to bfloat16 (nearest, ties to even), as its 16 bits.
 * @example numberToBfloat16(1) // 0x3f80
 */
export function numberToBfloat16(x: number): number {
  return roundToBits(x, 7, 127);
}

/**
 * Rounds `x` directly (no double rounding through float32) to a binary format with `mantBits`
 * fraction bits and exponent bias `bias` (5 exponent bits for half, 8 for bfloat16), returning
 * the sign | exponent | fraction bits. Every step is exact in double precision.
 */
function roundToBits(x: number, mantBits: number, bias: number): number {
  const expBits = bias === 15 ? 5 : 8;
  const signBit = 1 << (mantBits + expBits);
  const maxExpField = (1 << expBits) - 1;
  if (Number.isNaN(x)) return (maxExpField << mantBits) | (1 << (mantBits - 1)); // quiet NaN
  const sign = x < 0 || Object.is(x, -0) ? signBit : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | (maxExpField << mantBits);
  const minNormalExp = 1 - bias;
  const scale = 2 ** mantBits;
  let e = a === 0 ? minNormalExp : Math.max(minNormalExp, Math.floor(Math.log2(a)));
  // log2 can be off by one near powers of two: correct it exactly.
  if (a !== 0 && e > minNormalExp && a < 2 ** e) e--;
  if (a >= 2 ** (e + 1)) e++;
  if (a < 2 ** minNormalExp) {
    // Subnormal: units of 2^(minNormalExp − mantBits); rounding up to 2^mantBits gives the smallest normal.
    const q = roundHalfEven(a * 2 ** (mantBits - minNormalExp));
    return sign | q;
  }
  let frac = roundHalfEven((a / 2 ** e - 1) * scale);
  if (frac === scale) {
    frac = 0;
    e++;
  }
  const field = e + bias;
  if (field >= maxExpField) return sign | (maxExpField << mantBits); // overflow → Infinity
  return sign | (field << mantBits) | frac;
}

function roundHalfEven(v: number): number {
  const fl = Math.floor(v);
  const d = v - fl;
  if (d > 0.5) return fl + 1;
  if (d < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}
