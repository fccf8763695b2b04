/**
 * The safetensors format (huggingface/safetensors):
 *
 *   [8 bytes: N, little-endian u64] [N bytes: JSON header] [data: raw little-endian values]
 *
 * The header maps each name to {"dtype": "F32" | "F16" | "I64" | ..., "shape": [...], "data_offsets":
 * [begin, end]} (byte offsets into the data section) plus an optional "__metadata__" map of
 * strings. As the reference writer does, the header is padded with spaces so the data starts
 * at an 8-byte boundary, and tensors are laid out back to back with no gaps.
 *
 * The reader treats the file as untrusted: every size is checked against the file's actual
 * length before anything is allocated, and each inconsistency is rejected with its reason.
 * Element conversions (F16, BF16, the integer dtypes) are in `safetensors-dtypes.ts`.
 */
import { Tensor } from "../core";
import { fmt } from "../core/shape";
import type { Module } from "./module";
import {
  ELEMENT_BYTES,
  SAFETENSORS_DTYPES,
  STORAGE_DTYPES,
  SafetensorsDType,
  StorageDType,
  decodeElements,
  encodeElements,
  firstNonInteger,
} from "./safetensors-dtypes";

/** Headers above this are refused outright (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/** How `serializeSafetensors` stores the tensors. */
export interface SerializeOptions {
  /** Float dtype for every float tensor (default: each tensor's own, F32 or F64). */
  dtype?: StorageDType;
  /** Per-name dtype overrides, e.g. `{ "1.num_batches_tracked": "I64" }` (values must then be integers). */
  dtypes?: Record<string, SafetensorsDType>;
}

