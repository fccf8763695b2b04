/**
 * The browser build's twin of `pool.ts`: the same exports, no helper threads. A page runs the
 * wasm kernels on its own thread (`getNumThreads()` is 1 there, so callers never split a job),
 * and this pool runs whatever chunks it is given one after another on the calling thread, which
 * is what `pool.ts` does before its helpers are ready. Web Workers on the shared memory would
 * need a cross-origin-isolated page; not built yet.
 *
 * @example
 * const pool = wasmPool(); // pool.threads === 1
 * pool.run("reluF32", [[px, py, n]]);
 */
import { type KernelExports, type WasmKernels, wasmKernels } from "./loader";

/** One kernel call: an export of kernels.wasm and its arguments (addresses, counts, scalars). */
export interface WasmCall {
  fn: keyof KernelExports;
  args: number[];
}

/** Most chunks per job (as in pool.ts, whose argument area is sized for them). */
export const MAX_CHUNKS = 256;
const MAX_ARGS = 16;

/**
 * The kernels run on the calling thread (see the module comment).
 * @example const pool = new WasmPool(wasmKernels(), 0);
 */
export class WasmPool {
  readonly threads = 1;
  /** The calling thread's GEMM scratch (a byte address in the heap). */
  readonly gemmScratch: number[] = [];

  constructor(
    readonly kernels: WasmKernels,
    helpers: number,
  ) {
    if (helpers !== 0) throw new Error(`WasmPool: helpers must be 0 in the browser build (a page runs the kernels on one thread), got ${helpers}`);
    this.gemmScratch.push(kernels.heap.allocRaw(kernels.exports.gemmScratchBytes()));
  }

  /** How many helpers can take chunks now: none. */
  readyHelpers(): number {
    return 0;
  }

  /** How many chunks helpers have run: none. */
  helperChunks(): number {
    return 0;
  }

  /** There is nothing to wait for; returns the ready count (0). */
  waitReady(_timeoutMs = 0): number {
    return 0;
  }

  /** Runs `fn` once per chunk of arguments, in order; with `scratchAt`, that argument is the GEMM scratch. */
  run(fn: keyof KernelExports, chunks: number[][], scratchAt = -1): void {
    const f = (this.kernels.exports as unknown as Record<string, (...a: number[]) => void>)[fn];
    if (typeof f !== "function") throw new Error(`WasmPool.run: no kernel ${String(fn)}`);
    if (chunks.length > MAX_CHUNKS) throw new Error(`WasmPool.run: ${chunks.length} chunks, at most ${MAX_CHUNKS}`);
    const nargs = chunks.length ? chunks[0].length : 0;
    if (nargs > MAX_ARGS || chunks.some((c) => c.length !== nargs))
      throw new Error(`WasmPool.run: chunks must have the same number of arguments (at most ${MAX_ARGS})`);
    for (const chunk of chunks) {
      const args = chunk.slice();
      if (scratchAt >= 0) args[scratchAt] = this.gemmScratch[0];
      f(...args);
    }
  }

  /** Frees the scratch. */
  terminate(): void {
    for (const s of this.gemmScratch) this.kernels.heap.freeRaw(s);
    this.gemmScratch.length = 0;
  }
}

let shared: WasmPool | null = null;

/**
 * The page's pool on `wasmKernels()` (one thread), created on first use.
 * @example wasmPool().threads // 1
 */
export function wasmPool(): WasmPool {
  if (!shared) shared = new WasmPool(wasmKernels(), 0);
  return shared;
}
