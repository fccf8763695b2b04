/**
 * The backend choice: which kernels run the float32 passes. "wasm" (the WebAssembly SIMD kernels
 * of core/wasm/) is the default wherever the engine validates the module; "js" (the plain
 * JavaScript kernels) otherwise. `NDGRAD_BACKEND=js|wasm` in the environment, or `setBackend`,
 * forces one. float64 always runs in JavaScript. The browser build runs this same file (only
 * the environment is read through a twin, `backend-env.browser.ts`), on the same kernels: their
 * bytes are inlined in the bundle and run on the page's thread. `backendReason()` says why the
 * backend in use was chosen, in particular why a page fell back to "js".
 *
 * Why a switch at all and not just "wasm when it validates": the JavaScript kernels are the
 * reference (and what an engine that refuses shared wasm memory runs), and the tests run the goldens
 * and the bit-identity checks on both.
 *
 * What the switch changes: the elementwise dispatch (`core/kernels/elementwise.ts`) gets its
 * wasm column, float32 GEMMs (matmul, linear, conv2d, forward and backward) run on the wasm GEMM
 * (`core/wasm/gemm-staged.ts`), float32 conv2d, relu and 2 × 2 max pooling run their wasm
 * kernels on staged operands (`core/kernels/op-kernels.ts`), and long-lived float32 buffers
 * (`allocateLongLived`: parameters' values, optimizer slots and work buffers) are allocated from
 * the wasm heap so the kernels read them in place. Buffers allocated before a switch keep working on either backend: a pass runs in wasm
 * only when every array of the call lives in the heap, else in JavaScript (bit-identical).
 *
 * @example
 * import { getBackend, setBackend } from "ndgrad/core";
 * setBackend("js"); getBackend(); // "js"
 */
import { DType, FloatArray, allocate, allocateShared } from "./dtype";
import { PARALLEL_MIN_ELEMENTS } from "./kernels/threads";
import { setWasmColumn } from "./kernels/elementwise";
import { setWasmGemm } from "./kernels/gemm";
import { gemmStagedF32 } from "./wasm/gemm-staged";
import { fail } from "./check";
import { wasmKernels } from "./wasm/loader";
import { wasmUnavailableReason } from "./wasm/support";
import { wasmElementwiseColumn } from "./wasm/column";
import { backendFromEnvironment } from "./backend-env";
import { type OpKernels, setWasmOpKernels } from "./kernels/op-kernels";
import { convBackwardStaged, convBiasGradientStaged, convForwardStaged } from "./wasm/conv-staged";
import { reluBackwardStaged, reluStaged } from "./wasm/op-staged";
import { maxPool2x2Staged } from "./wasm/maxpool";
import { unlessFull } from "./wasm/stage";

/** The kernel sets ndgrad can run on. */
export type Backend = "js" | "wasm";

const BACKENDS: readonly Backend[] = ["js", "wasm"];

let current: Backend | null = null;
let reason = "";

function checkName(owner: string, name: unknown): Backend {
  if (typeof name !== "string" || !(BACKENDS as readonly string[]).includes(name)) {
    fail(owner, "backend", 'one of "js", "wasm"', name);
  }
  return name as Backend;
}

function apply(name: Backend, why: string): void {
  current = name;
  reason = why;
  setWasmColumn(name === "wasm" ? wasmElementwiseColumn : null);
  setWasmGemm(name === "wasm" ? gemmStagedF32 : null);
  setWasmOpKernels(name === "wasm" ? WASM_OP_KERNELS : null);
}

// Each declines (false) when the heap has no room left to stage its operands.
const WASM_OP_KERNELS: OpKernels = {
  convForward: (x, w, b, g, out) => unlessFull(() => (convForwardStaged(x, w, b, g, out), true)),
  convBackward: (x, w, dOut, g, dx, dw) => {
    if (unlessFull(() => (convBackwardStaged(x, w, dOut, g, dx, dw), true))) return true;
    // declined part-way (dW written, dX's staging did not fit): hand back zeros, as the JS kernels expect
    dx?.fill(0);
    dw?.fill(0);
    return false;
  },
  convBiasGradient: (dOut, g, db) => unlessFull(() => (convBiasGradientStaged(dOut, g, db), true)),
  relu: (x, y) => unlessFull(() => reluStaged(x, y)),
  reluBackward: (x, g, dx) => unlessFull(() => reluBackwardStaged(x, g, dx)),
  maxPool2x2: (x, out, arg, planes, H, W, OH, OW) => unlessFull(() => maxPool2x2Staged(x, out, arg, planes, H, W, OH, OW)),
};

