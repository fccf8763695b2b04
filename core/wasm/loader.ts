/**
 * Loads core/wasm/kernels.wasm (built from core/wasm/asm/ by `npm run build:wasm`) and
 * instantiates it on a WasmHeap's shared memory. The bytes come from `kernel-bytes.ts`: in Node
 * the file next to this one, in the browser build the same bytes inlined in the bundle (its
 * twin `kernel-bytes.browser.ts`), so nothing here needs a file system.
 *
 * @example
 * if (validateSimd()) { const k = wasmKernels(); const v = k.heap.alloc(8); }
 */
import { type WasmModule, wasmApi } from "./webassembly";
import { WasmHeap } from "./memory";
import { kernelBytes } from "./kernel-bytes";
import { wasmUnavailableReason } from "./support";

export { kernelBytes, kernelPath } from "./kernel-bytes";

/** The exports of kernels.wasm (addresses are byte offsets in the shared memory). */
export interface KernelExports {
  heapBase(): number;
  lionF32(pv: number, pg: number, pm: number, n: number, b1: number, omb1: number, b2: number, omb2: number, lr: number, wd: number, decay: number): void;
  adamF32(
    pv: number,
    pg: number,
    pm: number,
    pu: number,
    puh: number,
    n: number,
    alpha: number,
    omb1: number,
    omb2: number,
    eps: number,
    wd: number,
    lr: number,
    decay: number,
    ams: number,
  ): void;
  sgdF32(pv: number, pg: number, pb: number, n: number, lr: number, mu: number, wd: number, decay: number, momentum: number, nesterov: number): void;
  stageF32(kind: number, pa: number, pb: number, n: number, s1: number, s2: number): void;
  sumOfSquaresF32(pg: number, n: number): number;
  allFiniteF32(pa: number, n: number): number;
  gemmScratchBytes(): number;
  gemmF32(
    pA: number,
    lda: number,
    transA: number,
    pB: number,
    ldb: number,
    transB: number,
    pC: number,
    ldc: number,
    m: number,
    n: number,
    k: number,
    accumulate: number,
    scratch: number,
  ): void;
  reluF32(px: number, py: number, n: number): void;
  reluBackwardF32(px: number, pg: number, pdx: number, n: number): void;
  addBiasRowsF32(py: number, pb: number, rows: number, cols: number): void;
  sumRowsF32(pg: number, pdb: number, rows: number, cols: number): void;
  sumF32(px: number, n: number): number;
  softmaxCrossEntropyF32(px: number, plabels: number, N: number, C: number, ploss: number, plse: number): void;
  softmaxCrossEntropyBackwardF32(px: number, plabels: number, N: number, C: number, plse: number, pg: number, pd: number): void;
  im2colF32(
    px: number,
    C: number,
    H: number,
    W: number,
    KH: number,
    KW: number,
    SH: number,
    SW: number,
    PH: number,
    PW: number,
    OH: number,
    OW: number,
    pcols: number,
    ld: number,
  ): void;
  col2imF32(
    pcols: number,
    ld: number,
    C: number,
    H: number,
    W: number,
    KH: number,
    KW: number,
    SH: number,
    SW: number,
    PH: number,
    PW: number,
    OH: number,
    OW: number,
    pdx: number,
  ): void;
}

/** A module instantiated on a heap: what the kernel wrappers call. */
export interface WasmKernels {
  module: WasmModule;
  heap: WasmHeap;
  exports: KernelExports;
}

/**
 * True when this engine can run the kernels: it validates them (WebAssembly with 128-bit SIMD and
 * threads) and makes the shared memory they import (`wasmUnavailableReason` says why not).
 * The "wasm by default where SIMD validates, JS otherwise" rule asks this.
 * @example validateSimd() // true on Node 20
 */
export function validateSimd(bytes?: Uint8Array): boolean {
  return wasmUnavailableReason(bytes) === null;
}

/**
 * Compiles the kernels (from the given bytes, or kernels.wasm).
 * @example const mod = compileKernels(); // a WebAssembly.Module, postable to workers
 */
export function compileKernels(bytes?: Uint8Array): WasmModule {
  return new (wasmApi().Module)(bytes ?? kernelBytes());
}

/**
 * Instantiates `module` on `heap`'s memory (synchronously; the module is small).
 * @example const k = instantiateKernels(compileKernels(), new WasmHeap());
 */
export function instantiateKernels(module: WasmModule, heap: WasmHeap): WasmKernels {
  const instance = new (wasmApi().Instance)(module, { env: { memory: heap.memory } });
  const exports = instance.exports as unknown as KernelExports;
  if (exports.heapBase() > 65536) throw new Error(`wasm kernels: static data ends at byte ${exports.heapBase()}, above the 64 KiB the heap reserves`);
  return { module, heap, exports };
}

let shared: WasmKernels | null = null;

/**
 * The process-wide kernels and heap (created on first use). Buffers that kernels should read in
 * place are allocated from `wasmKernels().heap`.
 * @example const { heap } = wasmKernels(); const w = heap.alloc(128 * 784);
 */
export function wasmKernels(): WasmKernels {
  if (!shared) shared = instantiateKernels(compileKernels(), new WasmHeap());
  return shared;
}
