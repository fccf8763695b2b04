/**
 * Loss-scale passes per dtype: the finite check over a gradient and the division by the scale.
 *
 * @example if (allFiniteF32(g)) unscaleF32(g, Math.fround(1024), out)
 */
import type { ParallelKernel } from "../../core/kernels/threads";


/** True when no element is NaN or ±Infinity (`x − x` is 0 exactly for finite x). */
export function allFiniteF32(a: Float32Array): boolean {
  const n = a.length;
  for (let k = 0; k < n; k++) {
    const x = a[k];
    if (x - x !== 0) return false;
  }
  return true;
}

/** As `allFiniteF32`, for float64. */
export function allFiniteF64(a: Float64Array): boolean {
  const n = a.length;
  for (let k = 0; k < n; k++) {
    const x = a[k];
    if (x - x !== 0) return false;
  }
  return true;
}

/** `out ← g / factor` (float32; pass the factor already rounded to float32). */
export function unscaleF32(g: Float32Array, factor: number, out: Float32Array): void {
  const n = out.length;
  for (let k = 0; k < n; k++) out[k] = g[k] / factor;
}

/** `out ← g / factor` (float64). */
export function unscaleF64(g: Float64Array, factor: number, out: Float64Array): void {
  const n = out.length;
  for (let k = 0; k < n; k++) out[k] = g[k] / factor;
}

/** `unscaleF32` with the arrays first (the argument order `parallelFor` passes). */
export function unscaleIntoF32(g: Float32Array, out: Float32Array, factor: number): void {
  unscaleF32(g, factor, out);
}

/** `unscaleF64` with the arrays first (the argument order `parallelFor` passes). */
export function unscaleIntoF64(g: Float64Array, out: Float64Array, factor: number): void {
  unscaleF64(g, factor, out);
}

// Descriptors for `parallelFor` (../../core/kernels/threads.ts): helper threads load this module
// by path and call the kernel by name on element ranges; each kernel is purely elementwise.
export const UNSCALE_INTO_F32: ParallelKernel = { module: __filename, name: "unscaleIntoF32", fn: unscaleIntoF32 };
export const UNSCALE_INTO_F64: ParallelKernel = { module: __filename, name: "unscaleIntoF64", fn: unscaleIntoF64 };
