import { show } from "./check";
/** Element types ndgrad computes in: float32 by default, float64 for gradient checks and references. */
export type DType = "float32" | "float64";

/** The typed array behind a tensor of either dtype. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Arrays of at least this many bytes (32 MiB: 8M float32 elements) are backed by a
 * SharedArrayBuffer, so the helper threads (core/kernels/threads.ts) can work on them in place.
 *
 * Why not smaller: a SharedArrayBuffer is always a fresh mmap, freed on GC, so every new one
 * page-faults on first write, while glibc recycles freed ArrayBuffer memory up to its 32 MiB
 * mmap ceiling. Measured here (alloc + fill, median): 256 K elements 25 µs plain vs 200 µs
 * shared, 1 M 0.25 ms vs 2 ms, 4 M ~3.4 ms vs ~19 ms; from 8 M elements both are fresh mmaps
 * (~35-45 ms each at 10 M). Fresh op outputs in that middle range would pay more in faults than
 * a second thread saves. GEMM does not need shared inputs (it stages them, see threads.ts);
 * long-lived arrays of any size can opt in with `allocateShared`.
 */
export const SHARED_MIN_BYTES = 32 * 1024 * 1024;

/** Allocates a zero-filled typed array of `dtype` (SharedArrayBuffer-backed when ≥ 32 MiB). */
export function allocate(dtype: DType, length: number): FloatArray {
  const bytes = dtype === "float64" ? 8 : 4;
  if (length * bytes >= SHARED_MIN_BYTES) return allocateShared(dtype, length);
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/**
 * Allocates a zero-filled typed array of `dtype` backed by a SharedArrayBuffer, whatever its
 * size (a plain ArrayBuffer where the platform has none): for long-lived arrays (parameters, optimizer state) that threaded kernels should reach
 * without copies. It behaves as any Float32Array/Float64Array (`slice()` returns a plain one).
 * @example const w = allocateShared("float32", 1 << 20); w instanceof Float32Array // true
 */
export function allocateShared(dtype: DType, length: number): FloatArray {
  const bytes = dtype === "float64" ? 8 : 4;
  // A page without cross-origin isolation has no SharedArrayBuffer (and then no threads to share with).
  const sab = typeof SharedArrayBuffer === "undefined" ? new ArrayBuffer(length * bytes) : new SharedArrayBuffer(length * bytes);
  return dtype === "float64" ? new Float64Array(sab) : new Float32Array(sab);
}

/** Whether `array` lives in a SharedArrayBuffer (so worker threads can read and write it). */
export function isShared(array: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== "undefined" && array.buffer instanceof SharedArrayBuffer;
}

/** The dtype of a typed array (anything but Float64Array counts as float32). */
export function dtypeOf(array: ArrayLike<number>): DType {
  return array instanceof Float64Array ? "float64" : "float32";
}

/** Throws unless `dtype` is one ndgrad supports; `where` names the caller. */
export function checkDType(dtype: unknown, where: string): DType {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new Error(`${where}: dtype must be "float32" or "float64", got ${show(dtype)}`);
  }
  return dtype;
}
