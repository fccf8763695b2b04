/**
 * Decoupled weight decay `v ← v − v·wd·lr` alone, per dtype (the update kernels fold the same
 * arithmetic into their pass; this one serves the pipeline stage and rules that do not fold it).
 *
 * @example decayF32(v, 0.004, 1e-3)
 */
import { perDtype } from "../../core/kernels/elementwise";

const f = Math.fround;

/** Float32: Keras rounds v·wd, then ·lr, then the difference (on store). */
export function decayF32(v: Float32Array, wd: number, lr: number): void {
  const wdr = f(wd),
    lrr = f(lr);
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const vk = v[k];
    v[k] = vk - f(f(vk * wdr) * lrr);
  }
}

/** Float64: no intermediate rounding. */
export function decayF64(v: Float64Array, wd: number, lr: number): void {
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const vk = v[k];
    v[k] = vk - vk * wd * lr;
  }
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const DECAY = perDtype(__filename, { decayF32, decayF64 });
