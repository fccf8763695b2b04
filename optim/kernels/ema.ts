/**
 * EMA of the weights, `avg ← m·avg + (1 − m)·v`, per dtype (top-level and monomorphic, as the
 * update kernels: it runs over every parameter on every step when `useEma` is on).
 *
 * @example emaF32(avg, v, 0.99)
 */
import { perDtype } from "../../core/kernels/elementwise";

const f = Math.fround;

/** Float32, with Keras's rounding of each product. */
export function emaF32(avg: Float32Array, v: Float32Array, momentum: number): void {
  const m = f(momentum),
    om = f(1 - m),
    n = avg.length;
  for (let k = 0; k < n; k++) avg[k] = f(m * avg[k]) + f(om * v[k]);
}

/** Float64. */
export function emaF64(avg: Float64Array, v: Float64Array, m: number): void {
  const om = 1 - m,
    n = avg.length;
  for (let k = 0; k < n; k++) avg[k] = m * avg[k] + om * v[k];
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const EMA = perDtype(__filename, { emaF32, emaF64 });
