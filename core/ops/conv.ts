/**
 * 2-D convolution (cross-correlation, as PyTorch's `conv2d`), NCHW. Three kernels, by shape:
 *
 * - General: im2col over a chunk of images side by side (cols [inCh·kh·kw, nb·outH·outW], chunk
 *   bounded by CHUNK elements), so forward, dW and dX are each one big packed GEMM per chunk
 *   rather than one tiny GEMM per image:
 *     T = W · cols (bias pre-filled) → scattered to NCHW;   dW += Tg · colsᵀ;
 *     dCols = Wᵀ · Tg → col2im onto dX;   db = Σ dOut      (Tg: dOut gathered output-major).
 *   The transposed GEMM modes mean no transpose copies of W or cols.
 * - Stride 1 with small inCh·kh·kw (a first layer on 1–3 channels): direct correlation of
 *   zero-padded planes, 3 × 3 specialised with the taps and a sliding window in locals; dX is the
 *   "full" correlation with the flipped kernel. Measured ~2–4× faster than GEMM there, where a
 *   GEMM of depth 9 is mostly packing and tile write-back.
 * - 1 × 1, stride 1, no padding: the image is already the column matrix, one GEMM per image.
 * All scratch (cols, staging, padded planes) is grow-only module memory and is recomputed in
 * backward rather than kept alive with the graph.
 */
import { record } from "../autograd";
import { FloatArray, allocate } from "../dtype";
import { gemm } from "../kernels/gemm";
import { fmt } from "../shape";
import { checkOptionKeys, pair, show } from "../check";
import { Tensor } from "../tensor";
import { checkTensor } from "./operand";

/** Options of `conv2d` (PyTorch's): stride and zero padding, each a number or [h, w]. @example conv2d(x, w, b, { stride: 2, padding: 1 }) */
export interface Conv2dOptions {
  /** Step between windows: one number for both axes, or [h, w]. Default 1. */
  stride?: number | [number, number];
  /** Zero padding on each side: one number for both axes, or [h, w]. Default 0. */
  padding?: number | [number, number];
}

/**
 * Grow-only float64 scratch, one slot per role (contents undefined). Float64 whatever the tensor
 * dtype: the kernels then see one array kind only (monomorphic), sums stay in double and float32
 * outputs are rounded once, on the final copy.
 */
const scratchSlots: Float64Array[] = [];
const COLS = 0,
  TMP = 1,
  XPAD = 2,
  GPAD = 3,
  ACC = 4,
  WK = 5;
for (let i = 0; i <= WK; i++) scratchSlots.push(new Float64Array(0));
function scratch(slot: number, n: number): Float64Array {
  if (scratchSlots[slot].length < n) scratchSlots[slot] = new Float64Array(n);
  return scratchSlots[slot];
}

/** Elements of scratch per GEMM chunk of images (16 MB of float64): bounds memory for big batches. */
const CHUNK = 1 << 21;
/** Direct (non-GEMM) kernels when stride is 1 and inCh·kh·kw is at most this: measured faster there. */
const DIRECT_MAX = 64;

