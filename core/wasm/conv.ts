/**
 * conv2d (NCHW, float32) through the wasm GEMM: per image, im2col into a scratch block of the
 * wasm heap, then one GEMM `out_n[O, OH·OW] = W[O, C·KH·KW] · cols` onto the bias; backward
 * `dW += dOut_n · colsᵀ` and `dCols = Wᵀ · dOut_n`, col2im onto dX. im2col/col2im are exact, so
 * this differs from core/ops/conv.ts only by the GEMM's float32 summation (see ./gemm.ts).
 *
 * @example
 * const g = conv2dGeometry(32, 1, 28, 28, 8, 3, 3, 1, 1, 1, 1);
 * conv2dF32(x, w, b, g, out); // x, w, b, out in wasm memory: [32,1,28,28], [8,1,3,3], [8], [32,8,28,28]
 */
import { addressOf } from "./dispatch";
import { gemmF32 } from "./gemm";
import { wasmKernels } from "./loader";

/** The shape of a conv2d: input N×C×H×W, weight O×C×KH×KW, stride SH×SW, padding PH×PW, output OH×OW. */
export interface ConvGeometry {
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
 * Builds and checks a geometry (positive sizes and strides, non-negative padding, a window that fits).
 * @example conv2dGeometry(1, 3, 32, 32, 16, 3, 3, 1, 1, 1, 1).OH // 32
 */
export function conv2dGeometry(
  N: number,
  C: number,
  H: number,
  W: number,
  O: number,
  KH: number,
  KW: number,
  SH: number,
  SW: number,
  PH: number,
  PW: number,
): ConvGeometry {
  const named = { N, C, H, W, O, KH, KW, SH, SW, PH, PW };
  for (const [k, v] of Object.entries(named)) {
    const min = k === "PH" || k === "PW" ? 0 : k === "N" ? 0 : 1;
    if (!Number.isInteger(v) || v < min) throw new Error(`conv2dF32 (wasm): ${k} must be an integer ≥ ${min}, got ${v}`);
  }
  const OH = Math.floor((H + 2 * PH - KH) / SH) + 1,
    OW = Math.floor((W + 2 * PW - KW) / SW) + 1;
  if (OH < 1 || OW < 1) throw new Error(`conv2dF32 (wasm): a ${KH}×${KW} kernel does not fit a ${H}×${W} input with padding ${PH}×${PW}`);
  return { ...named, OH, OW };
}

let scratch: Float32Array | null = null;
function cols(n: number): Float32Array {
  const { heap } = wasmKernels();
  if (!scratch || scratch.length < n) {
    if (scratch) heap.free(scratch);
    scratch = heap.alloc(n);
  }
  return scratch;
}

function im2col(px: number, g: ConvGeometry, c: Float32Array): void {
  wasmKernels().exports.im2colF32(px, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW, c.byteOffset, g.OH * g.OW);
}

/** Forward: out = conv2d(x, w) + b (b may be null). @example conv2dF32(x, w, null, g, out) */
export function conv2dF32(x: Float32Array, w: Float32Array, b: Float32Array | null, g: ConvGeometry, out: Float32Array): void {
  const { N, C, H, W, O, KH, KW, OH, OW } = g;
  const chw = C * H * W,
    ckk = C * KH * KW,
    ohw = OH * OW;
  const px = addressOf("conv2dF32", "x", x, N * chw);
  addressOf("conv2dF32", "w", w, O * ckk);
  addressOf("conv2dF32", "out", out, N * O * ohw);
  if (b !== null) addressOf("conv2dF32", "b", b, O);
  const c = cols(ckk * ohw);
  for (let n = 0; n < N; n++) {
    im2col(px + n * chw * 4, g, c);
    const o0 = n * O * ohw;
    if (b !== null) for (let o = 0; o < O; o++) out.fill(b[o], o0 + o * ohw, o0 + (o + 1) * ohw);
    gemmF32(w, 0, ckk, false, c, 0, ohw, false, out, o0, ohw, O, ohw, ckk, b !== null);
  }
}

/**
 * Backward: dx = conv2dᵀ(dOut) (overwritten) and dw = Σ_n dOut_n · cols_nᵀ (overwritten); either
 * may be null. @example conv2dBackwardF32(x, w, dOut, g, dx, dw)
 */
export function conv2dBackwardF32(
  x: Float32Array,
  w: Float32Array,
  dOut: Float32Array,
  g: ConvGeometry,
  dx: Float32Array | null,
  dw: Float32Array | null,
): void {
  const { N, C, H, W, O, KH, KW, OH, OW } = g;
  const chw = C * H * W,
    ckk = C * KH * KW,
    ohw = OH * OW;
  const op = "conv2dBackwardF32";
  const px = addressOf(op, "x", x, N * chw);
  addressOf(op, "w", w, O * ckk);
  addressOf(op, "dOut", dOut, N * O * ohw);
  if (dx !== null) addressOf(op, "dx", dx, N * chw);
  if (dw !== null) addressOf(op, "dw", dw, O * ckk);
  const c = cols(ckk * ohw);
  if (dw !== null && N === 0) dw.fill(0);
  const { exports } = wasmKernels();
  for (let n = 0; n < N; n++) {
    if (dw !== null) {
      im2col(px + n * chw * 4, g, c);
      gemmF32(dOut, n * O * ohw, ohw, false, c, 0, ohw, true, dw, 0, ckk, O, ckk, ohw, n > 0);
    }
    if (dx !== null) {
      gemmF32(w, 0, ckk, true, dOut, n * O * ohw, ohw, false, c, 0, ohw, ckk, ohw, O, false);
      dx.fill(0, n * chw, (n + 1) * chw);
      exports.col2imF32(c.byteOffset, ohw, C, H, W, KH, KW, g.SH, g.SW, g.PH, g.PW, OH, OW, dx.byteOffset + n * chw * 4);
    }
  }
}
