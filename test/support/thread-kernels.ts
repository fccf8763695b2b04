/**
 * An elementwise kernel for the threads tests: helpers load it by module path, so it lives in
 * its own module (a test file would run its `describe`s when required in a helper).
 */
import type { ParallelKernel } from "../../core/kernels/threads";
import { perDtype } from "../../core/kernels/elementwise";

/** `y[i] = a·x[i] + y[i]` (rounded to float32 on store), `x[i] = -x[i]` when `negate`. */
export function axpyF32(y: Float32Array, x: Float32Array, a: number, negate: boolean): void {
  for (let i = 0; i < y.length; i++) {
    y[i] = a * x[i] + y[i];
    if (negate) x[i] = -x[i];
  }
}

export const AXPY_F32: ParallelKernel = { module: __filename, name: "axpyF32", fn: axpyF32 };

/** As `axpyF32`, for float64 (the pair `runElementwise` picks from). */
export function axpyF64(y: Float64Array, x: Float64Array, a: number, negate: boolean): void {
  for (let i = 0; i < y.length; i++) {
    y[i] = a * x[i] + y[i];
    if (negate) x[i] = -x[i];
  }
}

export const AXPY = perDtype(__filename, { axpyF32, axpyF64 });
