/**
 * Memory for optimizer state (slots, EMA averages, accumulators, work buffers): long-lived, so
 * for a parameter big enough for the threaded kernels (≥ PARALLEL_MIN_ELEMENTS) it lives in a
 * SharedArrayBuffer from the start — `runElementwise` splits a pass only when every array of the
 * call is shared. The one-off cost of a fresh shared mapping (see ../core/dtype.ts) is paid at
 * build time, never per step; smaller state uses `allocate` as before.
 *
 * @example const m = allocateState("float32", p.size); // shared when p.size ≥ 1M
 */
import { DType, FloatArray } from "../core/dtype";
import { allocateLongLived } from "../core/backend";

/**
 * A zero-filled state array for a parameter of `length` elements (shared when large; in the wasm
 * heap for float32 on the wasm backend, so the wasm optimizer passes read it in place).
 */
export function allocateState(dtype: DType, length: number): FloatArray {
  return allocateLongLived(dtype, length);
}
