// AssemblyScript (compiled by `npm run build:wasm`): the packed, register-tiled float32 GEMM.
//
// C[m×n] (+)= op(A)[m×k] · op(B)[k×n], row-major, every operand in the shared memory. BLIS-style:
//   for jc (NC columns of B)  →  for pc (KC deep)  →  pack B block into NR-wide panels
//     for ic (MC rows of A)   →  pack A block into MR-high panels
//       for jr (NR panel)     →  for ir (MR panel)  →  micro-kernel: an MR × NR tile of C.
// The micro-kernel keeps the 4 × 8 tile in eight f32x4 accumulators (plus two B vectors and one
// broadcast A value: 11 of the 16 SIMD registers, so nothing spills); each k step loads 8 packed
// B values and 4 packed A values and does 32 multiply-adds. The B panel (KC·NR·4 = 8 KiB) stays
// in L1 while the MC × KC block of A (128 KiB) streams from L2.
//
// Exactness: each C element is a float32 sum over p in index order within one KC block, the blocks
// added in order into C. That is a function of k and KC only — not of the thread, the tile, or
// where a row or column block starts — so any split of C over threads gives identical bits. The
// JavaScript GEMM accumulates in double; this one in float32 (a summation difference only, bounded
// by the usual k·u·Σ|a||b|; see test/core/wasm-gemm.test.ts).

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;
const NC = 1024;

/** Bytes of per-thread scratch gemmF32 needs (packed A block, packed B block, an edge tile). */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

@inline function min(a: i32, b: i32): i32 { return a < b ? a : b; }

/** B[p, j] = src[p·ld + j] (p < kc, j < nc) into kc × NR panels, zero-padded at the right edge. */
function packBNormal(src: usize, ld: i32, kc: i32, nc: i32, dst: usize): void {
  for (let j = 0; j < nc; j += NR) {
    const w = min(NR, nc - j);
    let s = src + (<usize>j << 2);
    if (w == NR) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        s += <usize>ld << 2;
        dst += NR * 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let jj = 0; jj < NR; jj++) store<f32>(dst + (<usize>jj << 2), jj < w ? load<f32>(s + (<usize>jj << 2)) : 0);
        s += <usize>ld << 2;
        dst += NR * 4;
      }
    }
  }
}

/** B[p, j] = src[j·ld + p] (B stored transposed, n × k). */
function packBTrans(src: usize, ld: i32, kc: i32, nc: i32, dst: usize): void {
  const rowBytes = <usize>ld << 2;
  for (let j = 0; j < nc; j += NR) {
    const w = min(NR, nc - j);
    const s0 = src + <usize>j * rowBytes;
    for (let p = 0; p < kc; p++) {
      const sp = s0 + (<usize>p << 2);
      for (let jj = 0; jj < NR; jj++) store<f32>(dst + (<usize>jj << 2), jj < w ? load<f32>(sp + <usize>jj * rowBytes) : 0);
      dst += NR * 4;
    }
  }
}

/** A[i, p] = src[i·ld + p] (i < mc, p < kc) into kc × MR panels, zero-padded at the bottom edge. */
function packANormal(src: usize, ld: i32, kc: i32, mc: i32, dst: usize): void {
  const rowBytes = <usize>ld << 2;
  for (let i = 0; i < mc; i += MR) {
    const h = min(MR, mc - i);
    const s0 = src + <usize>i * rowBytes;
    if (h == MR) {
      const s1 = s0 + rowBytes, s2 = s1 + rowBytes, s3 = s2 + rowBytes;
      let p = 0;
      // four rows × four p at a time, transposed in registers: four contiguous stores
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const r0 = v128.load(s0 + o), r1 = v128.load(s1 + o), r2 = v128.load(s2 + o), r3 = v128.load(s3 + o);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
        v128.store(dst, i64x2.shuffle(t0, t1, 1, 3), 16);
        v128.store(dst, i64x2.shuffle(t2, t3, 0, 2), 32);
        v128.store(dst, i64x2.shuffle(t2, t3, 1, 3), 48);
        dst += 4 * MR * 4;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(dst, load<f32>(s0 + o));
        store<f32>(dst, load<f32>(s1 + o), 4);
        store<f32>(dst, load<f32>(s2 + o), 8);
        store<f32>(dst, load<f32>(s3 + o), 12);
        dst += MR * 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) store<f32>(dst + (<usize>ii << 2), ii < h ? load<f32>(s0 + <usize>ii * rowBytes + (<usize>p << 2)) : 0);
        dst += MR * 4;
      }
    }
  }
}

