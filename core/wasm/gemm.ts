/**
 * The wasm GEMM with the signature of core/kernels/gemm.ts (float32 only; A, B and C must live
 * in the wasm heap). Products of ≥ 2 MFLOP are split over the wasm pool into blocks of rows of C
 * (or of columns, for short wide products) that free threads take from a shared counter. Every
 * element of C depends only on its row of A, its column of B and the fixed k blocking, not on
 * the block it falls in or the thread that ran it, so results are bit-identical for any count.
 *
 * It accumulates in float32 (the JS GEMM accumulates in double): the two differ by summation
 * precision and order only, within k·2^-24·Σ|a||b| per element (test/core/wasm-gemm.test.ts).
 *
 * @example
 * const { heap } = wasmKernels();
 * const a = heap.alloc(2 * 3), b = heap.alloc(3 * 2), c = heap.alloc(4);
 * gemmF32(a, 0, 3, false, b, 0, 2, false, c, 0, 2, 2, 2, 3, false); // c = a·b
 */
import { getNumThreads } from "../kernels/threads";
import { addressOf } from "./dispatch";
import { wasmKernels } from "./loader";
import { wasmPool } from "./pool";

/** From this many multiply-adds a product is split over threads (as the JS GEMM does). */
const PARALLEL_MIN = 1 << 20;
const MR = 4,
  NR = 8;

let mainScratch = 0;

function checkExtent(name: string, a: Float32Array, off: number, rows: number, cols: number, ld: number): void {
  if (!Number.isInteger(off) || off < 0 || !Number.isInteger(ld) || ld < cols) {
    throw new Error(`gemmF32 (wasm): ${name} offset ${off} / row stride ${ld} invalid for ${rows}×${cols} (need offset ≥ 0, stride ≥ ${cols})`);
  }
  const last = off + (rows - 1) * ld + cols - 1;
  if (rows > 0 && cols > 0 && last >= a.length) {
    throw new Error(`gemmF32 (wasm): ${name} is ${a.length} elements, too short for ${rows}×${cols} at offset ${off} with stride ${ld}`);
  }
}

/**
 * `C[m×n] (+)= op(A)[m×k] · op(B)[k×n]`, row-major; arguments as core/kernels/gemm.ts's `gemm`.
 * @example gemmF32(x, 0, inF, false, w, 0, inF, true, y, 0, outF, rows, outF, inF, true) // y += x·wᵀ
 */
export function gemmF32(
  A: Float32Array,
  aOff: number,
  lda: number,
  transA: boolean,
  B: Float32Array,
  bOff: number,
  ldb: number,
  transB: boolean,
  C: Float32Array,
  cOff: number,
  ldc: number,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
): void {
  for (const [name, x] of [
    ["m", m],
    ["n", n],
    ["k", k],
  ] as const) {
    if (!Number.isInteger(x) || x < 0) throw new Error(`gemmF32 (wasm): ${name} must be a non-negative integer, got ${x}`);
  }
  const pA = addressOf("gemmF32", "A", A),
    pB = addressOf("gemmF32", "B", B),
    pC = addressOf("gemmF32", "C", C);
  if (m === 0 || n === 0) return;
  if (transA) checkExtent("A", A, aOff, k, m, lda);
  else checkExtent("A", A, aOff, m, k, lda);
  if (transB) checkExtent("B", B, bOff, n, k, ldb);
  else checkExtent("B", B, bOff, k, n, ldb);
  checkExtent("C", C, cOff, m, n, ldc);
  const a0 = pA + aOff * 4,
    b0 = pB + bOff * 4,
    c0 = pC + cOff * 4;
  const ta = transA ? 1 : 0,
    tb = transB ? 1 : 0,
    acc = accumulate ? 1 : 0;
  const threads = m * n * k >= PARALLEL_MIN ? getNumThreads() : 1;
  if (threads <= 1) {
    const { heap, exports } = wasmKernels();
    if (mainScratch === 0) mainScratch = heap.allocRaw(exports.gemmScratchBytes());
    exports.gemmF32(a0, lda, ta, b0, ldb, tb, c0, ldc, m, n, k, acc, mainScratch);
    return;
  }
  // Blocks of ≥ 64 rows (or columns), about four per thread, taken from the pool's counter:
  // each block repacks its share of B (or A), so blocks stay big enough to amortise that.
  const pool = wasmPool(),
    T = pool.threads,
    chunks: number[][] = [];
  if (m >= T * MR * 2 || m >= n) {
    const rows = Math.max(64, Math.ceil(m / (4 * T) / MR) * MR);
    for (let r = 0; r < m; r += rows) {
      const a = transA ? a0 + r * 4 : a0 + r * lda * 4;
      chunks.push([a, lda, ta, b0, ldb, tb, c0 + r * ldc * 4, ldc, Math.min(rows, m - r), n, k, acc, 0]);
    }
  } else {
    const cols = Math.max(64, Math.ceil(n / (4 * T) / NR) * NR);
    for (let j = 0; j < n; j += cols) {
      const b = transB ? b0 + j * ldb * 4 : b0 + j * 4;
      chunks.push([a0, lda, ta, b, ldb, tb, c0 + j * 4, ldc, m, Math.min(cols, n - j), k, acc, 0]);
    }
  }
  pool.run("gemmF32", chunks, 12);
}