interface HeaderEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Encodes named tensors (and optional string metadata) as a safetensors buffer, in the
 * record's key order; `opts.dtype` stores float tensors as F16/BF16/F32/F64 (round to nearest
 * even), `opts.dtypes` sets single tensors' dtypes (I64 for integer state).
 * Works everywhere (Node and browsers): the result is plain bytes.
 * @example const bytes = serializeSafetensors({ weight: randn([2, 3]) }, {}, { dtype: "bfloat16" }); // a Uint8Array
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>, opts: SerializeOptions = {}): Uint8Array {
  if (typeof opts !== "object" || opts === null)
    throw new Error(`serializeSafetensors: options must be an object { dtype?, dtypes? }, got ${opts === null ? "null" : typeof opts}`);
  if (opts.dtype !== undefined && !Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, opts.dtype)) {
    throw new Error(
      `serializeSafetensors: dtype must be "float16", "bfloat16", "float32" or "float64", got ${typeof opts.dtype === "string" ? `"${opts.dtype}"` : String(opts.dtype)}`,
    );
  }
  const overrides = opts.dtypes ?? {};
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new Error(`serializeSafetensors: metadata values must be strings, got ${typeof v} for "${k}"`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  const dtypes: SafetensorsDType[] = [];
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new Error(`serializeSafetensors: "__metadata__" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new Error(`serializeSafetensors: "${name}" is not a Tensor`);
    const dtype = overrides[name] ?? (opts.dtype !== undefined ? STORAGE_DTYPES[opts.dtype] : t.dtype === "float64" ? "F64" : "F32");
    if (!["F16", "BF16", "F32", "F64", "I64"].includes(dtype))
      throw new Error(`serializeSafetensors: "${name}": cannot write dtype ${String(dtype)} (ndgrad writes F16, BF16, F32, F64 and I64)`);
    if (dtype === "I64") {
      const bad = firstNonInteger(t.values);
      if (bad >= 0) throw new Error(`serializeSafetensors: "${name}" is written as I64 but element ${bad} is ${t.values[bad]}, not an integer within ±2^53`);
    }
    const bytes = t.size * ELEMENT_BYTES[dtype]!;
    header[name] = { dtype, shape: t.shape.slice(), data_offsets: [offset, offset + bytes] };
    dtypes.push(dtype);
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
  entries.forEach(([, t], k) => {
    encodeElements(t.values, dtypes[k], out, pos);
    pos += t.size * ELEMENT_BYTES[dtypes[k]]!;
  });
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
  let parsed: unknown;
  try {
    // fatal: invalid UTF-8 is an error, not silently replaced characters.
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(8, 8 + headerLen)));
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
    if (typeof dtype !== "string" || !(SAFETENSORS_DTYPES as readonly string[]).includes(dtype))
      fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    const elementBytes = ELEMENT_BYTES[dtype as SafetensorsDType];
    if (elementBytes === undefined)
      fail(`tensor "${name}" has dtype ${dtype}, which ndgrad cannot load (it reads F16, BF16, F32, F64, I64, U64, I32, U32, I16, U16, I8, U8 and BOOL)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)} (need non-negative integers)`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      fail(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)} (need [begin, end] with 0 <= begin <= end)`);
    }
    const [begin, end] = offsets as number[];
    if (end > dataLen) fail(`tensor "${name}" data_offsets [${begin}, ${end}] run past the end of the ${dataLen}-byte data section`);
    // Exact (BigInt) product, so a huge shape cannot round or overflow into a "valid" size.
    const bytes = (shape as number[]).reduce((acc, d) => acc * BigInt(d), BigInt(elementBytes));
    if (bytes !== BigInt(end - begin)) {
      fail(`tensor "${name}": ${dtype} ${fmt(shape as number[])} needs ${bytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    entries.push([name, { dtype: dtype as SafetensorsDType, shape: shape as number[], data_offsets: [begin, end] }]);
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
 * Decodes a safetensors buffer into tensors, in header order: F32 → float32, F64 → float64,
 * F16 and BF16 → float32 (exact), the integer dtypes and BOOL → float64 (exact; I64/U64 beyond
 * ±2^53 are rejected). Throws `safetensors: <reason>` on any malformed input, before returning
 * anything.
 * @example const sd = parseSafetensors(fs.readFileSync("model.safetensors")); sd["0.weight"].shape
 */
export function parseSafetensors(buffer: Uint8Array): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const { name, tensor } of readSafetensorsEntries(buffer)) out[name] = tensor;
  return out;
}

/**
 * Like `parseSafetensors`, with each tensor's dtype as stored in the file ("F16", "I64", ...).
 * @example readSafetensorsEntries(bytes).map((e) => `${e.name}: ${e.dtype}`)
 */
export function readSafetensorsEntries(buffer: Uint8Array): { name: string; dtype: SafetensorsDType; tensor: Tensor }[] {
  const { entries, dataStart } = readHeader(buffer);
  return entries.map(([name, e]) => {
    const [begin, end] = e.data_offsets;
    const count = (end - begin) / ELEMENT_BYTES[e.dtype]!; // checked against the file above
    const values = decodeElements(buffer.subarray(dataStart + begin, dataStart + end), e.dtype, count, name);
    return { name, dtype: e.dtype, tensor: new Tensor(values, e.shape) };
  });
}

/**
 * The "__metadata__" string map of a safetensors buffer ({} when absent); validates the file.
 * @example readSafetensorsMetadata(fs.readFileSync("model.safetensors")).format
 */
export function readSafetensorsMetadata(buffer: Uint8Array): Record<string, string> {
  return readHeader(buffer).metadata;
}

/** Options of `saveWeights` / `saveWeightsBytes`. */
export interface SaveWeightsOptions {
  /** Float storage: "float32" (PyTorch's default), "float16" or "bfloat16" (round to nearest even); default each tensor's own dtype. */
  dtype?: "float16" | "bfloat16" | "float32" | "float64";
  /** Extra "__metadata__" strings ("format": "pt" is always written). */
  metadata?: Record<string, string>;
}

/**
 * The model's state dict (parameters and buffers, PyTorch names) as safetensors bytes: the
 * in-memory form of `saveWeights`, for browsers (download it, store it in IndexedDB) or any
 * other transport. Integer state (BatchNorm's `num_batches_tracked`) is written as I64, as
 * PyTorch does.
 * @example const bytes = saveWeightsBytes(model, { dtype: "float16" }); // Uint8Array, same layout as saveWeights' file
 */
export function saveWeightsBytes(model: Module, opts: SaveWeightsOptions = {}): Uint8Array {
  if (typeof opts !== "object" || opts === null)
    throw new Error(`saveWeights: options must be an object { dtype?, metadata? }, got ${opts === null ? "null" : typeof opts}`);
  for (const key of Object.keys(opts)) {
    if (key !== "dtype" && key !== "metadata") throw new Error(`saveWeights: unknown option "${key}" (allowed: dtype, metadata)`);
  }
  if (opts.dtype !== undefined && !Object.prototype.hasOwnProperty.call(STORAGE_DTYPES, opts.dtype)) {
    throw new Error(
      `saveWeights: dtype must be "float32", "float16" or "bfloat16" (or "float64"), got ${typeof opts.dtype === "string" ? `"${opts.dtype}"` : String(opts.dtype)}`,
    );
  }
  const dtypes: Record<string, SafetensorsDType> = {};
  for (const name of model.integerStateNames()) dtypes[name] = "I64";
  return serializeSafetensors(model.stateDict(), { format: "pt", ...opts.metadata }, { dtype: opts.dtype, dtypes });
}

/**
 * Loads safetensors bytes into the model through `loadStateDict` (strict: the keys and shapes
 * must match; on any error the model is left unchanged). The in-memory form of `loadWeights`.
 * @example loadWeightsBytes(model, new Uint8Array(await (await fetch("model.safetensors")).arrayBuffer()))
 */
export function loadWeightsBytes(model: Module, bytes: Uint8Array): void {
  model.loadStateDict(parseSafetensors(bytes));
}
