/**
 * The direct conv2d kernels (stride 1, small inCh·kh·kw: a first layer on 1–3 channels): zero-padded
 * planes correlated in place, 3 × 3 specialised, dX as the "full" correlation with the flipped kernel.
 * Chosen by core/ops/conv.ts; float64 scratch from ./conv-kernels.ts.
 */
import { FloatArray } from "../dtype";
import { ACC, GPAD, Geometry, WK, XPAD, scratch } from "./conv-kernels";

/**
 * Copies `planes` planes of h × w from `src[sOff ..]` into `dst` as (h + 2·ph) × (w + 2·pw)
 * planes with a zero border, so the direct kernels below need no bounds checks.
 */
function padPlanes(src: FloatArray, sOff: number, planes: number, h: number, w: number, ph: number, pw: number, dst: Float64Array): void {
  const hp = h + 2 * ph;
  const wp = w + 2 * pw;
  dst.fill(0, 0, planes * hp * wp);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < h; y++) {
      const s = sOff + (c * h + y) * w;
      const d = (c * hp + y + ph) * wp + pw;
      for (let x = 0; x < w; x++) dst[d + x] = src[s + x];
    }
  }
}

/**
 * Valid cross-correlation, stride 1: `dst[oh·OW + ow] += Σ_{i,j} k[kOff + i·KW + j] ·
 * src[sOff + (oh + i)·ld + ow + j]`. The 3 × 3 case keeps the 9 taps and a sliding 3 × 3 window
 * in locals: 3 loads and 9 multiply-adds per output.
 */
function corr(
  src: Float64Array,
  sOff: number,
  ld: number,
  k: Float64Array,
  kOff: number,
  KH: number,
  KW: number,
  dst: Float64Array,
  OH: number,
  OW: number,
): void {
  if (KH === 3 && KW === 3) {
    const k0 = k[kOff],
      k1 = k[kOff + 1],
      k2 = k[kOff + 2];
    const k3 = k[kOff + 3],
      k4 = k[kOff + 4],
      k5 = k[kOff + 5];
    const k6 = k[kOff + 6],
      k7 = k[kOff + 7],
      k8 = k[kOff + 8];
    for (let oh = 0; oh < OH; oh++) {
      const r0 = sOff + oh * ld;
      const r1 = r0 + ld;
      const r2 = r1 + ld;
      let a0 = src[r0],
        a1 = src[r0 + 1];
      let b0 = src[r1],
        b1 = src[r1 + 1];
      let c0 = src[r2],
        c1 = src[r2 + 1];
      const q = oh * OW;
      for (let ow = 0; ow < OW; ow++) {
        const a2 = src[r0 + ow + 2],
          b2 = src[r1 + ow + 2],
          c2 = src[r2 + ow + 2];
        dst[q + ow] += k0 * a0 + k1 * a1 + k2 * a2 + k3 * b0 + k4 * b1 + k5 * b2 + k6 * c0 + k7 * c1 + k8 * c2;
        a0 = a1;
        a1 = a2;
        b0 = b1;
        b1 = b2;
        c0 = c1;
        c1 = c2;
      }
    }
    return;
  }
  for (let oh = 0; oh < OH; oh++) {
    const q = oh * OW;
    for (let i = 0; i < KH; i++) {
      const r = sOff + (oh + i) * ld;
      for (let j = 0; j < KW; j++) {
        const kv = k[kOff + i * KW + j];
        const s = r + j;
        for (let ow = 0; ow < OW; ow++) dst[q + ow] += kv * src[s + ow];
      }
    }
  }
}

/**
 * Kernel gradient of `corr`: `dk[dkOff + i·KW + j] += Σ_{oh,ow} g[gOff + oh·lg + ow] ·
 * src[sOff + (oh + i)·ld + ow + j]`. 3 × 3: 9 accumulators in locals, one pass over the output.
 */
function corrGradK(
  src: Float64Array,
  sOff: number,
  ld: number,
  gp: Float64Array,
  gOff: number,
  lg: number,
  dk: Float64Array,
  dkOff: number,
  KH: number,
  KW: number,
  OH: number,
  OW: number,
): void {
  if (KH === 3 && KW === 3) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      s4 = 0,
      s5 = 0,
      s6 = 0,
      s7 = 0,
      s8 = 0;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = sOff + oh * ld;
      const r1 = r0 + ld;
      const r2 = r1 + ld;
      let a0 = src[r0],
        a1 = src[r0 + 1];
      let b0 = src[r1],
        b1 = src[r1 + 1];
      let c0 = src[r2],
        c1 = src[r2 + 1];
      const q = gOff + oh * lg;
      for (let ow = 0; ow < OW; ow++) {
        const a2 = src[r0 + ow + 2],
          b2 = src[r1 + ow + 2],
          c2 = src[r2 + ow + 2];
        const gv = gp[q + ow];
        s0 += gv * a0;
        s1 += gv * a1;
        s2 += gv * a2;
        s3 += gv * b0;
        s4 += gv * b1;
        s5 += gv * b2;
        s6 += gv * c0;
        s7 += gv * c1;
        s8 += gv * c2;
        a0 = a1;
        a1 = a2;
        b0 = b1;
        b1 = b2;
        c0 = c1;
        c1 = c2;
      }
    }
    dk[dkOff] += s0;
    dk[dkOff + 1] += s1;
    dk[dkOff + 2] += s2;
    dk[dkOff + 3] += s3;
    dk[dkOff + 4] += s4;
    dk[dkOff + 5] += s5;
    dk[dkOff + 6] += s6;
    dk[dkOff + 7] += s7;
    dk[dkOff + 8] += s8;
    return;
  }
  for (let i = 0; i < KH; i++) {
    for (let j = 0; j < KW; j++) {
      let s = 0;
      for (let oh = 0; oh < OH; oh++) {
        const r = sOff + (oh + i) * ld + j;
        const q = gOff + oh * lg;
        for (let ow = 0; ow < OW; ow++) s += gp[q + ow] * src[r + ow];
      }
      dk[dkOff + i * KW + j] += s;
    }
  }
}

