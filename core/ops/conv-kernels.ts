/**
 * The raw conv2d kernels of core/ops/conv.ts on the JavaScript backend (and for float64): the
 * grow-only float64 scratch they share, im2col / col2im, and the two GEMM paths (1 × 1 pointwise,
 * general im2col). The direct kernels for small inCh·kh·kw are in ./conv-direct.ts.
 */
import { FloatArray } from "../dtype";
import { gemm } from "../kernels/gemm";

/**
 * Grow-only float64 scratch, one slot per role (contents undefined). Float64 whatever the tensor
 * dtype: the kernels then see one array kind only (monomorphic), sums stay in double and float32
 * outputs are rounded once, on the final copy.
 */
const scratchSlots: Float64Array[] = [];
export const COLS = 0,
  TMP = 1,
  XPAD = 2,
  GPAD = 3,
  ACC = 4,
  WK = 5;
for (let i = 0; i <= WK; i++) scratchSlots.push(new Float64Array(0));
export function scratch(slot: number, n: number): Float64Array {
  if (scratchSlots[slot].length < n) scratchSlots[slot] = new Float64Array(n);
  return scratchSlots[slot];
}

/** Elements of scratch per GEMM chunk of images (16 MB of float64): bounds memory for big batches. */
export const CHUNK = 1 << 21;
/** Direct (non-GEMM) kernels when stride is 1 and inCh·kh·kw is at most this: measured faster there. */
export const DIRECT_MAX = 64;

export interface Geometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  KH: number;
  KW: number;
  SH: number;
  SW: number;
  PH: number;
  PW: number;
  OH: number;
  OW: number;
}

/**
 * Unfolds image `x[xOff ..]` (C × H × W) into cols (C·KH·KW rows of row stride `ld`, OH·OW
 * columns starting at `cOff`), zeros where a window hangs over the padding. Each row is one
 * (c, i, j) kernel tap; per output row the valid columns form one contiguous range, so the bounds
 * checks stay out of the inner loop. A chunk of images sits side by side along the columns.
 */
export function im2col(x: FloatArray, xOff: number, g: Geometry, cols: Float64Array, cOff: number, ld: number): void {
  const { C, H, W, KH, KW, SH, SW, PH, PW, OH, OW } = g;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        // ow range with 0 <= ow*SW - PW + j < W
        const lo = Math.min(OW, Math.max(0, Math.ceil((PW - j) / SW)));
        const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 + PW - j) / SW) + 1));
        let q = cOff + r * ld;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * SH - PH + i;
          if (ih < 0 || ih >= H) {
            cols.fill(0, q, q + OW);
            q += OW;
            continue;
          }
          const row = plane + ih * W - PW + j;
          for (let ow = 0; ow < lo; ow++) cols[q + ow] = 0;
          if (SW === 1) for (let ow = lo; ow < hi; ow++) cols[q + ow] = x[row + ow];
          else for (let ow = lo; ow < hi; ow++) cols[q + ow] = x[row + ow * SW];
          for (let ow = hi; ow < OW; ow++) cols[q + ow] = 0;
          q += OW;
        }
        r++;
      }
    }
  }
}

/** The adjoint of im2col: adds every column entry back onto the pixel it was read from. */
export function col2im(cols: Float64Array, cOff: number, ld: number, g: Geometry, dx: FloatArray, xOff: number): void {
  const { C, H, W, KH, KW, SH, SW, PH, PW, OH, OW } = g;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        const lo = Math.min(OW, Math.max(0, Math.ceil((PW - j) / SW)));
        const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 + PW - j) / SW) + 1));
        let q = cOff + r * ld;
        for (let oh = 0; oh < OH; oh++, q += OW) {
          const ih = oh * SH - PH + i;
          if (ih < 0 || ih >= H) continue;
          const row = plane + ih * W - PW + j;
          if (SW === 1) for (let ow = lo; ow < hi; ow++) dx[row + ow] += cols[q + ow];
          else for (let ow = lo; ow < hi; ow++) dx[row + ow * SW] += cols[q + ow];
        }
        r++;
      }
    }
  }
}

/** 1 × 1, stride 1, no padding: the image itself is the column matrix, one GEMM per image. */
export function pointwiseForward(xv: FloatArray, wv: FloatArray, bv: FloatArray | null, g: Geometry, out: FloatArray): void {
  const { N, C, O, OH, OW } = g;
  const ohw = OH * OW;
  for (let n = 0; n < N; n++) {
    const oOff = n * O * ohw;
    // the bias initialises the output and the GEMM accumulates onto it: no separate pass
    if (bv !== null) for (let o = 0; o < O; o++) out.fill(bv[o], oOff + o * ohw, oOff + (o + 1) * ohw);
    gemm(wv, 0, C, false, xv, n * C * ohw, ohw, false, out, oOff, ohw, O, ohw, C, bv !== null);
  }
}

