/**
 * conv2d (NCHW, float32) on the wasm kernels for operands wherever they live: what conv2d runs
 * on the wasm backend for every shape but the 1 × 1 pointwise one (which is a plain GEMM and
 * already goes to the wasm GEMM through core/kernels/gemm.ts). Inputs outside the heap are copied
 * into kept scratch blocks (./stage.ts), results copied out into the op's ordinary arrays.
 *
 * As the JS general path (core/ops/conv-kernels.ts), a chunk of images sits side by side in one
 * column matrix, so each of forward, dW and dX is one big GEMM per chunk (threaded from 1M
 * multiply-adds) rather than one tiny GEMM per image:
 *   T[O, nb·ohw] = W · cols (bias pre-filled) → scattered to NCHW;   dW += Tg · colsᵀ;
 *   dCols = Wᵀ · Tg → col2im onto dX            (Tg: dOut gathered output-major).
 * im2col, col2im and the copies are exact, so this differs from the JS kernels by the GEMM's
 * float32 summation only (within (k + 2)·2⁻²⁴·Σ|terms| per element, k the reduction length), and
 * is deterministic for any thread count: the chunking depends on the shape only.
 *
 * The exception is 3 × 3, stride 1 with few input channels (a first layer): forward and dW run
 * the direct kernels of ./conv-3x3.ts there, which measured faster than this GEMM path.
 *
 * @example convForwardStaged(x.values, w.values, b.values, g, out); // out: a fresh Float32Array
 */
import { gemmF32 } from "./gemm";
import { sumF32 } from "./ops";
import { conv3x3Forward, conv3x3GradW, direct3x3Applies, dropBiasGradient, takeBiasGradient } from "./conv-3x3";
import { wasmKernels } from "./loader";
import type { ConvGeometry } from "./conv";
import { scratchBlock, stagedIn } from "./stage";

/** Calls run here (tests check that the wasm backend really took this path). */
export const convStagedStats = { forward: 0, backward: 0 };

/** Elements of float32 scratch per chunk of images (8 MB): bounds memory for big batches. */
const CHUNK = 1 << 21;

/** Images per chunk: as many as fit CHUNK elements of the bigger of cols and T, at least one. */
function chunkImages(g: ConvGeometry): number {
  const rows = Math.max(g.C * g.KH * g.KW, g.O);
  return Math.max(1, Math.min(g.N, Math.floor(CHUNK / (rows * g.OH * g.OW))));
}

/** Unfolds images n0 .. n0 + cnt − 1 of the heap view x side by side into cols (row stride ld). */
function im2colChunk(x: Float32Array, n0: number, cnt: number, g: ConvGeometry, cols: Float32Array, ld: number): void {
  const kernels = wasmKernels().exports;
  const chw = g.C * g.H * g.W,
    ohw = g.OH * g.OW;
  for (let t = 0; t < cnt; t++) {
    kernels.im2colF32(x.byteOffset + (n0 + t) * chw * 4, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW, cols.byteOffset + t * ohw * 4, ld);
  }
}

/**
 * What the "conv.t" block holds after a backward: dOut `from`, gathered output-major, when that
 * backward had one chunk (all images); null once anything else may have written the block. The
 * bias gradient that conv2d's backward asks for right after reads it instead of gathering again,
 * when it is for the same dOut of the same conv2d call (the geometry object: see conv-3x3.ts).
 */
let gathered: { from: Float32Array; g: ConvGeometry } | null = null;

/** dOut's images n0 .. n0 + cnt − 1 gathered output-major into "conv.t": row o holds channel o of each. */
function gatherChunk(gv: Float32Array, n0: number, cnt: number, O: number, ohw: number): Float32Array {
  const ld = cnt * ohw;
  const T = scratchBlock("conv.t", O * ld);
  for (let t = 0; t < cnt; t++) {
    for (let o = 0; o < O; o++) {
      const s = ((n0 + t) * O + o) * ohw;
      T.set(gv.subarray(s, s + ohw), o * ld + t * ohw);
    }
  }
  return T;
}

/** Forward: out (N·O·OH·OW, NCHW) = conv2d(x, w) + b; b may be null. Picks the direct 3 × 3 or the GEMM path. */
export function convForwardStaged(xv: Float32Array, wv: Float32Array, bv: Float32Array | null, g: ConvGeometry, out: Float32Array): void {
  convStagedStats.forward++;
  gathered = null;
  dropBiasGradient();
  if (direct3x3Applies(g)) conv3x3Forward(xv, wv, bv, g, out);
  else convForwardGemm(xv, wv, bv, g, out);
}

