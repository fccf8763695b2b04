/**
 * The safetensors format (huggingface/safetensors), for float32/float64 tensors:
 *
 *   [8 bytes: N, little-endian u64] [N bytes: JSON header] [data: raw little-endian values]
 *
 * The header maps each name to {"dtype": "F32" | "F64", "shape": [...], "data_offsets":
 * [begin, end]} (byte offsets into the data section) plus an optional "__metadata__" map of
 * strings. As the reference writer does, the header is padded with spaces so the data starts
 * at an 8-byte boundary, and tensors are laid out back to back with no gaps.
 *
 * The reader treats the file as untrusted: every size is checked against the file's actual
 * length before anything is allocated, and each inconsistency is rejected with its reason.
 */
import { Tensor } from "../core";
import { fmt } from "../core/shape";
import type { Module } from "./module";

/** Headers above this are refused outright (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;
const DTYPE_BYTES: Record<string, number> = { F32: 4, F64: 8 };
/** Every dtype the format defines; ndgrad reads only the float ones it has. */
const KNOWN_DTYPES = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];
/** Typed arrays use the host's byte order; the format is little-endian. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface HeaderEntry {
  dtype: "F32" | "F64";
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Encodes named tensors (and optional string metadata) as a safetensors buffer, in the
 * record's key order.
 * Works everywhere (Node and browsers): the result is plain bytes.
 * @example const bytes = serializeSafetensors({ weight: randn([2, 3]) }); // a Uint8Array
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new Error(`serializeSafetensors: metadata values must be strings, got ${typeof v} for "${k}"`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new Error(`serializeSafetensors: "__metadata__" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new Error(`serializeSafetensors: "${name}" is not a Tensor`);
    const bytes = t.values.byteLength;
    header[name] = { dtype: t.dtype === "float64" ? "F64" : "F32", shape: t.shape.slice(), data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded); // spaces: still valid JSON
  let pos = 8 + padded;
  for (const [, t] of entries) {
    const v = t.values;
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), pos);
    } else {
      for (let i = 0; i < v.length; i++) {
        if (v instanceof Float64Array) view.setFloat64(pos + 8 * i, v[i], true);
        else view.setFloat32(pos + 4 * i, v[i], true);
      }
    }
    pos += v.byteLength;
  }
  return out;
}

function fail(reason: string): never {
  throw new Error(`safetensors: ${reason}`);
}

/** Reads and validates the header: entries sorted by offset, the metadata, and where data starts. */
function readHeader(buf: Uint8Array): { entries: [string, HeaderEntry][]; metadata: Record<string, string>; dataStart: number } {
  if (!(buf instanceof Uint8Array)) fail(`expected a Uint8Array (or Node Buffer), got ${typeof buf}`);
  if (buf.length < 8) fail(`file is ${buf.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > buf.length) fail(`header length ${headerLen} is larger than the ${buf.length - 8} bytes after the length prefix`);
  const text = new TextDecoder("utf-8").decode(buf.subarray(8, 8 + headerLen));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) fail(`header must be a JSON object, got ${JSON.stringify(parsed)?.slice(0, 40)}`);
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: [string, HeaderEntry][] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(`"__metadata__" must be an object of strings`);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`"__metadata__" value for "${k}" must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    if (name === "__proto__") fail(`"__proto__" is not allowed as a tensor name`);
    if (raw === null || typeof raw !== "object") fail(`entry "${name}" must be an object, got ${JSON.stringify(raw)}`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== "string" || !KNOWN_DTYPES.includes(dtype)) fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    if (!(dtype in DTYPE_BYTES)) fail(`tensor "${name}" has dtype ${dtype}, which ndgrad cannot load (only F32 and F64)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)} (need non-negative integers)`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)} (need [begin, end] with 0 <= begin <= end)`);
    }
    const [begin, end] = offsets as number[];
    if (end > dataLen) fail(`tensor "${name}" data_offsets [${begin}, ${end}] run past the end of the ${dataLen}-byte data section`);
    // Exact (BigInt) product, so a huge shape cannot round or overflow into a "valid" size.
    const bytes = (shape as number[]).reduce((acc, d) => acc * BigInt(d), BigInt(DTYPE_BYTES[dtype]));
    if (bytes !== BigInt(end - begin)) {
      fail(`tensor "${name}": ${dtype} ${fmt(shape as number[])} needs ${bytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push([name, { dtype: dtype as "F32" | "F64", shape: shape as number[], data_offsets: [begin, end] }]);
  }
  // The tensors must tile the data section exactly: sorted by offset, each starts where the last ended.
  const sorted = entries.slice().sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
  let expected = 0;
  let previous = "the start of the data section";
  for (const [name, e] of sorted) {
    const [begin] = e.data_offsets;
    if (begin < expected) fail(`tensor "${name}" data_offsets [${e.data_offsets}] overlap ${previous}`);
    if (begin > expected) fail(`tensor "${name}" starts at byte ${begin} but ${previous} ends at ${expected} (offsets must be contiguous)`);
    expected = e.data_offsets[1];
    previous = `tensor "${name}"`;
  }
  if (expected !== dataLen) fail(`tensors cover ${expected} bytes of the ${dataLen}-byte data section (trailing bytes)`);
  return { entries, metadata, dataStart };
}

