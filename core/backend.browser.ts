/**
 * The browser build's backend choice: JavaScript kernels only, for now. The WebAssembly kernels
 * load in Node through the file system and helper threads; their browser path (the bytes inlined
 * into the bundle, one thread) is not wired yet, so "wasm" is refused here with a message that
 * says so. Same exports as backend.ts.
 *
 * @example
 * import { getBackend } from "ndgrad/core";
 * getBackend(); // "js"
 */
import { DType, FloatArray, allocate, allocateShared } from "./dtype";
import { PARALLEL_MIN_ELEMENTS } from "./kernels/threads";
import { fail } from "./check";

/** The kernel sets ndgrad can run on. */
export type Backend = "js" | "wasm";

/**
 * The backend in use: always "js" in the browser build.
 * @example getBackend() // "js"
 */
export function getBackend(): Backend {
  return "js";
}

/**
 * Forces a backend: "js" is accepted; "wasm" throws (not available in the browser build yet).
 * @example setBackend("js");
 */
export function setBackend(name: Backend): void {
  if (name !== "js" && name !== "wasm") fail("setBackend", "backend", 'one of "js", "wasm"', name);
  if (name === "wasm") throw new Error('setBackend: backend "wasm" is not available in the browser build yet (use "js")');
}

/**
 * Whether `a` is a view into the wasm heap: never in the browser build.
 * @example inWasmHeap(new Float32Array(4)) // false
 */
export function inWasmHeap(_a: ArrayBufferView): boolean {
  return false;
}

/**
 * A zero-filled array for a long-lived buffer (shared from PARALLEL_MIN_ELEMENTS on).
 * @example const m = allocateLongLived("float32", 1000);
 */
export function allocateLongLived(dtype: DType, length: number): FloatArray {
  return length >= PARALLEL_MIN_ELEMENTS ? allocateShared(dtype, length) : allocate(dtype, length);
}
