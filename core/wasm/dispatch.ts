/**
 * What the JS-facing wasm wrappers share: turning a Float32Array into the byte address a kernel
 * reads in place (after checking it lives in the wasm heap), the float32 checks of scalars that
 * the JS kernels expect "already rounded", and the split of an elementwise pass over threads.
 *
 * @example const pv = addressOf("lionF32", "v", v); // v: a view from wasmKernels().heap
 */
import { PARALLEL_MIN_ELEMENTS, getNumThreads } from "../kernels/threads";
import { type KernelExports, wasmKernels } from "./loader";
import { show } from "../check";
import { MAX_CHUNKS, wasmPool } from "./pool";

/**
 * The byte address of `a` in the wasm memory; throws (naming the op and argument) when `a` is not
 * a Float32Array (Int32Array for `int32`) view into the wasm heap, or its length is not `n`.
 */
export function addressOf(op: string, name: string, a: unknown, n?: number, int32 = false): number {
  const want = int32 ? Int32Array : Float32Array;
  if (!(a instanceof want)) {
    const got = a === null ? "null" : typeof a === "object" ? (a as object).constructor.name : typeof a;
    throw new Error(`${op} (wasm): ${name} must be a ${want.name}, got ${got}`);
  }
  if (!wasmKernels().heap.owns(a)) {
    throw new Error(`${op} (wasm): ${name} must live in the wasm memory (allocate it with wasmKernels().heap.alloc), got an ordinary ${want.name}`);
  }
  if (n !== undefined && a.length !== n) throw new Error(`${op} (wasm): ${name} has ${a.length} elements, expected ${n}`);
  return a.byteOffset;
}

/** Throws unless `x` is a number that float32 represents exactly (or NaN): the JS kernel's contract. */
export function requireF32(op: string, name: string, x: number): number {
  if (typeof x !== "number" || (Math.fround(x) !== x && x === x)) {
    throw new Error(`${op} (wasm): ${name} must be a float32 value (round it with Math.fround first), got ${show(x)}`);
  }
  return x;
}

/** Throws unless `x` is a number (a hyper-parameter; NaN and ±Infinity pass through, as in the JS kernels). */
export function requireNumber(op: string, name: string, x: unknown): number {
  if (typeof x !== "number") throw new Error(`${op} (wasm): ${name} must be a number, got ${show(x)}`);
  return x;
}

/**
 * Calls an elementwise kernel, split over the wasm pool when it has ≥ 1M elements (the JS
 * path's threshold). `ptrs` are the positions of the array addresses in `args` (an address 0
 * means "no array" and is left alone), `nAt` the position of the element count. The chunks
 * (64Ki elements or more, starting at multiples of 4) are taken by whichever thread is free;
 * elementwise, so the result does not depend on who ran what.
 */
export function runElementwise(fn: keyof KernelExports, args: number[], ptrs: readonly number[], nAt: number): void {
  const n = args[nAt];
  const threads = n >= PARALLEL_MIN_ELEMENTS ? getNumThreads() : 1;
  if (threads <= 1) {
    (wasmKernels().exports[fn] as (...a: number[]) => void)(...args);
    return;
  }
  const chunk = Math.max(1 << 16, Math.ceil(n / MAX_CHUNKS / 4) * 4);
  const chunks: number[][] = [];
  for (let start = 0; start < n; start += chunk) {
    const a = args.slice();
    for (const i of ptrs) if (a[i] !== 0) a[i] += start * 4;
    a[nAt] = Math.min(chunk, n - start);
    chunks.push(a);
  }
  wasmPool().run(fn, chunks);
}