/** The forward through im2col + the wasm GEMM, chunk by chunk (any geometry). */
export function convForwardGemm(xv: Float32Array, wv: Float32Array, bv: Float32Array | null, g: ConvGeometry, out: Float32Array): void {
  const { N, O, C, KH, KW, OH, OW } = g;
  gathered = null;
  if (N === 0) return;
  const ckk = C * KH * KW,
    ohw = OH * OW,
    nb = chunkImages(g);
  const x = stagedIn("conv.x", xv),
    w = stagedIn("conv.w", wv);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const cnt = Math.min(nb, N - n0),
      ld = cnt * ohw;
    const cols = scratchBlock("conv.cols", ckk * ld);
    im2colChunk(x, n0, cnt, g, cols, ld);
    const T = scratchBlock("conv.t", O * ld);
    if (bv !== null) for (let o = 0; o < O; o++) T.fill(bv[o], o * ld, (o + 1) * ld);
    gemmF32(w, 0, ckk, false, cols, 0, ld, false, T, 0, ld, O, ld, ckk, bv !== null);
    for (let t = 0; t < cnt; t++) {
      for (let o = 0; o < O; o++) {
        const s = o * ld + t * ohw;
        out.set(T.subarray(s, s + ohw), ((n0 + t) * O + o) * ohw);
      }
    }
  }
}

/** Backward: dx (overwritten) and dw (overwritten) from dOut; either may be null. dW of a direct 3 × 3 geometry goes to its kernel. */
export function convBackwardStaged(
  xv: Float32Array,
  wv: Float32Array,
  gv: Float32Array,
  g: ConvGeometry,
  dx: Float32Array | null,
  dw: Float32Array | null,
): void {
  convStagedStats.backward++;
  gathered = null;
  dropBiasGradient();
  if (dw !== null && direct3x3Applies(g)) {
    conv3x3GradW(xv, gv, g, dw);
    if (dx !== null) convBackwardGemm(xv, wv, gv, g, dx, null);
  } else if (dx !== null || dw !== null) convBackwardGemm(xv, wv, gv, g, dx, dw);
}

/** The backward through the wasm GEMM: dCols = Wᵀ · Tg → col2im, dW += Tg · colsᵀ, chunk by chunk. */
export function convBackwardGemm(
  xv: Float32Array,
  wv: Float32Array,
  gv: Float32Array,
  g: ConvGeometry,
  dx: Float32Array | null,
  dw: Float32Array | null,
): void {
  const { N, C, H, W, O, KH, KW, OH, OW } = g;
  const ckk = C * KH * KW,
    chw = C * H * W,
    ohw = OH * OW,
    nb = chunkImages(g);
  gathered = null;
  if (N === 0) {
    if (dw !== null) dw.fill(0);
    return;
  }
  const x = dw !== null ? stagedIn("conv.x", xv) : null,
    w = dx !== null ? stagedIn("conv.w", wv) : null;
  const dW = dw !== null ? scratchBlock("conv.dw", O * ckk) : null;
  const kernels = wasmKernels().exports;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const cnt = Math.min(nb, N - n0),
      ld = cnt * ohw;
    const T = gatherChunk(gv, n0, cnt, O, ohw);
    const cols = scratchBlock("conv.cols", ckk * ld);
    if (x !== null && dW !== null) {
      im2colChunk(x, n0, cnt, g, cols, ld);
      gemmF32(T, 0, ld, false, cols, 0, ld, true, dW, 0, ckk, O, ckk, ld, n0 > 0);
    }
    if (w !== null && dx !== null) {
      gemmF32(w, 0, ckk, true, T, 0, ld, false, cols, 0, ld, ckk, ld, O, false);
      const dX = scratchBlock("conv.dx", cnt * chw);
      dX.fill(0);
      for (let t = 0; t < cnt; t++) {
        kernels.col2imF32(cols.byteOffset + t * ohw * 4, ld, C, H, W, KH, KW, g.SH, g.SW, g.PH, g.PW, OH, OW, dX.byteOffset + t * chw * 4);
      }
      dx.set(dX, n0 * chw);
    }
  }
  if (dw !== null && dW !== null) dw.set(dW);
  if (nb >= N) gathered = { from: gv, g };
}

/**
 * The bias gradient db[o] = Σ dOut[n, o, ·]: the one the direct 3 × 3 dW kernel summed along
 * (four float32 lanes) when it just ran on this dOut, else from the gathered rows (sumF32, four
 * float32 lanes, chunks added in double): the backward's gathered block when it holds this dOut,
 * else gathered here chunk by chunk. Differs from the JS loop (double sums) by summation only.
 */
export function convBiasGradientStaged(gv: Float32Array, g: ConvGeometry, db: Float32Array): void {
  if (takeBiasGradient(gv, g, db)) return; // the direct dW kernel summed it already
  const { N, O } = g,
    ohw = g.OH * g.OW;
  const acc = new Float64Array(O);
  const reuse = gathered !== null && gathered.from === gv && gathered.g === g;
  gathered = null;
  if (N > 0 && ohw > 0) {
    const nb = reuse ? N : Math.max(1, Math.min(N, Math.floor(CHUNK / (O * ohw))));
    for (let n0 = 0; n0 < N; n0 += nb) {
      const cnt = Math.min(nb, N - n0),
        ld = cnt * ohw;
      const T = reuse ? scratchBlock("conv.t", O * ld) : gatherChunk(gv, n0, cnt, O, ohw);
      for (let o = 0; o < O; o++) acc[o] += sumF32(T.subarray(o * ld, (o + 1) * ld));
    }
  }
  for (let o = 0; o < O; o++) db[o] = acc[o];
}
