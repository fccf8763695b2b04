/**
 * Loss-scale passes per dtype: the finite check over a gradient and the division by the scale.
 *
 * @example if (allFiniteF32(g)) unscaleF32(g, Math.fround(1024), out)
 */
import { perDtype } from "../../core/kernels/elementwise";

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

/** `unscaleF32` with the arrays first (the argument order `runElementwise` passes). */
export function unscaleIntoF32(g: Float32Array, out: Float32Array, factor: number): void {
  unscaleF32(g, factor, out);
}

/** `unscaleF64` with the arrays first (the argument order `runElementwise` passes). */
export function unscaleIntoF64(g: Float64Array, out: Float64Array, factor: number): void {
  unscaleF64(g, factor, out);
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const UNSCALE_INTO = perDtype(__filename, { unscaleIntoF32, unscaleIntoF64 });
