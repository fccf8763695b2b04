/**
 * Batching for the training loop. Data is either one in-memory dataset `{ x, y }` (x a Tensor
 * whose first axis is the sample axis, y a Tensor with the same first axis or integer labels),
 * which `fit` cuts into batches (shuffled with a seeded generator), or an iterable of such
 * batches, used as given. Rows are gathered with typed-array copies of whole rows
 * (`subarray` + `set`), never per-element get/set.
 */
import { Tensor } from "../core";
import { allocate } from "../core/dtype";
import { Generator } from "../core/random";
import { fmt } from "../core/shape";

/** Targets: a Tensor (first axis = samples) or integer class labels. */
export type Labels = Tensor | number[] | Int32Array;

/** One dataset or one batch: inputs and targets with the same number of samples. */
export interface Batch {
  x: Tensor;
  y: Labels;
}

/**
 * What `fit`/`evaluate` accept: one `{ x, y }` (batched by `batchSize`), or an iterable of
 * batches (used as they are; it is iterated once per epoch, so pass an array or another
 * re-iterable collection, not a one-shot generator, when `epochs > 1`).
 */
export type Data = Batch | Iterable<Batch>;

/** True for a single `{ x, y }` dataset, false for an iterable of batches. */
export function isBatch(data: unknown): data is Batch {
  return typeof data === "object" && data !== null && (data as Batch).x instanceof Tensor && "y" in data;
}

/** Number of samples of a labels value (its first axis). */
export function labelCount(y: Labels): number {
  if (y instanceof Tensor) return y.rank === 0 ? 1 : y.shape[0];
  return y.length;
}

/** Throws unless `b` is a well-formed batch; `where` names the caller. Returns its sample count. */
export function checkBatch(b: unknown, where: string): number {
  if (!isBatch(b)) {
    throw new Error(`${where}: each batch must be { x: Tensor, y: Tensor | number[] | Int32Array }, got ${describe(b)}`);
  }
  const y = b.y;
  if (!(y instanceof Tensor) && !Array.isArray(y) && !(y instanceof Int32Array)) {
    throw new Error(`${where}: y must be a Tensor, number[] or Int32Array, got ${describe(y)}`);
  }
  if (b.x.rank === 0) throw new Error(`${where}: x must have a sample axis, got a scalar`);
  const n = b.x.shape[0];
  if (labelCount(y) !== n) {
    throw new Error(`${where}: x has ${n} samples (shape ${fmt(b.x.shape)}) but y has ${labelCount(y)}`);
  }
  return n;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return typeof v;
}

/**
 * The rows `index[start..end)` of `t` (first axis) as a new contiguous tensor.
 * @example gatherRows(x, Int32Array.from([2, 0]), 0, 2) // rows 2 and 0 of x
 */
export function gatherRows(t: Tensor, index: ArrayLike<number>, start: number, end: number): Tensor {
  const rowSize = t.shape[0] === 0 ? 0 : t.size / t.shape[0];
  const count = end - start;
  const src = t.values;
  const out = allocate(t.dtype, count * rowSize);
  for (let i = 0; i < count; i++) {
    const r = index[start + i];
    out.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return new Tensor(out, [count, ...t.shape.slice(1)]);
}

/** The rows `start..end` of `t` in order: one block copy. */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  const rowSize = t.shape[0] === 0 ? 0 : t.size / t.shape[0];
  const out = t.values.slice(start * rowSize, end * rowSize);
  return new Tensor(out, [end - start, ...t.shape.slice(1)]);
}

function gatherLabels(y: Labels, index: ArrayLike<number> | null, start: number, end: number): Labels {
  if (y instanceof Tensor) return index ? gatherRows(y, index, start, end) : sliceRows(y, start, end);
  if (!index) return y.slice(start, end);
  const out = y instanceof Int32Array ? new Int32Array(end - start) : new Array<number>(end - start);
  for (let i = start; i < end; i++) out[i - start] = y[index[i]];
  return out;
}

/** Options for `batchesOf`. */
export interface BatchOptions {
  batchSize: number;
  /** Shuffle the sample order (a fresh permutation per call) with `generator`. */
  shuffle?: boolean;
  generator?: Generator;
  /** Batches to skip at the start (resuming mid-epoch): the permutation is drawn as usual, the first `skip` batches are not gathered. */
  skip?: number;
}

/**
 * Cuts one dataset into batches of `batchSize` (the last may be smaller), in a shuffled order
 * when asked. An iterable of batches is passed through unchanged (batchSize and shuffle do not
 * apply to it).
 * @example for (const b of batchesOf({ x, y }, { batchSize: 32, shuffle: true, generator: new Generator(1) })) ...
 */
export function* batchesOf(data: Data, opts: BatchOptions): Generator_<Batch> {
  const skip = opts.skip ?? 0;
  if (!isBatch(data)) {
    let k = 0;
    for (const b of data) if (k++ >= skip) yield b;
    return;
  }
  const n = checkBatch(data, "batches");
  const bs = opts.batchSize;
  let index: Int32Array | null = null;
  if (opts.shuffle) {
    index = new Int32Array(n);
    for (let i = 0; i < n; i++) index[i] = i;
    (opts.generator ?? new Generator(0)).shuffle(index);
  }
  for (let start = skip * bs; start < n; start += bs) {
    const end = Math.min(n, start + bs);
    const x = index ? gatherRows(data.x, index, start, end) : sliceRows(data.x, start, end);
    yield { x, y: gatherLabels(data.y, index, start, end) };
  }
}

/**
 * Advances `opts.generator` exactly as one epoch of `batchesOf` would (one permutation of the
 * samples when shuffling a dataset; nothing otherwise), without gathering any batch. Used by
 * fit's `initialEpoch` so a resumed run shuffles like an uninterrupted one.
 * @example skipEpochShuffle({ x, y }, { batchSize: 32, shuffle: true, generator: g }) // g now at epoch 1
 */
export function skipEpochShuffle(data: Data, opts: BatchOptions): void {
  if (!isBatch(data) || !opts.shuffle) return;
  // Same draw as batchesOf: Fisher–Yates over n indices consumes the same numbers whatever they hold.
  (opts.generator ?? new Generator(0)).shuffle(new Int32Array(data.x.shape[0]));
}

// `Generator` is ndgrad's random generator here, so the built-in iterator type gets an alias.
type Generator_<T> = globalThis.Generator<T, void, undefined>;

/** Number of batches per pass when it can be known in advance (a dataset or an array of batches), else null. */
export function stepsPerEpoch(data: Data, batchSize: number): number | null {
  if (isBatch(data)) return Math.ceil(data.x.shape[0] / batchSize);
  if (Array.isArray(data)) return data.length;
  return null;
}

/** Throws unless `batchSize` is a positive integer; `where` names the caller. */
export function checkBatchSize(batchSize: unknown, where: string): number {
  if (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`${where}: batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  return batchSize;
}
