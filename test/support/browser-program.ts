/**
 * One deterministic program that runs the same in Node and in a page: Lion and AdamW steps on
 * fixed parameters and fixed gradients, and one float32 matmul big enough for the wasm GEMM. It
 * takes the ndgrad module as an argument (types only are imported), so the browser test bundles
 * this file with the installed package and the Node side passes the sources; both return the
 * float32 bits, which the test compares.
 *
 * Why these pieces: the optimizer kernels are bit-identical across backends and engines (every
 * operation rounds to float32), so the page on wasm must give Node's bits exactly; the wasm GEMM
 * accumulates in float32 and the JavaScript one in double, so the matmul bits tell which GEMM
 * really ran (and each GEMM is deterministic, so a page's matmul equals Node's on its backend).
 *
 * @example const result = optimizerProgram(await import("ndgrad"));
 */
import type * as Ndgrad from "ndgrad";

/** What the program reports: the backend, where parameters live, and the bits of its results. */
export interface ProgramResult {
  backend: string;
  reason: string;
  /** Whether a float32 parameter's values are in a shared buffer: on a page without the global SharedArrayBuffer, only the wasm heap's memory is. */
  paramsInSharedMemory: boolean;
  lion: number[];
  adamw: number[];
  matmul: number[];
}

/** `n` float32 values in [-1, 1) from a fixed linear congruential sequence (no Math.random). */
export function fixedValues(seed: number, n: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The float32 bits of `values`, as unsigned integers (NaN payloads included). */
function bitsOf(values: Float32Array | Float64Array): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}

// Odd sizes on purpose: the wasm kernels run a tail of n mod 4 elements through a separate step.
const SHAPES: number[][] = [[1003], [7, 9], [3]];

function train(nd: typeof Ndgrad, optimizer: Ndgrad.optim.Optimizer, seed: number): { bits: number[]; shared: boolean } {
  const params = SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return new nd.Parameter(nd.tensor(fixedValues(seed + i, size)).reshape(shape));
  });
  for (let step = 0; step < 12; step++) {
    const grads = params.map((p, i) => nd.tensor(fixedValues(1000 * (step + 1) + seed + i, p.size)).reshape(p.shape));
    optimizer.apply(grads, params);
  }
  const shared = params.every((p) => Object.prototype.toString.call(p.values.buffer) === "[object SharedArrayBuffer]");
  return { bits: params.flatMap((p) => bitsOf(p.values)), shared };
}

/**
 * Runs the program on the backend in use and returns its bits.
 * @example optimizerProgram(nd).lion.length // 1069
 */
export function optimizerProgram(nd: typeof Ndgrad): ProgramResult {
  const lion = train(nd, new nd.optim.Lion({ learningRate: 1e-3, weightDecay: 0.1 }), 1);
  const adamw = train(nd, new nd.optim.AdamW({ learningRate: 1e-2, weightDecay: 0.004, amsgrad: true, clipNorm: 1 }), 2);
  const a = nd.tensor(fixedValues(3, 24 * 200)).reshape([24, 200]);
  const b = nd.tensor(fixedValues(4, 200 * 40)).reshape([200, 40]);
  return {
    backend: nd.getBackend(),
    reason: nd.backendReason(),
    paramsInSharedMemory: lion.shared && adamw.shared,
    lion: lion.bits,
    adamw: adamw.bits,
    matmul: bitsOf(nd.matmul(a, b).values),
  };
}
