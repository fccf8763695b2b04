/**
 * General matrix multiply over raw typed arrays: C (+)= op(A) · op(B), row-major. Picks the
 * path by size: a plain loop for tiny products, the packed kernel (`gemm-packed.ts`), or the
 * packed kernel split over threads (`gemm-parallel.ts`) for big ones.
 */
import type { FloatArray } from "../dtype";
import { gemmPacked, gemmSmall } from "./gemm-packed";
import { parallelGemm } from "./gemm-parallel";

/** Below this many multiply-adds, packing costs more than it saves: use a plain loop. */
const SMALL = 4096;
/**
 * From this many multiply-adds (2 MFLOP, ~0.45 ms on one thread) the product is split over the
 * helper threads; below it a fork-join (~20-60 µs of wake-up and staging) would eat the gain.
 */
const PARALLEL_MIN = 1 << 20;

/** A float32 GEMM of another backend, same arguments (installed by core/backend.ts). */
export type Float32Gemm = (
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
) => void;

let float32Gemm: Float32Gemm | null = null;

/**
 * Installs (or, with null, removes) the GEMM used for float32 products past the plain loop's
 * size: the wasm one on the wasm backend. It differs from the JS GEMM in summation only.
 * @example setWasmGemm(null); // the JavaScript GEMM for everything
 */
export function setWasmGemm(fn: Float32Gemm | null): void {
  float32Gemm = fn;
}

/**
 * Row-major GEMM: `C[m×n] (+)= op(A)[m×k] · op(B)[k×n]`.
 *
 * - `A` starts at `aOff`; without `transA` it is stored m × k with row stride `lda`, with `transA`
 *   it is stored k × m (so op(A) = Aᵀ) with row stride `lda`. Same for `B` (k × n, or n × k).
 * - `C` starts at `cOff`, m × n with row stride `ldc`; with `accumulate` the product is added to
 *   C, otherwise C is overwritten.
 * - A, B and C may be Float32Array or Float64Array (mixing is allowed; arithmetic is double).
 *   On the wasm backend an all-float32 product past the plain loop's size runs on the wasm
 *   GEMM instead (float32 accumulation: it differs from this one in summation only).
 *
 * @example
 * // C = A·B for 2×3 and 3×2 matrices
 * const c = new Float32Array(4);
 * gemm(a, 0, 3, false, b, 0, 2, false, c, 0, 2, 2, 2, 3, false);
 * // backward of C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC, no transposed copies
 * gemm(dC, 0, n, false, b, 0, n, true, dA, 0, k, m, k, n, false);
 * gemm(a, 0, k, true, dC, 0, n, false, dB, 0, n, k, n, m, false);
 */
export function gemm(
  A: FloatArray,
  aOff: number,
  lda: number,
  transA: boolean,
  B: FloatArray,
  bOff: number,
  ldb: number,
  transB: boolean,
  C: FloatArray,
  cOff: number,
  ldc: number,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || m * n * k <= SMALL || m === 1 || n === 1) {
    if (!accumulate) {
      for (let i = 0; i < m; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + n);
    }
    gemmSmall(A, aOff, lda, transA, B, bOff, ldb, transB, C, cOff, ldc, m, n, k);
    return;
  }
  if (float32Gemm !== null && A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) {
    float32Gemm(A, aOff, lda, transA, B, bOff, ldb, transB, C, cOff, ldc, m, n, k, accumulate);
    return;
  }
  if (m * n * k >= PARALLEL_MIN && parallelGemm(A, aOff, lda, transA, B, bOff, ldb, transB, C, cOff, ldc, m, n, k, accumulate)) {
    return;
  }
  gemmPacked(A, aOff, lda, transA, B, bOff, ldb, transB, C, cOff, ldc, m, n, k, accumulate);
}
