/**
 * The element-wise stages of the optimizer pipeline (Keras order: unscale → accumulate → clip →
 * decay → update → EMA), each a single in-place pass over raw typed arrays with float32
 * rounding where Keras has it. `optimizer.ts` strings them together; each can be tested alone.
 */
import type { FloatArray } from "../../core/dtype";
import { roundFor } from "./round";
import { accumulateF32, accumulateF64, averageIntoF32, averageIntoF64, decayF32, decayF64, emaF32, emaF64, unscaleF32, unscaleF64 } from "../kernels";
import { ACCUMULATE_F32, ACCUMULATE_F64, AVERAGE_INTO_F32, AVERAGE_INTO_F64 } from "../kernels/accumulate";
import { DECAY_F32, DECAY_F64 } from "../kernels/decay";
import { EMA_F32, EMA_F64 } from "../kernels/ema";
import { UNSCALE_INTO_F32, UNSCALE_INTO_F64 } from "../kernels/unscale";
import { parallelFor } from "../../core/kernels/threads";
import { parallelSized } from "../shared-state";

// Each stage hands same-dtype typed arrays to its per-dtype kernel in ../kernels (monomorphic,
// so it stays fast whatever else ran in the process); the generic loop only serves mixed inputs.
// A big pass goes through `parallelFor`, split by element ranges when every array is shared.

/** Static loss-scale unscaling: `out ← g / factor` (out may be g). */
export function unscale(g: ArrayLike<number>, factor: number, out: FloatArray): void {
  if (out instanceof Float32Array && g instanceof Float32Array) {
    if (parallelSized(out.length)) return parallelFor(UNSCALE_INTO_F32, [g, out], [Math.fround(factor)], out.length);
    return unscaleF32(g, Math.fround(factor), out);
  }
  if (out instanceof Float64Array && g instanceof Float64Array) {
    if (parallelSized(out.length)) return parallelFor(UNSCALE_INTO_F64, [g, out], [factor], out.length);
    return unscaleF64(g, factor, out);
  }
  const fr = roundFor(out)(factor);
  for (let k = 0; k < out.length; k++) out[k] = g[k] / fr;
}

/** Non-update micro-step: `acc ← acc + g` (the raw, unclipped gradient). */
export function accumulate(acc: FloatArray, g: ArrayLike<number>): void {
  if (acc instanceof Float32Array && g instanceof Float32Array) {
    return parallelSized(acc.length) ? parallelFor(ACCUMULATE_F32, [acc, g], [], acc.length) : accumulateF32(acc, g);
  }
  if (acc instanceof Float64Array && g instanceof Float64Array) {
    return parallelSized(acc.length) ? parallelFor(ACCUMULATE_F64, [acc, g], [], acc.length) : accumulateF64(acc, g);
  }
  for (let k = 0; k < acc.length; k++) acc[k] += g[k];
}

/**
 * Update micro-step: `acc ← (g + acc) / n`, the mean of the n micro-gradients (the current one
 * is not first added to the accumulator, as in Keras). The result then serves as the gradient.
 */
export function averageInto(acc: FloatArray, g: ArrayLike<number>, n: number): void {
  if (acc instanceof Float32Array && g instanceof Float32Array) {
    return parallelSized(acc.length) ? parallelFor(AVERAGE_INTO_F32, [acc, g], [n], acc.length) : averageIntoF32(acc, g, n);
  }
  if (acc instanceof Float64Array && g instanceof Float64Array) {
    return parallelSized(acc.length) ? parallelFor(AVERAGE_INTO_F64, [acc, g], [n], acc.length) : averageIntoF64(acc, g, n);
  }
  const r = roundFor(acc);
  for (let k = 0; k < acc.length; k++) acc[k] = r(g[k] + acc[k]) / n;
}

/** `overwriteWithGradient` under accumulation keeps the elementwise max (Keras float8 semantics). */
export function maxInto(acc: FloatArray, g: ArrayLike<number>): void {
  for (let k = 0; k < acc.length; k++) if (g[k] > acc[k] || g[k] !== g[k]) acc[k] = g[k];
}

/**
 * Decoupled weight decay `v ← v − v·wd·lr` (AdamW/Lion style: scaled by lr, not added to the
 * gradient), on the weights as they were before this step's update.
 */
export function decoupledDecay(v: FloatArray, wd: number, lr: number): void {
  if (parallelSized(v.length)) parallelFor(v instanceof Float32Array ? DECAY_F32 : DECAY_F64, [v], [wd, lr], v.length);
  else if (v instanceof Float32Array) decayF32(v, wd, lr);
  else decayF64(v, wd, lr);
}

/**
 * `avg ← m·avg + (1 − m)·v`. Call it with m = 0 on the first step, so the average starts as a
 * copy of the weights (no zero-init bias), then with the EMA momentum.
 */
export function emaUpdate(avg: FloatArray, v: FloatArray, momentum: number): void {
  if (avg instanceof Float32Array && v instanceof Float32Array) {
    return parallelSized(avg.length) ? parallelFor(EMA_F32, [avg, v], [momentum], avg.length) : emaF32(avg, v, momentum);
  }
  if (avg instanceof Float64Array && v instanceof Float64Array) {
    return parallelSized(avg.length) ? parallelFor(EMA_F64, [avg, v], [momentum], avg.length) : emaF64(avg, v, momentum);
  }
  const r = roundFor(avg);
  const m = r(momentum), om = r(1 - m);
  for (let k = 0; k < avg.length; k++) avg[k] = r(m * avg[k]) + r(om * v[k]);
}

/** Exchanges the contents of two arrays of equal length (EMA weights in, training weights out). */
export function swapContents(a: FloatArray, b: FloatArray): void {
  for (let k = 0; k < a.length; k++) {
    const t = a[k];
    a[k] = b[k];
    b[k] = t;
  }
}
