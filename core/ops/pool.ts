/**
 * 2-D max and average pooling over NCHW input, as PyTorch's `max_pool2d` / `avg_pool2d` without
 * padding: window `k` (number or [kh, kw]), stride defaulting to the window, output
 * `floor((H − kh)/sh) + 1` by `floor((W − kw)/sw) + 1`.
 * Max pooling remembers, per output, the flat input index of its maximum (the first one on ties,
 * as PyTorch), so backward is a scatter of the gradient to those positions.
 */
import { isGradEnabled, record } from "../autograd";
import { FloatArray, allocate } from "../dtype";
import { fmt } from "../shape";
import { checkOptionKeys } from "../check";
import { Tensor } from "../tensor";
import { pair } from "../check";
import { checkTensor } from "./operand";
import { maxPool2dBackward } from "./maxpool-backward";
import { wasmOpKernels } from "../kernels/op-kernels";

/** Options of `maxPool2d` / `avgPool2d`: the stride, a number or [h, w] (default: the kernel size). @example maxPool2d(x, 2, { stride: 2 }) */
export interface Pool2dOptions {
  /** Step between windows: one number for both axes, or [h, w]. Defaults to the window size. */
  stride?: number | [number, number];
}

/** The shape of one pooling: input N×C×H×W, window KH×KW, stride SH×SW, output OH×OW. */
export interface PoolGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  SH: number;
  SW: number;
  OH: number;
  OW: number;
}

function geometry(op: string, x: Tensor, k: number | [number, number], opts: Pool2dOptions): PoolGeometry {
  checkTensor(op, "input x", x);
  if (x.rank !== 4) {
    throw new Error(`${op}: input x must be 4-D [batch, channels, height, width], got ${fmt(x.shape)}`);
  }
  const [KH, KW] = pair(k, op, "kernel size k", 1);
  const [SH, SW] = opts.stride === undefined ? [KH, KW] : pair(opts.stride, op, "stride", 1);
  const [N, C, H, W] = x.shape;
  if (KH > H || KW > W) {
    throw new Error(`${op}: kernel [${KH},${KW}] is larger than the input [${H},${W}] (x ${fmt(x.shape)}; pooling has no padding)`);
  }
  const OH = Math.floor((H - KH) / SH) + 1;
  const OW = Math.floor((W - KW) / SW) + 1;
  return { N, C, H, W, KH, KW, SH, SW, OH, OW };
}

/**
 * Max over each kh × kw window (NCHW). Gradient flows to the arg-max of each window (the first
 * maximum in row-major window order on ties; NaN counts as a maximum, as in PyTorch).
 * @example maxPool2d(randn([8, 16, 28, 28]), 2).shape // [8, 16, 14, 14]
 * @example maxPool2d(x, [3, 2], { stride: 1 })
 */
export function maxPool2d(x: Tensor, k: number | [number, number], opts: Pool2dOptions = {}): Tensor {
  checkOptionKeys("maxPool2d", opts, ["stride"]);
  const g = geometry("maxPool2d", x, k, opts ?? {});
  const { N, C, OH, OW } = g;
  const out = allocate(x.dtype, N * C * OH * OW);
  // flat input index of each output's maximum; only needed when a gradient may be asked for
  const arg = x.requiresGrad && isGradEnabled() ? new Int32Array(out.length) : null;
  maxPoolKernel(x.values, out, arg, g);
  // backward scatters through the arg-max: an op linear in the gradient (maxpool-backward.ts)
  return record("maxPool2d", [x], new Tensor(out, [N, C, OH, OW]), (grad) => [maxPool2dBackward(grad, arg as Int32Array, x.shape)], true);
}

function maxPoolKernel(xv: FloatArray, out: FloatArray, arg: Int32Array | null, g: PoolGeometry): void {
  const { N, C, H, W, KH, KW, SH, SW, OH, OW } = g;
  if (KH === 2 && KW === 2 && SH === 2 && SW === 2) {
    // float32 on the wasm backend: the branch-free f32x4 kernel (same values and indices)
    const wasm = xv instanceof Float32Array ? wasmOpKernels() : null;
    if (wasm !== null && wasm.maxPool2x2(xv as Float32Array, out as Float32Array, arg, N * C, H, W, OH, OW)) return;
    if (arg === null) maxPool2x2(xv, out, N * C, H, W, OH, OW);
    else maxPool2x2Arg(xv, out, arg, N * C, H, W, OH, OW);
    return;
  }
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const start = base + oh * SH * W + ow * SW;
        let best = -Infinity;
        let bestAt = start;
        for (let i = 0; i < KH; i++) {
          const row = start + i * W;
          for (let j = 0; j < KW; j++) {
            const v = xv[row + j];
            // strict > keeps the first maximum; v !== v lets NaN win, as PyTorch's isnan check
            if (v > best || v !== v) {
              best = v;
              bestAt = row + j;
            }
          }
        }
        out[o] = best;
        if (arg !== null) arg[o] = bestAt;
        o++;
      }
    }
  }
}

