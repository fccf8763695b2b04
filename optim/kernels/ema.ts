/**
 * EMA of the weights, `avg ← m·avg + (1 − m)·v`, per dtype (top-level and monomorphic, as the
 * update kernels: it runs over every parameter on every step when `useEma` is on).
 *
 * @example emaF32(avg, v, 0.99)
 */
import type { ParallelKernel } from "../../core/kernels/threads";

const f = Math.fround;

/** Float32, with Keras's rounding of each product. */
export function emaF32(avg: Float32Array, v: Float32Array, momentum: number): void {
  const m = f(momentum), om = f(1 - m), n = avg.length;
  for (let k = 0; k < n; k++) avg[k] = f(m * avg[k]) + f(om * v[k]);
}

/** Float64. */
export function emaF64(avg: Float64Array, v: Float64Array, m: number): void {
  const om = 1 - m, n = avg.length;
  for (let k = 0; k < n; k++) avg[k] = m * avg[k] + om * v[k];
}

// Descriptors for `parallelFor` (../../core/kernels/threads.ts): helper threads load this module
// by path and call the kernel by name on element ranges; each kernel is purely elementwise.
export const EMA_F32: ParallelKernel = { module: __filename, name: "emaF32", fn: emaF32 };
export const EMA_F64: ParallelKernel = { module: __filename, name: "emaF64", fn: emaF64 };
