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
import { isGradEnabled, record } from "../autograd";
import { FloatArray, allocate } from "../dtype";
import { fmt } from "../shape";
import { checkOptionKeys, pair, show } from "../check";
import { Tensor } from "../tensor";
import { checkTensor } from "./operand";
import { DIRECT_MAX, Geometry, biasGradient, gemmBackward, gemmForward, pointwiseBackward, pointwiseForward } from "./conv-kernels";
import { directBackward, directForward } from "./conv-direct";
import { sum } from "./reduce";
import { wasmOpKernels } from "../kernels/op-kernels";
import { allocateGradient } from "../gradient-buffer";

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
  // float32 on the wasm backend: the wasm kernels (1 × 1 is a plain GEMM, which goes to wasm by itself)
  const wasm = !pointwise && x.dtype === "float32" ? wasmOpKernels() : null;
  const out = allocate(x.dtype, N * O * OH * OW);
  const bv = b ? b.values : null;
  if (wasm !== null && wasm.convForward(x.values as Float32Array, w.values as Float32Array, bv as Float32Array | null, g, out as Float32Array)) {
    // computed by the wasm kernels (which decline, writing nothing, when the heap has no room)
  } else if (pointwise) pointwiseForward(x.values, w.values, bv, g, out);
  else if (direct) directForward(x.values, w.values, bv, g, out);
  else gemmForward(x.values, w.values, bv, g, out);
  const inputs = b ? [x, w, b] : [x, w];
  const backward = (grad: Tensor): (Tensor | null)[] => {
    if (isGradEnabled()) {
      // recorded (higher order): the two gradients as ops of their own, closed under
      // differentiation with conv2d itself (below); the bias's through sum
      const gx = x.requiresGrad ? conv2dInputGrad(grad, w, g) : null;
      const gw = w.requiresGrad ? conv2dWeightGrad(x, grad, g) : null;
      return b ? [gx, gw, b.requiresGrad ? sum(grad, { axis: [0, 2, 3] }) : null] : [gx, gw];
    }
    const gv = grad.values;
    const dx = x.requiresGrad ? allocate(x.dtype, x.size) : null;
    const dw = w.requiresGrad ? allocateGradient(w, w.size, wasm === null) : null; // the wasm kernels overwrite it (a decline zeroes it)
    if (dx !== null || dw !== null) {
      const byWasm =
        wasm !== null &&
        wasm.convBackward(x.values as Float32Array, w.values as Float32Array, gv as Float32Array, g, dx as Float32Array | null, dw as Float32Array | null);
      if (!byWasm) {
        if (pointwise) pointwiseBackward(x.values, w.values, gv, g, dx, dw);
        else if (direct) directBackward(x.values, w.values, gv, g, dx, dw);
        else gemmBackward(x.values, w.values, gv, g, dx, dw);
      }
    }
    let gb: Tensor | null = null;
    if (b && b.requiresGrad) {
      const d = allocateGradient(b, O);
      if (wasm === null || !wasm.convBiasGradient(gv as Float32Array, g, d as Float32Array)) biasGradient(gv, N, O, OH * OW, d);
      gb = new Tensor(d, b.shape);
    }
    const gx = dx && new Tensor(dx, x.shape);
    const gw = dw && new Tensor(dw, w.shape);
    return b ? [gx, gw, gb] : [gx, gw];
  };
  return record("conv2d", inputs, new Tensor(out, [N, O, OH, OW]), backward, true);
}