/**
 * Decodes a safetensors buffer into tensors (float32 for F32, float64 for F64), in header
 * order. Throws `safetensors: <reason>` on any malformed input.
 * @example const sd = parseSafetensors(fs.readFileSync("model.safetensors")); sd["0.weight"].shape
 */
export function parseSafetensors(buffer: Uint8Array): Record<string, Tensor> {
  const { entries, dataStart } = readHeader(buffer);
  const out: Record<string, Tensor> = {};
  for (const [name, e] of entries) {
    const [begin, end] = e.data_offsets;
    const count = (end - begin) / DTYPE_BYTES[e.dtype]; // checked against the file above
    const values = e.dtype === "F64" ? new Float64Array(count) : new Float32Array(count);
    const src = dataStart + begin;
    if (LITTLE_ENDIAN_HOST) {
      // Byte copy: the source may not be aligned for a typed-array view.
      new Uint8Array(values.buffer).set(buffer.subarray(src, src + (end - begin)));
    } else {
      const view = new DataView(buffer.buffer, buffer.byteOffset + src, end - begin);
      for (let i = 0; i < count; i++) values[i] = e.dtype === "F64" ? view.getFloat64(8 * i, true) : view.getFloat32(4 * i, true);
    }
    out[name] = new Tensor(values, e.shape);
  }
  return out;
}

/**
 * The "__metadata__" string map of a safetensors buffer ({} when absent); validates the file.
 * @example readSafetensorsMetadata(fs.readFileSync("model.safetensors")).format
 */
export function readSafetensorsMetadata(buffer: Uint8Array): Record<string, string> {
  return readHeader(buffer).metadata;
}

/**
 * The model's state dict (parameters and buffers, PyTorch names) as safetensors bytes: the
 * in-memory form of `saveWeights`, for browsers (download it, store it in IndexedDB) or any
 * other transport.
 * @example const bytes = saveWeightsBytes(model); // Uint8Array, same layout as saveWeights' file
 */
export function saveWeightsBytes(model: Module, opts: { metadata?: Record<string, string> } = {}): Uint8Array {
  return serializeSafetensors(model.stateDict(), { format: "pt", ...opts.metadata });
}

/**
 * Loads safetensors bytes into the model through `loadStateDict` (strict: the keys and shapes
 * must match; on any error the model is left unchanged). The in-memory form of `loadWeights`.
 * @example loadWeightsBytes(model, new Uint8Array(await (await fetch("model.safetensors")).arrayBuffer()))
 */
export function loadWeightsBytes(model: Module, bytes: Uint8Array): void {
  model.loadStateDict(parseSafetensors(bytes));
}