/** A[i, p] = src[p·ld + i] (A stored transposed, k × m). */
function packATrans(src: usize, ld: i32, kc: i32, mc: i32, dst: usize): void {
  const rowBytes = <usize>ld << 2;
  for (let i = 0; i < mc; i += MR) {
    const h = min(MR, mc - i);
    let s = src + (<usize>i << 2);
    if (h == MR) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        s += rowBytes;
        dst += MR * 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let ii = 0; ii < MR; ii++) store<f32>(dst + (<usize>ii << 2), ii < h ? load<f32>(s + (<usize>ii << 2)) : 0);
        s += rowBytes;
        dst += MR * 4;
      }
    }
  }
}

/** Adds (or, with overwrite, stores) the four f32x4 of one row of the tile into C. */
@inline function storeRow(c: usize, lo: v128, hi: v128, overwrite: bool): void {
  if (overwrite) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
  } else {
    v128.store(c, f32x4.add(v128.load(c), lo));
    v128.store(c, f32x4.add(v128.load(c, 16), hi), 16);
  }
}

/** One MR × NR tile: C[c..] (+)= Apanel (kc × MR) · Bpanel (kc × NR). Edge tiles go through `tile`. */
function microKernel(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, h: i32, w: i32, overwrite: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += MR * 4;
    pb += NR * 4;
  }
  const ldcBytes = <usize>ldc << 2;
  if (h == MR && w == NR) {
    storeRow(c, c00, c01, overwrite);
    storeRow(c + ldcBytes, c10, c11, overwrite);
    storeRow(c + 2 * ldcBytes, c20, c21, overwrite);
    storeRow(c + 3 * ldcBytes, c30, c31, overwrite);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let ii = 0; ii < h; ii++) {
    const row = c + <usize>ii * ldcBytes, t = tile + <usize>(ii * NR * 4);
    for (let jj = 0; jj < w; jj++) {
      const at = row + (<usize>jj << 2), x = load<f32>(t + (<usize>jj << 2));
      store<f32>(at, overwrite ? x : load<f32>(at) + x);
    }
  }
}

/**
 * C (+)= op(A)·op(B). Pointers are byte addresses of element [0, 0] of each stored matrix; lda,
 * ldb, ldc are row strides in elements; with transA A is stored k × m (likewise B, n × k).
 * `scratch` holds gemmScratchBytes() bytes private to the calling thread.
 */
export function gemmF32(pA: usize, lda: i32, transA: bool, pB: usize, ldb: i32, transB: bool,
  pC: usize, ldc: i32, m: i32, n: i32, k: i32, accumulate: bool, scratch: usize): void {
  if (m <= 0 || n <= 0) return;
  const ldcBytes = <usize>ldc << 2;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(pC + <usize>i * ldcBytes, 0, <usize>n << 2);
    return;
  }
  const packA = scratch, packB = scratch + MC * KC * 4, tile = packB + KC * NC * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      if (transB) packBTrans(pB + ((<usize>jc * ldb + pc) << 2), ldb, kc, nc, packB);
      else packBNormal(pB + ((<usize>pc * ldb + jc) << 2), ldb, kc, nc, packB);
      // the first k block overwrites C unless accumulating (saves a zeroing pass and a read)
      const overwrite = pc == 0 && !accumulate;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (transA) packATrans(pA + ((<usize>pc * lda + ic) << 2), lda, kc, mc, packA);
        else packANormal(pA + ((<usize>ic * lda + pc) << 2), lda, kc, mc, packA);
        const cBlock = pC + <usize>ic * ldcBytes + (<usize>jc << 2);
        for (let jr = 0; jr < nc; jr += NR) {
          const pb = packB + <usize>(jr / NR) * (<usize>kc * NR * 4);
          for (let ir = 0; ir < mc; ir += MR) {
            const pa = packA + <usize>(ir / MR) * (<usize>kc * MR * 4);
            microKernel(pa, pb, kc, cBlock + <usize>ir * ldcBytes + (<usize>jr << 2), ldc,
              min(MR, mc - ir), min(NR, nc - jr), overwrite, tile);
          }
        }
      }
    }
  }
}
