/**
 * 2-D convolution (cross-correlation, as PyTorch's `conv2d`), NCHW, via im2col + the packed GEMM.
 *
 * Per image: the input patches are unfolded into `cols` of shape [inCh·kh·kw, outH·outW]
 * (im2col), and `out[n] = W[outCh, inCh·kh·kw] · cols` is one GEMM writing straight into the
 * output. Backward reuses the same GEMM in its transposed modes (no transpose copies):
 *   dW += dOut[n] · colsᵀ,   dCols = Wᵀ · dOut[n] → folded back onto dX (col2im),   db = Σ dOut.
 * `cols` lives in grow-only module scratch and is recomputed in backward rather than kept alive
 * with the graph (an unfold is a copy, far cheaper than the GEMM it feeds). A 1×1 kernel with
 * stride 1 and no padding needs no unfold at all: the image itself is the column matrix.
 */
import { record } from "../autograd";
import { DType, FloatArray, allocate } from "../dtype";
import { gemm } from "../kernels/gemm";
import { fmt } from "../shape";
import { Tensor } from "../tensor";

export interface Conv2dOptions {
  /** Step between windows: one number for both axes, or [h, w]. Default 1. */
  stride?: number | [number, number];
  /** Zero padding on each side: one number for both axes, or [h, w]. Default 0. */
  padding?: number | [number, number];
}

/**
 * Resolves a `number | [h, w]` hyper-parameter (integers >= `min`); throws naming `op` and `what`.
 * @example pair(2, "conv2d", "stride", 1) // [2, 2]
 * @example pair([1, 0], "conv2d", "padding", 0) // [1, 0]
 */
export function pair(v: unknown, op: string, what: string, min: number): [number, number] {
  const ok = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  const allowed = min === 0 ? "a non-negative integer" : "a positive integer";
  throw new Error(`${op}: ${what} must be ${allowed} or [h, w] of such, got ${JSON.stringify(v)}`);
}

let scratch32 = new Float32Array(0);
let scratch64 = new Float64Array(0);

/** Grow-only scratch of at least `n` elements of `dtype` (contents undefined). */
function scratch(dtype: DType, n: number): FloatArray {
  if (dtype === "float64") {
    if (scratch64.length < n) scratch64 = new Float64Array(n);
    return scratch64;
  }
  if (scratch32.length < n) scratch32 = new Float32Array(n);
  return scratch32;
}

interface Geometry {
  N: number; C: number; H: number; W: number;
  O: number; KH: number; KW: number;
  SH: number; SW: number; PH: number; PW: number;
  OH: number; OW: number;
}

/**
 * Unfolds image `x[xOff ..]` (C × H × W) into cols (C·KH·KW rows × OH·OW columns), zeros where a
 * window hangs over the padding. Each row is one (c, i, j) kernel tap; per output row the valid
 * columns form one contiguous range, so the bounds checks stay out of the inner loop.
 */
function im2col(x: FloatArray, xOff: number, g: Geometry, cols: FloatArray): void {
  const { C, H, W, KH, KW, SH, SW, PH, PW, OH, OW } = g;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        // ow range with 0 <= ow*SW - PW + j < W
        const lo = Math.min(OW, Math.max(0, Math.ceil((PW - j) / SW)));
        const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 + PW - j) / SW) + 1));
        let q = r * OH * OW;
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
function col2im(cols: FloatArray, g: Geometry, dx: FloatArray, xOff: number): void {
  const { C, H, W, KH, KW, SH, SW, PH, PW, OH, OW } = g;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        const lo = Math.min(OW, Math.max(0, Math.ceil((PW - j) / SW)));
        const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 + PW - j) / SW) + 1));
        let q = r * OH * OW;
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

function geometry(x: Tensor, w: Tensor, b: Tensor | null | undefined, opts: Conv2dOptions): Geometry {
  if (!(x instanceof Tensor)) throw new Error(`conv2d: input x must be a Tensor, got ${typeof x}`);
  if (!(w instanceof Tensor)) throw new Error(`conv2d: weight w must be a Tensor, got ${typeof w}`);
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
    if (!(b instanceof Tensor)) throw new Error(`conv2d: bias b must be a Tensor or omitted, got ${typeof b}`);
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
  const g = geometry(x, w, b, opts ?? {});
  const { N, C, H, W, O, KH, KW, OH, OW } = g;
  const ckk = C * KH * KW;
  const ohw = OH * OW;
  const direct = KH === 1 && KW === 1 && g.SH === 1 && g.SW === 1 && g.PH === 0 && g.PW === 0;
  const xv = x.values;
  const wv = w.values;
  const out = allocate(x.dtype, N * O * ohw);
  const bv = b ? b.values : null;
  for (let n = 0; n < N; n++) {
    const xOff = n * C * H * W;
    const oOff = n * O * ohw;
    // the bias initialises the output and the GEMM accumulates onto it: no separate pass
    if (bv !== null) for (let o = 0; o < O; o++) out.fill(bv[o], oOff + o * ohw, oOff + (o + 1) * ohw);
    if (direct) {
      gemm(wv, 0, ckk, false, xv, xOff, ohw, false, out, oOff, ohw, O, ohw, ckk, bv !== null);
    } else {
      const cols = scratch(x.dtype, ckk * ohw);
      im2col(xv, xOff, g, cols);
      gemm(wv, 0, ckk, false, cols, 0, ohw, false, out, oOff, ohw, O, ohw, ckk, bv !== null);
    }
  }
  const inputs = b ? [x, w, b] : [x, w];
  return record("conv2d", inputs, new Tensor(out, [N, O, OH, OW]), (grad) => {
    const gv = grad.values;
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (w.requiresGrad) {
      // dW[O, ckk] = Σ_n dOut[n] (O × ohw) · cols[n]ᵀ (ohw × ckk)
      const d = allocate(w.dtype, w.size);
      for (let n = 0; n < N; n++) {
        const xOff = n * C * H * W;
        let src: FloatArray = xv;
        let off = xOff;
        if (!direct) {
          src = scratch(x.dtype, ckk * ohw);
          off = 0;
          im2col(xv, xOff, g, src);
        }
        gemm(gv, n * O * ohw, ohw, false, src, off, ohw, true, d, 0, ckk, O, ckk, ohw, n > 0);
      }
      gw = new Tensor(d, w.shape);
    }
    if (x.requiresGrad) {
      // dCols (ckk × ohw) = Wᵀ (ckk × O) · dOut[n] (O × ohw), folded back by col2im
      const d = allocate(x.dtype, x.size);
      for (let n = 0; n < N; n++) {
        const xOff = n * C * H * W;
        if (direct) {
          gemm(wv, 0, ckk, true, gv, n * O * ohw, ohw, false, d, xOff, ohw, ckk, ohw, O, false);
        } else {
          const cols = scratch(x.dtype, ckk * ohw);
          gemm(wv, 0, ckk, true, gv, n * O * ohw, ohw, false, cols, 0, ohw, ckk, ohw, O, false);
          col2im(cols, g, d, xOff);
        }
      }
      gx = new Tensor(d, x.shape);
    }
    if (b && b.requiresGrad) {
      const d = allocate(b.dtype, O);
      for (let n = 0; n < N; n++) {
        for (let o = 0; o < O; o++) {
          const s = (n * O + o) * ohw;
          let acc = 0;
          for (let q = 0; q < ohw; q++) acc += gv[s + q];
          d[o] += acc;
        }
      }
      gb = new Tensor(d, b.shape);
    }
    return b ? [gx, gw, gb] : [gx, gw];
  });
}
