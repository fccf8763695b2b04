/**
 * Gradient-accumulation passes per dtype: add a micro-gradient, and average on the update step.
 *
 * @example accumulateF32(acc, g); averageIntoF32(acc, g, 4)
 */
import { perDtype } from "../../core/kernels/elementwise";

const f = Math.fround;

/** `acc ← acc + g` (float32). */
export function accumulateF32(acc: Float32Array, g: Float32Array): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] += g[k];
}

/** `acc ← acc + g` (float64). */
export function accumulateF64(acc: Float64Array, g: Float64Array): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] += g[k];
}

/** `acc ← fround(g + acc) / n` (float32; the quotient is rounded by the store). */
export function averageIntoF32(acc: Float32Array, g: Float32Array, count: number): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] = f(g[k] + acc[k]) / count;
}

/** `acc ← (g + acc) / n` (float64). */
export function averageIntoF64(acc: Float64Array, g: Float64Array, count: number): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] = (g[k] + acc[k]) / count;
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const ACCUMULATE = perDtype(__filename, { accumulateF32, accumulateF64 });
export const AVERAGE_INTO = perDtype(__filename, { averageIntoF32, averageIntoF64 });