export function pointwiseBackward(xv: FloatArray, wv: FloatArray, gv: FloatArray, g: Geometry, dx: FloatArray | null, dw: FloatArray | null): void {
  const { N, C, O, OH, OW } = g;
  const ohw = OH * OW;
  for (let n = 0; n < N; n++) {
    // dW[O, C] += dOut[n] (O × ohw) · x[n]ᵀ;  dX[n] (C × ohw) = Wᵀ · dOut[n]
    if (dw !== null) gemm(gv, n * O * ohw, ohw, false, xv, n * C * ohw, ohw, true, dw, 0, C, O, C, ohw, n > 0);
    if (dx !== null) gemm(wv, 0, C, true, gv, n * O * ohw, ohw, false, dx, n * C * ohw, ohw, C, ohw, O, false);
  }
}

/**
 * Images per GEMM chunk: as many as fit CHUNK elements of the bigger of cols (C·KH·KW rows) and
 * the output-major staging matrix (O rows), at least one.
 */
export function chunkImages(g: Geometry): number {
  const rows = Math.max(g.C * g.KH * g.KW, g.O);
  return Math.max(1, Math.min(g.N, Math.floor(CHUNK / (rows * g.OH * g.OW))));
}

/**
 * im2col over a chunk of images side by side, then one GEMM `T[O, nb·ohw] = W · cols` (the bias
 * initialises T, the GEMM accumulates onto it), then T is scattered to NCHW.
 */
export function gemmForward(xv: FloatArray, wv: FloatArray, bv: FloatArray | null, g: Geometry, out: FloatArray): void {
  const { N, C, H, W, O, KH, KW, OH, OW } = g;
  const ckk = C * KH * KW;
  const ohw = OH * OW;
  const nb = chunkImages(g);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const cnt = Math.min(nb, N - n0);
    const ld = cnt * ohw;
    const cols = scratch(COLS, ckk * ld);
    for (let t = 0; t < cnt; t++) im2col(xv, (n0 + t) * C * H * W, g, cols, t * ohw, ld);
    const tmp = scratch(TMP, O * ld);
    if (bv !== null) for (let o = 0; o < O; o++) tmp.fill(bv[o], o * ld, (o + 1) * ld);
    gemm(wv, 0, ckk, false, cols, 0, ld, false, tmp, 0, ld, O, ld, ckk, bv !== null);
    for (let t = 0; t < cnt; t++) {
      for (let o = 0; o < O; o++) {
        const s = o * ld + t * ohw;
        out.set(tmp.subarray(s, s + ohw), ((n0 + t) * O + o) * ohw);
      }
    }
  }
}

/**
 * Per chunk, dOut is gathered output-major (T[O, nb·ohw]); then
 *   dW += T · colsᵀ (one GEMM, depth nb·ohw),   dCols = Wᵀ · T (one GEMM) → col2im onto dX.
 */
export function gemmBackward(xv: FloatArray, wv: FloatArray, gv: FloatArray, g: Geometry, dx: FloatArray | null, dw: FloatArray | null): void {
  const { N, C, H, W, O, KH, KW, OH, OW } = g;
  const ckk = C * KH * KW;
  const ohw = OH * OW;
  const nb = chunkImages(g);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const cnt = Math.min(nb, N - n0);
    const ld = cnt * ohw;
    const tmp = scratch(TMP, O * ld);
    for (let t = 0; t < cnt; t++) {
      for (let o = 0; o < O; o++) {
        const s = ((n0 + t) * O + o) * ohw;
        tmp.set(gv.subarray(s, s + ohw), o * ld + t * ohw);
      }
    }
    const cols = scratch(COLS, ckk * ld);
    if (dw !== null) {
      for (let t = 0; t < cnt; t++) im2col(xv, (n0 + t) * C * H * W, g, cols, t * ohw, ld);
      gemm(tmp, 0, ld, false, cols, 0, ld, true, dw, 0, ckk, O, ckk, ld, n0 > 0);
    }
    if (dx !== null) {
      gemm(wv, 0, ckk, true, tmp, 0, ld, false, cols, 0, ld, ckk, ld, O, false);
      for (let t = 0; t < cnt; t++) col2im(cols, t * ohw, ld, g, dx, (n0 + t) * C * H * W);
    }
  }
}

/** The bias gradient, db[o] = Σ_{n, pixel} dOut[n, o, pixel] (summed in double, rounded once). */
export function biasGradient(gv: FloatArray, N: number, O: number, ohw: number, d: FloatArray): void {
  for (let o = 0; o < O; o++) {
    // four partial sums: one running sum would be bound by the add latency
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0;
    for (let n = 0; n < N; n++) {
      const s = (n * O + o) * ohw;
      const e = s + ohw;
      let q = s;
      for (; q + 3 < e; q += 4) {
        a0 += gv[q];
        a1 += gv[q + 1];
        a2 += gv[q + 2];
        a3 += gv[q + 3];
      }
      for (; q < e; q++) a0 += gv[q];
    }
    d[o] = a0 + a1 + (a2 + a3);
  }
}
