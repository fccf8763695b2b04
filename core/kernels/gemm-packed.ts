/**
 * The packed, register-tiled GEMM kernel (one thread): C (+)= op(A) · op(B), row-major.
 *
 * Why it looks like this (see docs/PERFORMANCE.md): V8 emits scalar code and does not
 * vectorise, so a plain i-k-j loop is bound by loads/converts/stores at ~1 GFLOP/s. What helps is
 * keeping a tile of C in local variables (registers) so that each step of the inner loop loads
 * 4 values of A and 4 of B and does 16 multiply-adds. To make those loads sequential, A and B
 * are first *packed* (BLIS style) into contiguous panels:
 *   - B: a kc × nc block becomes ceil(nc/4) panels of kc × 4 (row p holds B[p, j..j+3]);
 *   - A: an mc × kc block becomes ceil(mc/4) panels of kc × 4 (row p holds A[i..i+3, p]).
 * Edge panels are zero-padded, so the micro-kernel always computes a full 4 × 4 tile and only
 * the write-back looks at the edges.
 *
 * Transposed operands (Aᵀ·B, A·Bᵀ) cost nothing extra: only the packing reads change, so
 * backward passes never materialise a transpose.
 *
 * The packed panels are always Float64Array, whatever the dtype of A/B/C: the micro-kernel then
 * sees one element kind only (monomorphic, no float32→float64 converts in the hot loop), and
 * accumulation happens in double precision; float32 results are rounded once, on store.
 * The panels live in grow-only module-level scratch, so steady-state calls allocate nothing.
 */
import { FloatArray } from "../dtype";

/** Micro-tile height/width (rows of A, columns of B per register tile). */
const MR = 4;
const NR = 4;
/** Cache blocking: depth of a packed block, rows of A per packed block, columns of B per block. */
const KC = 256;
const MC = 128;
const NC = 2048;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * NC);

/**
 * The packed path of `gemm` on its own (no size dispatch). Every element of C is a function of
 * its row of op(A), its column of op(B) and the fixed k blocking (KC) only, so computing any
 * block of rows or columns of C with this gives bit-identical values to the whole product:
 * that is what lets gemm-parallel.ts split a product across threads deterministically.
 */
export function gemmPacked(
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
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + n);
    return;
  }
  const needB = KC * Math.min(NC, roundUp(n, NR));
  if (packB.length < needB) packB = new Float64Array(needB);
  const needA = KC * Math.min(MC, roundUp(m, MR));
  if (packA.length < needA) packA = new Float64Array(needA);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      if (transB) packBTrans(B, bOff + jc * ldb + pc, ldb, kc, nc, packB);
      else packBNormal(B, bOff + pc * ldb + jc, ldb, kc, nc, packB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        if (transA) packATrans(A, aOff + pc * lda + ic, lda, kc, mc, packA);
        else packANormal(A, aOff + ic * lda + pc, lda, kc, mc, packA);
        // the first k block overwrites C unless accumulating (saves a zeroing pass and a read)
        macroKernel(packA, packB, C, cOff + ic * ldc + jc, ldc, mc, nc, kc, pc === 0 && !accumulate);
      }
    }
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/** Packs B[p, j] = src[off + p*ld + j] (p < kc, j < nc) into kc × 4 panels, zero-padded. */
function packBNormal(src: FloatArray, off: number, ld: number, kc: number, nc: number, dst: Float64Array): void {
  let q = 0;
  for (let j = 0; j < nc; j += NR) {
    const w = Math.min(NR, nc - j);
    if (w === NR) {
      for (let p = 0; p < kc; p++) {
        const s = off + p * ld + j;
        dst[q] = src[s];
        dst[q + 1] = src[s + 1];
        dst[q + 2] = src[s + 2];
        dst[q + 3] = src[s + 3];
        q += NR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = off + p * ld + j;
        for (let jj = 0; jj < NR; jj++) dst[q + jj] = jj < w ? src[s + jj] : 0;
        q += NR;
      }
    }
  }
}