/**
 * The common 2 × 2, stride 2 window, unrolled: four loads and three compares per output, the same
 * comparisons in the same order as the general loop (first maximum wins, NaN wins), so results
 * and arg-max ties are identical. Inference (no gradient wanted) skips the index bookkeeping.
 */
function maxPool2x2(xv: FloatArray, out: FloatArray, planes: number, H: number, W: number, OH: number, OW: number): void {
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      let p = base + 2 * oh * W;
      for (let ow = 0; ow < OW; ow++, p += 2) {
        let best = xv[p];
        const v1 = xv[p + 1],
          v2 = xv[p + W],
          v3 = xv[p + W + 1];
        if (v1 > best || v1 !== v1) best = v1;
        if (v2 > best || v2 !== v2) best = v2;
        if (v3 > best || v3 !== v3) best = v3;
        out[o++] = best;
      }
    }
  }
}

function maxPool2x2Arg(xv: FloatArray, out: FloatArray, arg: Int32Array, planes: number, H: number, W: number, OH: number, OW: number): void {
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      let p = base + 2 * oh * W;
      for (let ow = 0; ow < OW; ow++, p += 2) {
        // -Infinity at p stays put in the general loop too (−∞ > −∞ is false), so start at p
        let best = xv[p];
        let at = p;
        const v1 = xv[p + 1],
          v2 = xv[p + W],
          v3 = xv[p + W + 1];
        if (v1 > best || v1 !== v1) {
          best = v1;
          at = p + 1;
        }
        if (v2 > best || v2 !== v2) {
          best = v2;
          at = p + W;
        }
        if (v3 > best || v3 !== v3) {
          best = v3;
          at = p + W + 1;
        }
        out[o] = best;
        arg[o++] = at;
      }
    }
  }
}

/**
 * Mean over each kh × kw window (NCHW, no padding, so every window has kh·kw elements).
 * @example avgPool2d(randn([8, 16, 28, 28]), 2).shape // [8, 16, 14, 14]
 * @example avgPool2d(x, [2, 3], { stride: [1, 2] })
 */
export function avgPool2d(x: Tensor, k: number | [number, number], opts: Pool2dOptions = {}): Tensor {
  checkOptionKeys("avgPool2d", opts, ["stride"]);
  const g = geometry("avgPool2d", x, k, opts ?? {});
  const { N, C, H, W, KH, KW, SH, SW, OH, OW } = g;
  const xv = x.values;
  const out = allocate(x.dtype, N * C * OH * OW);
  const scale = 1 / (KH * KW);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const start = base + oh * SH * W + ow * SW;
        let s = 0;
        for (let i = 0; i < KH; i++) {
          const row = start + i * W;
          for (let j = 0; j < KW; j++) s += xv[row + j];
        }
        out[o++] = s * scale;
      }
    }
  }
  // backward spreads each gradient over its window: an op linear in the gradient, below
  return record("avgPool2d", [x], new Tensor(out, [N, C, OH, OW]), (grad) => [avgPool2dBackward(grad, g)], true);
}

/**
 * avgPool2d's backward: each g [N, C, OH, OW] divided by kh·kw and added over its window of a zero
 * tensor shaped as the pooled input (geometry `geo`). Linear in g, so its derivative is its adjoint,
 * avgPool2d itself (same window and stride); recorded.
 * @example avgPool2dBackward(g, geo).shape // [geo.N, geo.C, geo.H, geo.W]
 */
export function avgPool2dBackward(g: Tensor, geo: PoolGeometry): Tensor {
  const { N, C, H, W, KH, KW, SH, SW, OH, OW } = geo;
  const gv = g.values;
  const d = allocate(g.dtype, N * C * H * W);
  const scale = 1 / (KH * KW);
  let q = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const start = base + oh * SH * W + ow * SW;
        const v = gv[q++] * scale;
        for (let i = 0; i < KH; i++) {
          const row = start + i * W;
          for (let j = 0; j < KW; j++) d[row + j] += v;
        }
      }
    }
  }
  return record("avgPool2dBackward", [g], new Tensor(d, [N, C, H, W]), (h) => [avgPool2d(h, [KH, KW], { stride: [SH, SW] })], true);
}
