/**
 * The wasm GEMM for operands wherever they live: an operand outside the wasm heap (an
 * activation, a gradient from the tape) is copied into a heap scratch block first, and C copied
 * back after. For a product worth the wasm path (more than 4096 multiply-adds, and not a
 * vector) the copies are small beside the work: A and B are read once each against m·n·k
 * multiply-adds (the MLP's 64×784·784×128 moves 0.2 M floats for 6.4 M multiply-adds).
 *
 * The scratch blocks (one per operand) are kept and grown to the largest product seen, so a
 * training step allocates nothing.
 *
 * @example gemmStagedF32(x, 0, 784, false, w, 0, 784, true, y, 0, 128, 64, 128, 784, false); // y = x·wᵀ
 */
import { gemmF32 } from "./gemm";
import { wasmKernels } from "./loader";

const scratch: (Float32Array | null)[] = [null, null, null];

/** Products run and operands copied in (tests check that a backend really ran its GEMM). */
export const gemmStagedStats = { calls: 0, staged: 0 };

/** A heap block of at least `n` elements for operand slot `i` (0: A, 1: B, 2: C). */
function scratchFor(i: number, n: number): Float32Array {
  const s = scratch[i];
  if (s !== null && s.length >= n) return s;
  const heap = wasmKernels().heap;
  if (s !== null) heap.free(s);
  scratch[i] = null;
  // Grow by at least a quarter, so a slowly growing size does not reallocate every call.
  const v = heap.alloc(Math.max(n, s === null ? 0 : Math.ceil(s.length * 1.25)));
  scratch[i] = v;
  return v;
}

/** Elements from the first to the last one a rows × cols matrix with row stride ld touches. */
const extent = (rows: number, cols: number, ld: number) => (rows - 1) * ld + cols;

/**
 * `C[m×n] (+)= op(A)[m×k] · op(B)[k×n]` on the wasm GEMM, float32; arguments as
 * core/kernels/gemm.ts's `gemm`; m, n, k ≥ 1 (the caller handles empty products).
 */
export function gemmStagedF32(
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
  const heap = wasmKernels().heap;
  gemmStagedStats.calls++;
  let a = A,
    ao = aOff,
    b = B,
    bo = bOff,
    c = C,
    co = cOff;
  if (!heap.owns(A)) {
    const len = transA ? extent(k, m, lda) : extent(m, k, lda);
    a = scratchFor(0, len);
    gemmStagedStats.staged++;
    a.set(A.subarray(aOff, aOff + len));
    ao = 0;
  }
  if (!heap.owns(B)) {
    const len = transB ? extent(n, k, ldb) : extent(k, n, ldb);
    b = scratchFor(1, len);
    b.set(B.subarray(bOff, bOff + len));
    bo = 0;
  }
  const stageC = !heap.owns(C);
  if (stageC) {
    const len = extent(m, n, ldc);
    c = scratchFor(2, len);
    if (accumulate) c.set(C.subarray(cOff, cOff + len));
    co = 0;
  }
  gemmF32(a, ao, lda, transA, b, bo, ldb, transB, c, co, ldc, m, n, k, accumulate);
  if (!stageC) return;
  // Back row by row when rows have gaps (ldc > n): the gaps of C are not ours to write.
  if (ldc === n) C.set(c.subarray(0, m * n), cOff);
  else for (let i = 0; i < m; i++) C.set(c.subarray(i * ldc, i * ldc + n), cOff + i * ldc);
}