/**
 * Stride 1, small C·KH·KW (the first layer of a CNN): GEMM tiles would be mostly packing and
 * edges, so correlate zero-padded planes directly, summing over input channels in a float64
 * accumulator plane that the bias initialises.
 */
export function directForward(xv: FloatArray, wv: FloatArray, bv: FloatArray | null, g: Geometry, out: FloatArray): void {
  const { N, C, H, W, O, KH, KW, PH, PW, OH, OW } = g;
  const hp = H + 2 * PH;
  const wp = W + 2 * PW;
  const ohw = OH * OW;
  const kk = KH * KW;
  const wk = scratch(WK, O * C * kk);
  for (let i = 0; i < O * C * kk; i++) wk[i] = wv[i];
  const xp = scratch(XPAD, C * hp * wp);
  const acc = scratch(ACC, ohw);
  for (let n = 0; n < N; n++) {
    padPlanes(xv, n * C * H * W, C, H, W, PH, PW, xp);
    for (let o = 0; o < O; o++) {
      acc.fill(bv !== null ? bv[o] : 0, 0, ohw);
      for (let c = 0; c < C; c++) corr(xp, c * hp * wp, wp, wk, (o * C + c) * kk, KH, KW, acc, OH, OW);
      const oOff = (n * O + o) * ohw;
      for (let q = 0; q < ohw; q++) out[oOff + q] = acc[q];
    }
  }
}

/**
 * Backward of directForward. dOut planes are zero-padded by (KH−1, KW−1); then
 *   dW[o, c] += corr of padded x[n, c] with dOut[n, o]   (corrGradK),
 *   dX[n, c] = Σ_o corr of padded dOut[n, o] with the flipped kernel w[o, c], offset by the padding
 * (the "full" correlation that is the adjoint of a stride-1 valid one).
 */
export function directBackward(xv: FloatArray, wv: FloatArray, gv: FloatArray, g: Geometry, dx: FloatArray | null, dw: FloatArray | null): void {
  const { N, C, H, W, O, KH, KW, PH, PW, OH, OW } = g;
  const hp = H + 2 * PH;
  const wp = W + 2 * PW;
  const kk = KH * KW;
  const gh = OH + 2 * (KH - 1);
  const gw = OW + 2 * (KW - 1);
  const gPlane = gh * gw;
  const inner = (KH - 1) * gw + (KW - 1); // where the unpadded dOut starts inside a padded plane
  // flipped kernels for dX, float64 dW accumulator after them
  const wk = scratch(WK, 2 * O * C * kk);
  const dwOff = O * C * kk;
  for (let oc = 0; oc < O * C; oc++) {
    for (let t = 0; t < kk; t++) wk[oc * kk + t] = wv[oc * kk + kk - 1 - t];
  }
  wk.fill(0, dwOff, dwOff + O * C * kk);
  const xp = dw !== null ? scratch(XPAD, C * hp * wp) : null;
  const gp = scratch(GPAD, O * gPlane);
  const acc = scratch(ACC, H * W);
  for (let n = 0; n < N; n++) {
    padPlanes(gv, n * O * OH * OW, O, OH, OW, KH - 1, KW - 1, gp);
    if (xp !== null) {
      padPlanes(xv, n * C * H * W, C, H, W, PH, PW, xp);
      for (let o = 0; o < O; o++) {
        for (let c = 0; c < C; c++) {
          corrGradK(xp, c * hp * wp, wp, gp, o * gPlane + inner, gw, wk, dwOff + (o * C + c) * kk, KH, KW, OH, OW);
        }
      }
    }
    if (dx !== null) {
      for (let c = 0; c < C; c++) {
        acc.fill(0, 0, H * W);
        for (let o = 0; o < O; o++) corr(gp, o * gPlane + PH * gw + PW, gw, wk, (o * C + c) * kk, KH, KW, acc, H, W);
        const xOff = (n * C + c) * H * W;
        for (let q = 0; q < H * W; q++) dx[xOff + q] = acc[q];
      }
    }
  }
  if (dw !== null) for (let i = 0; i < O * C * kk; i++) dw[i] = wk[dwOff + i];
}