/** Packs B[p, j] = src[off + j*ld + p] (B stored transposed, n × k). */
function packBTrans(src: FloatArray, off: number, ld: number, kc: number, nc: number, dst: Float64Array): void {
  let q = 0;
  for (let j = 0; j < nc; j += NR) {
    const w = Math.min(NR, nc - j);
    if (w === NR) {
      const s0 = off + j * ld;
      const s1 = s0 + ld;
      const s2 = s1 + ld;
      const s3 = s2 + ld;
      for (let p = 0; p < kc; p++) {
        dst[q] = src[s0 + p];
        dst[q + 1] = src[s1 + p];
        dst[q + 2] = src[s2 + p];
        dst[q + 3] = src[s3 + p];
        q += NR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let jj = 0; jj < NR; jj++) dst[q + jj] = jj < w ? src[off + (j + jj) * ld + p] : 0;
        q += NR;
      }
    }
  }
}

/** Packs A[i, p] = src[off + i*ld + p] (i < mc, p < kc) into kc × 4 panels, zero-padded. */
function packANormal(src: FloatArray, off: number, ld: number, kc: number, mc: number, dst: Float64Array): void {
  let q = 0;
  for (let i = 0; i < mc; i += MR) {
    const h = Math.min(MR, mc - i);
    if (h === MR) {
      const s0 = off + i * ld;
      const s1 = s0 + ld;
      const s2 = s1 + ld;
      const s3 = s2 + ld;
      for (let p = 0; p < kc; p++) {
        dst[q] = src[s0 + p];
        dst[q + 1] = src[s1 + p];
        dst[q + 2] = src[s2 + p];
        dst[q + 3] = src[s3 + p];
        q += MR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) dst[q + ii] = ii < h ? src[off + (i + ii) * ld + p] : 0;
        q += MR;
      }
    }
  }
}

/** Packs A[i, p] = src[off + p*ld + i] (A stored transposed, k × m). */
function packATrans(src: FloatArray, off: number, ld: number, kc: number, mc: number, dst: Float64Array): void {
  let q = 0;
  for (let i = 0; i < mc; i += MR) {
    const h = Math.min(MR, mc - i);
    if (h === MR) {
      for (let p = 0; p < kc; p++) {
        const s = off + p * ld + i;
        dst[q] = src[s];
        dst[q + 1] = src[s + 1];
        dst[q + 2] = src[s + 2];
        dst[q + 3] = src[s + 3];
        q += MR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = off + p * ld + i;
        for (let ii = 0; ii < MR; ii++) dst[q + ii] = ii < h ? src[s + ii] : 0;
        q += MR;
      }
    }
  }
}

/**
 * C[mc × nc] (+)= packedA · packedB, one 4 × 4 register tile at a time. The 16 accumulators are
 * locals; each k step loads 4 + 4 packed values and does 16 multiply-adds.
 */
