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
import { allocate } from "../dtype";
import { fmt } from "../shape";
import { checkOptionKeys, pair, show } from "../check";
import { Tensor } from "../tensor";
import { checkTensor } from "./operand";
import { DIRECT_MAX, Geometry, gemmBackward, gemmForward, pointwiseBackward, pointwiseForward } from "./conv-kernels";
import { directBackward, directForward } from "./conv-direct";

/** Options of `conv2d` (PyTorch's): stride and zero padding, each a number or [h, w]. @example conv2d(x, w, b, { stride: 2, padding: 1 }) */
export interface Conv2dOptions {
  /** Step between windows: one number for both axes, or [h, w]. Default 1. */
  stride?: number | [number, number];
  /** Zero padding on each side: one number for both axes, or [h, w]. Default 0. */
  padding?: number | [number, number];
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
