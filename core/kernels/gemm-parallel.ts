/**
 * GEMM split over the thread pool: blocks of whole rows or columns of C, each computed by one
 * thread with `gemmPacked`, so the result is bit-identical to the single-threaded product.
 * Operands that do not live in a SharedArrayBuffer are staged into the pool's shared scratch
 * (one copy, cheap next to the product).
 */
import type { FloatArray } from "../dtype";
import { gemmPacked } from "./gemm-packed";
import { kindOf, readyHelpers, readyPool, scratch } from "./pool";
import type { ParallelKernel } from "./pool-protocol";
import { parallelChunks } from "./threads";

/**
 * Chunk `q` of a split GEMM: a block of `chunk` columns (or rows) of C. The kernel both sides
 * run (helpers load it by this module's path).
 */
export function gemmChunk(
  A: FloatArray,
  B: FloatArray,
  C: FloatArray,
  aOff: number,
  lda: number,
  transA: boolean,
  bOff: number,
  ldb: number,
  transB: boolean,
  cOff: number,
  ldc: number,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
  cols: boolean,
  chunk: number,
  q: number,
): void {
  const s = q * chunk;
  if (cols) {
    const w = Math.min(chunk, n - s);
    gemmPacked(A, aOff, lda, transA, B, bOff + (transB ? s * ldb : s), ldb, transB, C, cOff + s, ldc, m, w, k, accumulate);
  } else {
    const h = Math.min(chunk, m - s);
    gemmPacked(A, aOff + (transA ? s : s * lda), lda, transA, B, bOff, ldb, transB, C, cOff + s * ldc, ldc, h, n, k, accumulate);
  }
}

const GEMM_CHUNK: ParallelKernel = { module: __filename, name: "gemmChunk", fn: gemmChunk };

/**
 * Runs `gemmPacked` split across the pool when one is ready; returns false (having done
 * nothing) otherwise, and the caller computes the product itself. Same contract as `gemm`.
 * @example if (!parallelGemm(a, 0, k, false, b, 0, n, false, c, 0, n, m, n, k, false)) gemmPacked(...)
 */
export function parallelGemm(
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
): boolean {
  const p = readyPool();
  if (!p) return false;
  const threads = readyHelpers(p) + 1;
  // Split the longer side of C: row blocks re-pack op(B) per chunk, column blocks re-pack op(A);
  // the duplicated packing is then that of the smaller operand.
  const cols = n > m;
  const dim = cols ? n : m;
  const chunk = Math.max(16, Math.ceil(dim / (2 * threads) / 4) * 4);
  const nChunks = Math.ceil(dim / chunk);
  if (nChunks < 2) return false;

  // stage operands that helpers cannot see into shared scratch
  const aRows = transA ? k : m,
    aCols = transA ? m : k;
  const bRows = transB ? n : k,
    bCols = transB ? k : n;
  let a = A,
    ao = aOff,
    b = B,
    bo = bOff,
    c = C,
    co = cOff;
  if (!(A.buffer instanceof SharedArrayBuffer)) {
    const len = (aRows - 1) * lda + aCols;
    a = scratch(p, 0, kindOf(A), len);
    a.set(A.subarray(aOff, aOff + len));
    ao = 0;
  }
  if (!(B.buffer instanceof SharedArrayBuffer)) {
    const len = (bRows - 1) * ldb + bCols;
    b = scratch(p, 1, kindOf(B), len);
    b.set(B.subarray(bOff, bOff + len));
    bo = 0;
  }
  const stageC = !(C.buffer instanceof SharedArrayBuffer);
  if (stageC) {
    const len = (m - 1) * ldc + n;
    c = scratch(p, 2, kindOf(C), len);
    if (accumulate) c.set(C.subarray(cOff, cOff + len));
    co = 0;
  }
  const scalars = [ao, lda, transA, bo, ldb, transB, co, ldc, m, n, k, accumulate, cols, chunk];
  if (!parallelChunks(GEMM_CHUNK, [a, b, c], scalars, nChunks, p)) return false;
  if (stageC) {
    if (ldc === n) C.set(c.subarray(0, m * n), cOff);
    else for (let r = 0; r < m; r++) C.set(c.subarray(r * ldc, r * ldc + n), cOff + r * ldc);
  }
  return true;
}