function macroKernel(
  pa: Float64Array,
  pb: Float64Array,
  C: FloatArray,
  cOff: number,
  ldc: number,
  mc: number,
  nc: number,
  kc: number,
  overwrite: boolean,
): void {
  const panelA = kc * MR;
  const panelB = kc * NR;
  for (let j = 0; j < nc; j += NR) {
    const bBase = (j / NR) * panelB;
    const w = nc - j;
    for (let i = 0; i < mc; i += MR) {
      let ai = (i / MR) * panelA;
      let bi = bBase;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let p = 0; p < kc; p++) {
        const a0 = pa[ai],
          a1 = pa[ai + 1],
          a2 = pa[ai + 2],
          a3 = pa[ai + 3];
        const b0 = pb[bi],
          b1 = pb[bi + 1],
          b2 = pb[bi + 2],
          b3 = pb[bi + 3];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
        ai += MR;
        bi += NR;
      }
      const h = mc - i;
      const r0 = cOff + i * ldc + j;
      if (h >= MR && w >= NR && overwrite) {
        const r1 = r0 + ldc,
          r2 = r1 + ldc,
          r3 = r2 + ldc;
        C[r0] = c00;
        C[r0 + 1] = c01;
        C[r0 + 2] = c02;
        C[r0 + 3] = c03;
        C[r1] = c10;
        C[r1 + 1] = c11;
        C[r1 + 2] = c12;
        C[r1 + 3] = c13;
        C[r2] = c20;
        C[r2 + 1] = c21;
        C[r2 + 2] = c22;
        C[r2 + 3] = c23;
        C[r3] = c30;
        C[r3 + 1] = c31;
        C[r3 + 2] = c32;
        C[r3 + 3] = c33;
      } else if (h >= MR && w >= NR) {
        const r1 = r0 + ldc,
          r2 = r1 + ldc,
          r3 = r2 + ldc;
        C[r0] += c00;
        C[r0 + 1] += c01;
        C[r0 + 2] += c02;
        C[r0 + 3] += c03;
        C[r1] += c10;
        C[r1 + 1] += c11;
        C[r1 + 2] += c12;
        C[r1 + 3] += c13;
        C[r2] += c20;
        C[r2 + 1] += c21;
        C[r2 + 2] += c22;
        C[r2 + 3] += c23;
        C[r3] += c30;
        C[r3 + 1] += c31;
        C[r3 + 2] += c32;
        C[r3 + 3] += c33;
      } else {
        const t = edgeTile;
        t[0] = c00;
        t[1] = c01;
        t[2] = c02;
        t[3] = c03;
        t[4] = c10;
        t[5] = c11;
        t[6] = c12;
        t[7] = c13;
        t[8] = c20;
        t[9] = c21;
        t[10] = c22;
        t[11] = c23;
        t[12] = c30;
        t[13] = c31;
        t[14] = c32;
        t[15] = c33;
        storeEdge(C, r0, ldc, Math.min(h, MR), Math.min(w, NR), overwrite);
      }
    }
  }
}

const edgeTile = new Float64Array(MR * NR);

/** Stores (or adds) the valid h × w corner of `edgeTile` into C (tiles cut by the matrix border). */
function storeEdge(C: FloatArray, r0: number, ldc: number, h: number, w: number, overwrite: boolean): void {
  for (let ii = 0; ii < h; ii++) {
    for (let jj = 0; jj < w; jj++) {
      const at = r0 + ii * ldc + jj;
      C[at] = overwrite ? edgeTile[ii * NR + jj] : C[at] + edgeTile[ii * NR + jj];
    }
  }
}

/**
 * Plain loops for tiny products (and matrix-vector shapes), where packing would dominate.
 * Accumulates in a double per output element; C has been zeroed when not accumulating.
 */
export function gemmSmall(
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
): void {
  // element strides of op(A) along i and p, and of op(B) along p and j
  const aI = transA ? 1 : lda;
  const aP = transA ? lda : 1;
  const bP = transB ? 1 : ldb;
  const bJ = transB ? ldb : 1;
  if (bJ === 1 && n >= 8) {
    // B rows contiguous and long enough: i-p-j order, axpy of a row of B into a row of C
    for (let i = 0; i < m; i++) {
      const cRow = cOff + i * ldc;
      for (let p = 0; p < k; p++) {
        const a = A[aOff + i * aI + p * aP];
        const bRow = bOff + p * bP;
        for (let j = 0; j < n; j++) C[cRow + j] += a * B[bRow + j];
      }
    }
    return;
  }
  // B stored transposed (contiguous along p), or only a few columns: one dot product per element
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * aI;
    const cRow = cOff + i * ldc;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ai = aRow;
      let bi = bOff + j * bJ;
      for (let p = 0; p < k; p++) {
        s += A[ai] * B[bi];
        ai += aP;
        bi += bP;
      }
      C[cRow + j] += s;
    }
  }
}
