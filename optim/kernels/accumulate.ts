/**
 * Gradient-accumulation passes per dtype: add a micro-gradient, and average on the update step.
 *
 * @example accumulateF32(acc, g); averageIntoF32(acc, g, 4)
 */
import type { ParallelKernel } from "../../core/kernels/threads";

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

// Descriptors for `parallelFor` (../../core/kernels/threads.ts): helper threads load this module
// by path and call the kernel by name on element ranges; each kernel is purely elementwise.
export const ACCUMULATE_F32: ParallelKernel = { module: __filename, name: "accumulateF32", fn: accumulateF32 };
export const ACCUMULATE_F64: ParallelKernel = { module: __filename, name: "accumulateF64", fn: accumulateF64 };
export const AVERAGE_INTO_F32: ParallelKernel = { module: __filename, name: "averageIntoF32", fn: averageIntoF32 };
export const AVERAGE_INTO_F64: ParallelKernel = { module: __filename, name: "averageIntoF64", fn: averageIntoF64 };
