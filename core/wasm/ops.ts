/**
 * The hot ops of a training step on the wasm kernels (float32, arrays in the wasm heap):
 * relu and its backward, the bias add and bias gradient of linear, a sum, and the fused softmax
 * cross-entropy with its backward. relu, its backward, addBiasRows and sumRows are bit-identical
 * to the JS loops (core/ops/unary.ts, core/ops/linear.ts); sumF32 and the cross-entropy differ in
 * order and exp (tolerances in test/core/wasm-ops.test.ts).
 *
 * @example
 * const { heap } = wasmKernels();
 * const x = heap.fromArray([-1, 2]), y = heap.alloc(2);
 * reluF32(x, y); // y = [0, 2]
 */
import { addressOf, runElementwise } from "./dispatch";
import { wasmKernels } from "./loader";

function checkRowsCols(op: string, rows: number, cols: number): void {
  for (const [name, x] of [
    ["rows", rows],
    ["cols", cols],
  ] as const) {
    if (!Number.isInteger(x) || x < 0) throw new Error(`${op} (wasm): ${name} must be a non-negative integer, got ${x}`);
  }
}

/** `y = max(x, 0)` (NaN stays NaN). @example reluF32(x, y) */
export function reluF32(x: Float32Array, y: Float32Array): void {
  const n = x.length;
  runElementwise("reluF32", [addressOf("reluF32", "x", x), addressOf("reluF32", "y", y, n), n], [0, 1], 2);
}

/** `dx = (x > 0)·g + 0`, relu's backward. @example reluBackwardF32(x, g, dx) */
export function reluBackwardF32(x: Float32Array, g: Float32Array, dx: Float32Array): void {
  const n = x.length;
  runElementwise(
    "reluBackwardF32",
    [addressOf("reluBackwardF32", "x", x), addressOf("reluBackwardF32", "g", g, n), addressOf("reluBackwardF32", "dx", dx, n), n],
    [0, 1, 2],
    3,
  );
}

/** `y[r, j] += b[j]` over a rows × cols y. @example addBiasRowsF32(y, b, 64, 128) */
export function addBiasRowsF32(y: Float32Array, b: Float32Array, rows: number, cols: number): void {
  checkRowsCols("addBiasRowsF32", rows, cols);
  wasmKernels().exports.addBiasRowsF32(addressOf("addBiasRowsF32", "y", y, rows * cols), addressOf("addBiasRowsF32", "b", b, cols), rows, cols);
}

/** `db[j] = Σ_r g[r, j]` (rows summed in order). @example sumRowsF32(g, db, 64, 128) */
export function sumRowsF32(g: Float32Array, db: Float32Array, rows: number, cols: number): void {
  checkRowsCols("sumRowsF32", rows, cols);
  wasmKernels().exports.sumRowsF32(addressOf("sumRowsF32", "g", g, rows * cols), addressOf("sumRowsF32", "db", db, cols), rows, cols);
}

/** Σ x in float32 (four-lane order). @example sumF32(x) */
export function sumF32(x: Float32Array): number {
  return wasmKernels().exports.sumF32(addressOf("sumF32", "x", x), x.length);
}

function checkLabels(op: string, labels: Int32Array, N: number, C: number): number {
  const p = addressOf(op, "labels", labels, N, true);
  // an out-of-range label would make the kernel read or write outside the row: reject it here
  for (let i = 0; i < N; i++) {
    const y = labels[i];
    if (y < 0 || y >= C) throw new Error(`${op} (wasm): label ${y} at index ${i} is not a class in [0, ${C - 1}]`);
  }
  return p;
}

/**
 * Fused softmax cross-entropy over logits [N, C] and int32 labels [N]: loss[i] = lse_i − x[i, y_i],
 * keeping lse [N] for the backward.
 * @example softmaxCrossEntropyF32(logits, labels, 64, 10, loss, lse)
 */
export function softmaxCrossEntropyF32(logits: Float32Array, labels: Int32Array, N: number, C: number, loss: Float32Array, lse: Float32Array): void {
  const op = "softmaxCrossEntropyF32";
  checkRowsCols(op, N, C);
  if (C === 0 && N > 0) throw new Error(`${op} (wasm): C must be ≥ 1 when N is ${N}`);
  const px = addressOf(op, "logits", logits, N * C),
    pl = checkLabels(op, labels, N, C);
  wasmKernels().exports.softmaxCrossEntropyF32(px, pl, N, C, addressOf(op, "loss", loss, N), addressOf(op, "lse", lse, N));
}

/**
 * Its backward: d[i, j] = g_i·softmax(x_i)_j − g_i·[j = y_i].
 * @example softmaxCrossEntropyBackwardF32(logits, labels, 64, 10, lse, g, d)
 */
export function softmaxCrossEntropyBackwardF32(
  logits: Float32Array,
  labels: Int32Array,
  N: number,
  C: number,
  lse: Float32Array,
  g: Float32Array,
  d: Float32Array,
): void {
  const op = "softmaxCrossEntropyBackwardF32";
  checkRowsCols(op, N, C);
  const px = addressOf(op, "logits", logits, N * C),
    pl = checkLabels(op, labels, N, C);
  wasmKernels().exports.softmaxCrossEntropyBackwardF32(px, pl, N, C, addressOf(op, "lse", lse, N), addressOf(op, "g", g, N), addressOf(op, "d", d, N * C));
}
