/**
 * Where a Parameter's gradient is written on the wasm backend: into a buffer of its own in the
 * wasm heap, so the optimizer's kernels read it in place instead of copying it in every step
 * (for a 10M-parameter Lion step that copy costs as much as the update itself).
 *
 * Ownership is explicit, because a buffer must never be overwritten while someone may still read
 * the gradient in it, and JavaScript cannot tell who holds a tensor. A parameter's first
 * `backward()` gradient goes to a fresh buffer. The buffer is written again only after its owner
 * *released* it, saying "nobody keeps this gradient": `optimizer.zeroGrad(params, { reuseBuffers:
 * true })` (PyTorch's `zero_grad(set_to_none=False)` aliasing, opted into), and `fit()`, which
 * owns its steps' gradients, after each step. A release counts only while `.grad` is still the
 * buffer's gradient. Plain `zeroGrad` or `p.grad = null` release nothing, so a `.grad` kept from an
 * earlier step never changes; a parameter whose buffer is not released gets ordinary arrays,
 * which the optimizer copies into the heap once (slower, same values). Values never depend on
 * any of this: only where the gradient lives does.
 *
 * Only the ops that make the big parameter gradients write there (linear's, matmul's and
 * conv2d's weight and bias gradients): any other gradient is an ordinary array. Under graph
 * creation, and for `grad`/`valueAndGrad` (whose results belong to the caller), nothing is handed out.
 *
 * @example
 * loss.backward();   // linear's dW lands in the weight's heap buffer
 * opt.step(params);  // reads it in place
 * opt.zeroGrad(params, { reuseBuffers: true }); // the next backward may write it again
 */
import { allocateLongLived, getBackend, inWasmHeap } from "./backend";
import { FloatArray, allocate } from "./dtype";
import { Tensor } from "./tensor";

interface GradientBuffer {
  values: Float32Array;
  /** Whether the next backward may write it (set by releaseGradient and by a pass that dropped it, cleared when handed out). */
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
  let leaves: Map<Tensor, Tensor> | undefined;
  try {
    return (leaves = pass());
  } finally {
    taken = null;
    // held only as the leaf's gradient (a failed pass holds none)
    for (const t of mine) {
      const b = buffers.get(t)!;
      b.released = leaves?.get(t)?.values !== b.values;
    }
  }
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
 * Releases `t`'s gradient buffer for the next `backward()` when `t.grad` is still the gradient in
 * it; the caller vouches that nobody keeps that gradient (`zeroGrad` with `reuseBuffers`, fit's
 * steps). Call it before setting `.grad` to null.
 * @example releaseGradient(p); p.grad = null;
 */
export function releaseGradient(t: Tensor): void {
  const b = buffers.get(t);
  if (b !== undefined && t.grad !== null && t.grad.values === b.values) b.released = true;
}

/**
 * Gives up `t`'s gradient buffer when it is not released (someone may hold the gradient in it):
 * the next `backward()` then writes a fresh buffer, and the old block returns to the heap when its
 * last view is collected. `fit()` calls this once at its start, so a `.grad` kept from before
 * fit neither changes nor keeps fit from reusing buffers step after step.
 * @example for (const p of params) disownGradientBuffer(p);
 */
export function disownGradientBuffer(t: Tensor): void {
  const b = buffers.get(t);
  if (b !== undefined && !b.released) buffers.delete(t);
}