interface Geometry {
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
function im2col(x: FloatArray, xOff: number, g: Geometry, cols: Float64Array, cOff: number, ld: number): void {
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
function col2im(cols: Float64Array, cOff: number, ld: number, g: Geometry, dx: FloatArray, xOff: number): void {
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

function geometry(x: Tensor, w: Tensor, b: Tensor | null | undefined, opts: Conv2dOptions): Geometry {
  checkTensor("conv2d", "input x", x);
  checkTensor("conv2d", "weight w", w);
  if (x.rank !== 4) {
    throw new Error(`conv2d: input x must be 4-D [batch, inChannels, height, width], got ${fmt(x.shape)}`);
  }
  if (w.rank !== 4) {
    throw new Error(`conv2d: weight w must be 4-D [outChannels, inChannels, kh, kw], got ${fmt(w.shape)}`);
  }
  const [N, C, H, W] = x.shape;
  const [O, CW, KH, KW] = w.shape;
  if (C !== CW) {
    throw new Error(`conv2d: x has ${C} input channels but w expects ${CW}: x ${fmt(x.shape)}, w ${fmt(w.shape)}`);
  }
  if (x.dtype !== w.dtype) {
    throw new Error(`conv2d: dtypes differ: x is ${x.dtype}, w is ${w.dtype}`);
  }
  if (b !== undefined && b !== null) {
    if (!(b instanceof Tensor)) throw new Error(`conv2d: bias b must be a Tensor or omitted, got ${show(b)}`);
    if (b.rank !== 1 || b.shape[0] !== O) {
      throw new Error(`conv2d: bias b must have shape [${O}] (one per output channel of w ${fmt(w.shape)}), got ${fmt(b.shape)}`);
    }
    if (b.dtype !== x.dtype) throw new Error(`conv2d: dtypes differ: x is ${x.dtype}, b is ${b.dtype}`);
  }
  const [SH, SW] = pair(opts.stride ?? 1, "conv2d", "stride", 1);
  const [PH, PW] = pair(opts.padding ?? 0, "conv2d", "padding", 0);
  if (KH > H + 2 * PH || KW > W + 2 * PW) {
    throw new Error(
      `conv2d: kernel [${KH},${KW}] is larger than the padded input [${H + 2 * PH},${W + 2 * PW}] ` +
        `(x ${fmt(x.shape)}, w ${fmt(w.shape)}, padding [${PH},${PW}])`,
    );
  }
  const OH = Math.floor((H + 2 * PH - KH) / SH) + 1;
  const OW = Math.floor((W + 2 * PW - KW) / SW) + 1;
  return { N, C, H, W, O, KH, KW, SH, SW, PH, PW, OH, OW };
}

/**
 * 2-D convolution over NCHW input, as PyTorch `F.conv2d` (cross-correlation, no kernel flip).
 * x: [batch, inCh, H, W]; w: [outCh, inCh, kh, kw]; b (optional): [outCh].
 * Output: [batch, outCh, floor((H + 2·padH − kh)/strideH) + 1, floor((W + 2·padW − kw)/strideW) + 1].
 * @example conv2d(randn([8, 3, 32, 32]), randn([16, 3, 3, 3]), zeros([16]), { padding: 1 }).shape // [8,16,32,32]
 * @example conv2d(x, w, undefined, { stride: [2, 1], padding: [1, 0] })
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkOptionKeys("conv2d", opts, ["stride", "padding"]);
  const g = geometry(x, w, b, opts ?? {});
  const { N, O, OH, OW } = g;
  const pointwise = g.KH === 1 && g.KW === 1 && g.SH === 1 && g.SW === 1 && g.PH === 0 && g.PW === 0;
  const direct = !pointwise && g.SH === 1 && g.SW === 1 && g.C * g.KH * g.KW <= DIRECT_MAX;
  const out = allocate(x.dtype, N * O * OH * OW);
  const bv = b ? b.values : null;
  if (pointwise) pointwiseForward(x.values, w.values, bv, g, out);
  else if (direct) directForward(x.values, w.values, bv, g, out);
  else gemmForward(x.values, w.values, bv, g, out);
  const inputs = b ? [x, w, b] : [x, w];
  return record("conv2d", inputs, new Tensor(out, [N, O, OH, OW]), (grad) => {
    const gv = grad.values;
    const dx = x.requiresGrad ? allocate(x.dtype, x.size) : null;
    const dw = w.requiresGrad ? allocate(w.dtype, w.size) : null;
    if (dx !== null || dw !== null) {
      if (pointwise) pointwiseBackward(x.values, w.values, gv, g, dx, dw);
      else if (direct) directBackward(x.values, w.values, gv, g, dx, dw);
      else gemmBackward(x.values, w.values, gv, g, dx, dw);
    }
    let gb: Tensor | null = null;
    if (b && b.requiresGrad) {
      const d = allocate(b.dtype, O);
      const ohw = OH * OW;
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
      gb = new Tensor(d, b.shape);
    }
    const gx = dx && new Tensor(dx, x.shape);
    const gw = dw && new Tensor(dw, w.shape);
    return b ? [gx, gw, gb] : [gx, gw];
  });
}

/** 1 × 1, stride 1, no padding: the image itself is the column matrix, one GEMM per image. */
function pointwiseForward(xv: FloatArray, wv: FloatArray, bv: FloatArray | null, g: Geometry, out: FloatArray): void {
  const { N, C, O, OH, OW } = g;
  const ohw = OH * OW;
  for (let n = 0; n < N; n++) {
    const oOff = n * O * ohw;
    // the bias initialises the output and the GEMM accumulates onto it: no separate pass
    if (bv !== null) for (let o = 0; o < O; o++) out.fill(bv[o], oOff + o * ohw, oOff + (o + 1) * ohw);
    gemm(wv, 0, C, false, xv, n * C * ohw, ohw, false, out, oOff, ohw, O, ohw, C, bv !== null);
  }
}

function pointwiseBackward(xv: FloatArray, wv: FloatArray, gv: FloatArray, g: Geometry, dx: FloatArray | null, dw: FloatArray | null): void {
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
function chunkImages(g: Geometry): number {
  const rows = Math.max(g.C * g.KH * g.KW, g.O);
  return Math.max(1, Math.min(g.N, Math.floor(CHUNK / (rows * g.OH * g.OW))));
}

/**
 * im2col over a chunk of images side by side, then one GEMM `T[O, nb·ohw] = W · cols` (the bias
 * initialises T, the GEMM accumulates onto it), then T is scattered to NCHW.
 */
function gemmForward(xv: FloatArray, wv: FloatArray, bv: FloatArray | null, g: Geometry, out: FloatArray): void {
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
function gemmBackward(xv: FloatArray, wv: FloatArray, gv: FloatArray, g: Geometry, dx: FloatArray | null, dw: FloatArray | null): void {
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

/**
 * Stride 1, small C·KH·KW (the first layer of a CNN): GEMM tiles would be mostly packing and
 * edges, so correlate zero-padded planes directly, summing over input channels in a float64
 * accumulator plane that the bias initialises.
 */
function directForward(xv: FloatArray, wv: FloatArray, bv: FloatArray | null, g: Geometry, out: FloatArray): void {
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
function directBackward(xv: FloatArray, wv: FloatArray, gv: FloatArray, g: Geometry, dx: FloatArray | null, dw: FloatArray | null): void {
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
