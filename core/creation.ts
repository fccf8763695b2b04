/** Creating tensors: from JS values, constants, ranges and seeded random numbers. */
import ndarray from "ndarray";
import ops from "ndarray-ops";
import { DType, FloatArray, allocate, checkDType, dtypeOf } from "./dtype";
import { Shape, checkShape, fmt, sizeOf } from "./shape";
import { NdArray, NestedArray, Tensor } from "./tensor";
import { generatorFor } from "./random";
import { checkOptionKeys, show } from "./check";

const CREATE_KEYS = ["shape", "dtype", "requiresGrad", "name"];
const RANDOM_KEYS = ["dtype", "requiresGrad", "name", "seed"];

/** Options of the creation functions (`tensor`, `zeros`, `full`, ...). @example zeros([2, 3], { dtype: "float64", requiresGrad: true }) */
export interface CreateOptions {
  shape?: number[];
  dtype?: DType;
  requiresGrad?: boolean;
  name?: string;
}

/** Options of `randn` / `rand`: those of creation plus a seed for a reproducible draw. @example randn([2, 3], { seed: 0 }) */
export interface RandomOptions extends Omit<CreateOptions, "shape"> {
  seed?: number;
}

function isNdArray(v: unknown): v is NdArray {
  return typeof v === "object" && v !== null && "shape" in v && "stride" in v && "data" in v && "offset" in v;
}

/** Infers the shape of nested arrays, throwing on ragged nesting or non-numbers. */
function nestedShape(v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flattenInto(v: NestedArray, shape: number[], dim: number, out: FloatArray, pos: { i: number }): void {
  if (dim === shape.length) {
    if (typeof v !== "number") throw new Error(`tensor: expected a number at depth ${dim}, got ${Array.isArray(v) ? "an array (ragged nesting)" : show(v)}`);
    out[pos.i++] = v;
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array: expected ${shape[dim]} items at depth ${dim}, got ${Array.isArray(v) ? v.length : show(v)}`);
  }
  for (const item of v) flattenInto(item, shape, dim + 1, out, pos);
}

/**
 * Makes a tensor from a number, nested arrays, a typed array or an ndarray (values are copied).
 * With `shape`, the values are read in row-major order into that shape (sizes must match).
 * @example tensor([[1, 2], [3, 4]]) // shape [2,2], float32
 * @example tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: "float64", requiresGrad: true })
 */
export function tensor(values: NestedArray | FloatArray | NdArray, opts: CreateOptions = {}): Tensor {
  checkOptionKeys("tensor", opts, CREATE_KEYS);
  let flat: FloatArray;
  let shape: number[];
  const wanted: DType | undefined = opts.dtype === undefined ? undefined : checkDType(opts.dtype, "tensor");
  if (values instanceof Float32Array || values instanceof Float64Array) {
    const dtype = wanted ?? dtypeOf(values);
    flat = allocate(dtype, values.length);
    flat.set(values);
    shape = [values.length];
  } else if (isNdArray(values)) {
    const dtype = wanted ?? dtypeOf(values.data as ArrayLike<number>);
    flat = allocate(dtype, values.size);
    ops.assign(ndarray(flat, values.shape.slice()), values as ndarray.NdArray);
    shape = values.shape.slice();
  } else if (typeof values === "number" || Array.isArray(values)) {
    shape = nestedShape(values);
    flat = allocate(wanted ?? "float32", sizeOf(shape));
    flattenInto(values, shape, 0, flat, { i: 0 });
  } else {
    throw new Error(`tensor: values must be a number, nested arrays, a Float32Array/Float64Array or an ndarray, got ${show(values)}`);
  }
  if (opts.shape !== undefined) {
    const target = checkShape(opts.shape, "tensor");
    if (sizeOf(target) !== flat.length) {
      throw new Error(`tensor: ${flat.length} values cannot fill shape ${fmt(target)} (needs ${sizeOf(target)})`);
    }
    shape = target;
  }
  return new Tensor(flat, shape, opts);
}

/** `full`, with `op` naming the function the user called in messages. */
function filled(op: string, shape: Shape, value: number, opts: Omit<CreateOptions, "shape">): Tensor {
  checkOptionKeys(op, opts, CREATE_KEYS.slice(1));
  const s = checkShape(shape, op);
  if (typeof value !== "number") throw new Error(`${op}: value must be a number, got ${show(value)}`);
  const data = allocate(checkDType(opts.dtype ?? "float32", op), sizeOf(s));
  if (value !== 0) data.fill(value);
  return new Tensor(data, s, opts);
}

/** @example full([2, 2], 7) // [[7, 7], [7, 7]] */
export function full(shape: Shape, value: number, opts: Omit<CreateOptions, "shape"> = {}): Tensor {
  return filled("full", shape, value, opts);
}

/** @example zeros([2, 3]) */
export function zeros(shape: Shape, opts: Omit<CreateOptions, "shape"> = {}): Tensor {
  return filled("zeros", shape, 0, opts);
}

/** @example ones([3], { dtype: "float64" }) */
export function ones(shape: Shape, opts: Omit<CreateOptions, "shape"> = {}): Tensor {
  return filled("ones", shape, 1, opts);
}

/** A tensor of the same shape and dtype as `t`, filled with `value`. */
export function fullLike(t: Tensor, value: number): Tensor {
  return full(t.shape, value, { dtype: t.dtype });
}

/**
 * `0, 1, ..., n-1`, or `start, start+step, ...` below `stop` when called as arange(start, stop, step).
 * @example arange(4) // [0, 1, 2, 3]
 */
export function arange(n: number, opts?: Omit<CreateOptions, "shape">): Tensor;
export function arange(start: number, stop: number, step?: number, opts?: Omit<CreateOptions, "shape">): Tensor;
export function arange(
  a: number,
  b?: number | Omit<CreateOptions, "shape">,
  c?: number | Omit<CreateOptions, "shape">,
  d?: Omit<CreateOptions, "shape">,
): Tensor {
  let start = 0,
    stop: number,
    step = 1,
    opts: Omit<CreateOptions, "shape"> = {};
  if (typeof b === "number") {
    start = a;
    stop = b;
    if (typeof c === "number") step = c;
    else if (c) opts = c;
    if (d) opts = d;
  } else {
    stop = a;
    if (b) opts = b;
  }
  if (![start, stop, step].every(Number.isFinite) || step === 0) {
    throw new Error(`arange: start, stop and step must be finite with step != 0, got start=${start}, stop=${stop}, step=${step}`);
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(checkDType(opts.dtype ?? "float32", "arange"), n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], opts);
}

/**
 * Standard normal samples; reproducible with `seed` (or after `manualSeed`).
 * @example randn([2, 3], { seed: 0 })
 */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  checkOptionKeys("randn", opts, RANDOM_KEYS);
  const s = checkShape(shape, "randn");
  const gen = generatorFor(opts.seed);
  const data = allocate(checkDType(opts.dtype ?? "float32", "randn"), sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = gen.normal();
  return new Tensor(data, s, opts);
}

/**
 * Uniform samples in [0, 1); reproducible with `seed` (or after `manualSeed`).
 * @example rand([4], { seed: 1 })
 */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  checkOptionKeys("rand", opts, RANDOM_KEYS);
  const s = checkShape(shape, "rand");
  const gen = generatorFor(opts.seed);
  const data = allocate(checkDType(opts.dtype ?? "float32", "rand"), sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = gen.uniform();
  return new Tensor(data, s, opts);
}