function chooseAtLoad(): void {
  const env = backendFromEnvironment();
  const unavailable = env === "js" ? null : wasmUnavailableReason();
  if (env === undefined) {
    if (unavailable === null) apply("wasm", "the default: this engine runs the WebAssembly SIMD kernels");
    else apply("js", `the default where the wasm kernels cannot run: ${unavailable}`);
    return;
  }
  const name = checkName("NDGRAD_BACKEND", env);
  if (name === "wasm" && unavailable !== null) throw new Error(`NDGRAD_BACKEND: backend "wasm" was asked for, but ${unavailable} (use "js")`);
  apply(name, `NDGRAD_BACKEND=${name}`);
}

/**
 * The backend in use ("wasm" or "js").
 * @example if (getBackend() === "wasm") console.log("SIMD kernels on");
 */
export function getBackend(): Backend {
  if (current === null) chooseAtLoad();
  return current!;
}

/**
 * Why the backend in use was chosen, as one sentence: the default (and, on "js", what the engine
 * lacks for the wasm kernels, e.g. a page whose browser refuses shared memory without
 * cross-origin isolation), `NDGRAD_BACKEND`, or a `setBackend` call.
 * @example
 * getBackend();    // "wasm"
 * backendReason(); // "the default: this engine runs the WebAssembly SIMD kernels"
 */
export function backendReason(): string {
  getBackend();
  return reason;
}

/**
 * Forces a backend for what runs from now on. Throws, changing nothing, on a name other than
 * "js" or "wasm", or "wasm" where the engine cannot run the module (the message says why).
 * @example setBackend("js"); // the plain JavaScript kernels
 */
export function setBackend(name: Backend): void {
  const b = checkName("setBackend", name);
  if (b === "wasm") {
    const unavailable = wasmUnavailableReason();
    if (unavailable !== null) throw new Error(`setBackend: backend "wasm" cannot run here: ${unavailable} (use "js")`);
  }
  apply(b, `setBackend("${b}")`);
}

/**
 * Whether `a` is a view into the wasm heap (where the wasm kernels read it in place).
 * @example inWasmHeap(new Float32Array(4)) // false
 */
export function inWasmHeap(a: ArrayBufferView): boolean {
  return current === "wasm" && wasmKernels().heap.owns(a);
}

// FinalizationRegistry callbacks run between tasks, so a heap block comes back some time after
// its view is unreachable. Only long-lived buffers come from here (a training loop does not make
// new ones per step), which is why that lag does not pile up.
const heapBlocks = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<number>((at) => wasmKernels().heap.freeRaw(at)) : null;

/**
 * A zero-filled array for a long-lived buffer (a parameter's values, an optimizer slot, a work
 * buffer): in the wasm heap for float32 on the wasm backend (freed when the array is collected),
 * else as before (shared from PARALLEL_MIN_ELEMENTS on, so the JS threads can split it).
 * @example const m = allocateLongLived("float32", 1000);
 */
export function allocateLongLived(dtype: DType, length: number): FloatArray {
  if (dtype === "float32" && length > 0 && heapBlocks !== null && getBackend() === "wasm") {
    try {
      const v = wasmKernels().heap.alloc(length);
      heapBlocks.register(v, v.byteOffset);
      return v;
    } catch {
      // The heap is at its maximum: an ordinary array still works (its passes run in JS).
    }
  }
  return length >= PARALLEL_MIN_ELEMENTS ? allocateShared(dtype, length) : allocate(dtype, length);
}

// Chosen at load, so the dispatch has its column before the first pass (and a bad
// NDGRAD_BACKEND fails at import, naming the value).
getBackend();
