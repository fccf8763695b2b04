/**
 * The element-wise stages of the optimizer pipeline (Keras order: unscale → accumulate → clip →
 * decay → update → EMA), each a single in-place pass over raw typed arrays with float32
 * rounding where Keras has it. `optimizer.ts` strings them together; each can be tested alone.
 */
import type { FloatArray } from "../../core/dtype";
import { runElementwise } from "../../core/kernels/elementwise";
import { roundFor } from "./round";
import { ACCUMULATE, AVERAGE_INTO } from "../kernels/accumulate";
import { DECAY } from "../kernels/decay";
import { EMA } from "../kernels/ema";
import { UNSCALE_INTO } from "../kernels/unscale";

// Each stage hands its arrays to `runElementwise`, which calls the dtype's kernel in ../kernels
// (monomorphic, so it stays fast whatever else ran in the process) and splits a big pass over the
// helper threads; the generic loop after it only serves inputs of mixed dtypes.

/** Static loss-scale unscaling: `out ← g / factor` (out may be g). */
export function unscale(g: ArrayLike<number>, factor: number, out: FloatArray): void {
  const fr = roundFor(out)(factor);
  if (runElementwise(UNSCALE_INTO, [g, out], [fr])) return;
  for (let k = 0; k < out.length; k++) out[k] = g[k] / fr;
}

/** Non-update micro-step: `acc ← acc + g` (the raw, unclipped gradient). */
export function accumulate(acc: FloatArray, g: ArrayLike<number>): void {
  if (runElementwise(ACCUMULATE, [acc, g], [])) return;
  for (let k = 0; k < acc.length; k++) acc[k] += g[k];
}

/**
 * Update micro-step: `acc ← (g + acc) / n`, the mean of the n micro-gradients (the current one
 * is not first added to the accumulator, as in Keras). The result then serves as the gradient.
 */
export function averageInto(acc: FloatArray, g: ArrayLike<number>, n: number): void {
  if (runElementwise(AVERAGE_INTO, [acc, g], [n])) return;
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
  runElementwise(DECAY, [v], [wd, lr]);
}

/**
 * `avg ← m·avg + (1 − m)·v`. Call it with m = 0 on the first step, so the average starts as a
 * copy of the weights (no zero-init bias), then with the EMA momentum.
 */
export function emaUpdate(avg: FloatArray, v: FloatArray, momentum: number): void {
  if (runElementwise(EMA, [avg, v], [momentum])) return;
  const r = roundFor(avg);
  const m = r(momentum),
    om = r(1 - m);
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
