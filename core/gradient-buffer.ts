/**
 * Where a Parameter's gradient is written on the wasm backend: into a buffer of its own in the
 * wasm heap, so the optimizer's kernels read it in place instead of copying it in every step
 * (for a 10M-parameter Lion step that copy costs as much as the update itself).
 *
 * Ownership is explicit, because a heap block must never be reused while someone can still see
 * it. A parameter's buffer is handed out by `tensor.backward()` (not by `grad`/`valueAndGrad`,
 * whose results belong to the caller) only when it is *released*: `optimizer.zeroGrad(params)`
 * releases it, saying "I am done with these gradients", as PyTorch's
 * `zero_grad(set_to_none=False)` zeroes `.grad` in place. So a `.grad` tensor kept across
 * `zeroGrad` and the next `backward()` sees the new gradient (clone it to keep the old one);
 * `p.grad = null` by hand releases nothing, and the next gradient is then an ordinary array.
 * The first backward of a parameter allocates its buffer (long-lived, like its optimizer slots).
 *
 * Only the ops that make the big parameter gradients write there (linear's and matmul's weight
 * and bias gradients, conv2d's): any other gradient is an ordinary array, which the optimizer
 * copies into the heap once, as before. Under graph creation nothing is handed out (recorded
 * gradients are op outputs like any other).
 *
 * @example
 * loss.backward();   // linear's dW lands in the weight's heap buffer
 * opt.step(params);  // reads it in place
 * opt.zeroGrad(params); // releases it for the next backward
 */
import { allocateLongLived, getBackend, inWasmHeap } from "./backend";
import { FloatArray, allocate } from "./dtype";
import { Tensor } from "./tensor";

interface GradientBuffer {
  values: Float32Array;
  /** Whether the next backward may write it (released by zeroGrad, taken by a backward). */
  released: boolean;
}

const buffers = new WeakMap<Tensor, GradientBuffer>();

/** The parameters given their buffer by the running `backward()`; null outside one. */
let taken: Set<Tensor> | null = null;

/**
 * Runs a `backward()` pass (returning each leaf's gradient) with the gradient buffers available
 * to the ops. A buffer taken by an op but not ending up as the leaf's gradient (a second
 * contribution was added to it into a new array) is released again: nobody else holds it.
 * @example const leaves = withGradientBuffers(() => computeGradients(root, seed));
 */
export function withGradientBuffers(pass: () => Map<Tensor, Tensor>): Map<Tensor, Tensor> {
  if (getBackend() !== "wasm" || taken !== null) return pass();
  const mine = new Set<Tensor>();
  taken = mine;
  let leaves: Map<Tensor, Tensor>;
  try {
    leaves = pass();
  } finally {
    taken = null;
    for (const t of mine) {
      const b = buffers.get(t)!;
      b.released = true; // until shown to be the leaf's gradient below
    }
  }
  for (const t of mine) {
    const b = buffers.get(t)!;
    if (leaves.get(t)?.values === b.values) b.released = false;
  }
  return leaves;
}

/** Whether the running backward may write `target`'s gradient into its buffer now. */
function offered(target: Tensor, length: number): boolean {
  if (taken === null || taken.has(target) || length !== target.size) return false;
  if (target.node !== null || target.grad !== null || target.dtype !== "float32" || !inWasmHeap(target.values)) return false;
  const b = buffers.get(target);
  return b === undefined || b.released;
}

/**
 * A zero-filled array for the gradient of `target` (an op's backward calls it for the gradient of
 * an input that may be a parameter): the target's heap gradient buffer when a running
 * `backward()` offers it (once per pass: a second contribution is an ordinary array), else an
 * ordinary `allocate`. `zeroed: false` skips the fill when the caller overwrites every element.
 * @example const dW = allocateGradient(w, w.size, false); gemm(..., dW, ...)
 */
export function allocateGradient(target: Tensor, length: number, zeroed = true): FloatArray {
  if (!offered(target, length)) return allocate(target.dtype, length);
  let b = buffers.get(target);
  if (b === undefined) {
    const values = allocateLongLived("float32", length);
    if (!inWasmHeap(values)) return values; // the heap is full: an ordinary array works as well
    taken!.add(target);
    b = { values: values as Float32Array, released: false };
    buffers.set(target, b);
    return b.values; // fresh from the allocator: already zero
  }
  taken!.add(target);
  b.released = false;
  if (zeroed) b.values.fill(0);
  return b.values;
}

/**
 * Releases `t`'s gradient buffer for the next `backward()` when `t.grad` is a view of it
 * (`optimizer.zeroGrad` calls this before setting `.grad` to null).
 * @example releaseGradient(p); p.grad = null;
 */
export function releaseGradient(t: Tensor): void {
  const b = buffers.get(t);
  if (b !== undefined && t.grad !== null && t.grad.values === b.values) b.released = true;
}
