/**
 * An elementwise kernel for the threads tests: helpers load it by module path, so it lives in
 * its own module (a test file would run its `describe`s when required in a helper).
 */
import type { ParallelKernel } from "../../core/kernels/threads";

/** `y[i] = a·x[i] + y[i]` (rounded to float32 on store), `x[i] = -x[i]` when `negate`. */
export function axpyF32(y: Float32Array, x: Float32Array, a: number, negate: boolean): void {
  for (let i = 0; i < y.length; i++) {
    y[i] = a * x[i] + y[i];
    if (negate) x[i] = -x[i];
  }
}

export const AXPY_F32: ParallelKernel = { module: __filename, name: "axpyF32", fn: axpyF32 };