// conv2d's two gradients as ops of their own, so a recorded backward pass (higher order) can be
// differentiated again, the way PyTorch's `_convolution_double_backward` does it. With
// y = conv2d(x, w) and g = ∂L/∂y: conv2dInputGrad(g, w) = ∂L/∂x (the transposed convolution of g
// by w) and conv2dWeightGrad(x, g) = ∂L/∂w (the correlation of x with g). All three maps are
// bilinear, and each is the adjoint of another in one argument:
// ⟨conv2d(x, w), g⟩ = ⟨x, inputGrad(g, w)⟩ = ⟨w, weightGrad(x, g)⟩. So the family is closed under
// differentiation (one module: each op's backward calls the others): for an upstream h of
// inputGrad(g, w) (shaped like x), ∂/∂g = conv2d(h, w) and ∂/∂w = weightGrad(h, g); for h of
// weightGrad(x, g) (shaped like w), ∂/∂x = inputGrad(g, h) and ∂/∂g = conv2d(x, h).

/**
 * conv2d's backward kernels for geometry `g`, chosen as the forward's: `dx` and/or `dw` (null: not
 * wanted), each zero on entry. `xv` is read only for dw; `wv` for dx (and by the direct kernel always).
 */
function backwardKernels(xv: FloatArray, wv: FloatArray, gv: FloatArray, g: Geometry, dx: FloatArray | null, dw: FloatArray | null): void {
  const pointwise = g.KH === 1 && g.KW === 1 && g.SH === 1 && g.SW === 1 && g.PH === 0 && g.PW === 0;
  if (pointwise) pointwiseBackward(xv, wv, gv, g, dx, dw);
  else if (g.SH === 1 && g.SW === 1 && g.C * g.KH * g.KW <= DIRECT_MAX) directBackward(xv, wv, gv, g, dx, dw);
  else gemmBackward(xv, wv, gv, g, dx, dw);
}

/** The conv2d options that reproduce geometry `g` (the stride and padding; shapes come from the tensors). */
function optionsOf(g: Geometry): { stride: [number, number]; padding: [number, number] } {
  return { stride: [g.SH, g.SW], padding: [g.PH, g.PW] };
}

/**
 * ∂L/∂x of `y = conv2d(x, w)` for g = ∂L/∂y: the transposed convolution of g [N, O, OH, OW] by w,
 * shaped [N, C, H, W] as x of geometry `geo` (x's shape must be given: with a stride, several
 * input sizes give one output size). Recorded, with its own derivative.
 * @example conv2dInputGrad(g, w, geo).shape // x.shape
 */
export function conv2dInputGrad(g: Tensor, w: Tensor, geo: Geometry): Tensor {
  const { N, C, H, W } = geo;
  const dx = allocate(g.dtype, N * C * H * W);
  backwardKernels(allocate(g.dtype, 0), w.values, g.values, geo, dx, null);
  return record(
    "conv2dInputGrad",
    [g, w],
    new Tensor(dx, [N, C, H, W]),
    (h) => [g.requiresGrad ? conv2d(h, w, null, optionsOf(geo)) : null, w.requiresGrad ? conv2dWeightGrad(h, g, geo) : null],
    true,
  );
}

/**
 * ∂L/∂w of `y = conv2d(x, w)` for g = ∂L/∂y: the correlation of x [N, C, H, W] with g
 * [N, O, OH, OW], summed over the batch, shaped [O, C, KH, KW] as w of geometry `geo`.
 * Recorded, with its own derivative.
 * @example conv2dWeightGrad(x, g, geo).shape // w.shape
 */
export function conv2dWeightGrad(x: Tensor, g: Tensor, geo: Geometry): Tensor {
  const { O, C, KH, KW } = geo;
  const dw = allocate(g.dtype, O * C * KH * KW);
  // the direct kernel reads a weight for dx's flipped taps even when only dw is wanted: zeros do
  backwardKernels(x.values, allocate(g.dtype, O * C * KH * KW), g.values, geo, null, dw);
  return record(
    "conv2dWeightGrad",
    [x, g],
    new Tensor(dw, [O, C, KH, KW]),
    (h) => [x.requiresGrad ? conv2dInputGrad(g, h, geo) : null, g.requiresGrad ? conv2d(x, h, null, optionsOf(geo)) : null],
    true,
  );
}
