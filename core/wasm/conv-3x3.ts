/**
 * conv2d's direct path on the wasm backend: 3 × 3 windows, stride 1, few input channels (a CNN's
 * first layer), forward and weight gradient on the kernels of core/wasm/asm/conv3x3.ts, which
 * keep the nine taps in registers over zero-padded images. There im2col + GEMM is mostly data
 * movement (a GEMM of depth 9·C), and measured slower: bench/experiments/conv-paths.ts on
 * 2026-12-01 (load ~5), direct vs GEMM, forward / dW in ms: 32×1×28² → 8 0.21/0.35 and
 * 0.23/0.69; 32×3×32² → 16 1.36/1.70 and 1.59/2.81; 16×8×16² → 16 0.42/0.49 and 0.52/0.78; but
 * 16×16×14² → 32 1.76/1.25 and 2.06/1.56, hence at most 8 input channels. The input gradient,
 * when asked for, stays on the GEMM path (./conv-staged.ts).
 *
 * Float32 sums in a fixed order: differs from the JS kernels by summation only (the GEMM bound
 * with k = 9·C + 1 forward, N·OH·OW for dW), single-threaded, so the same bits for any thread count.
 *
 * @example if (direct3x3Applies(g)) conv3x3Forward(x, w, b, g, out);
 */
import type { ConvGeometry } from "./conv";
import { wasmKernels } from "./loader";
import { scratchBlock, stagedIn } from "./stage";

/** Input channels up to which the direct 3 × 3 kernels run (measured faster than the GEMM there). */
export const DIRECT3X3_MAX_C = 8;

/** The exports of core/wasm/asm/conv3x3.ts (typed here, beside their only wrappers). */
interface Conv3x3Exports {
  padPlanesF32(psrc: number, planes: number, H: number, W: number, PH: number, PW: number, pdst: number): void;
  conv3x3F32(pxp: number, pw: number, pb: number, pout: number, N: number, C: number, Hp: number, Wp: number, O: number): void;
  conv3x3GradWF32(pxp: number, pg: number, pdw: number, pdb: number, N: number, C: number, Hp: number, Wp: number, O: number): void;
}

const kernels = () => wasmKernels().exports as unknown as Conv3x3Exports;

/** Whether the direct kernels take this geometry: 3 × 3, stride 1, at most DIRECT3X3_MAX_C input channels. */
export function direct3x3Applies(g: ConvGeometry): boolean {
  return g.KH === 3 && g.KW === 3 && g.SH === 1 && g.SW === 1 && g.C <= DIRECT3X3_MAX_C;
}

function checkApplies(op: string, g: ConvGeometry): void {
  if (g.KH !== 3 || g.KW !== 3 || g.SH !== 1 || g.SW !== 1) {
    throw new Error(`${op} (wasm): needs a 3×3 kernel with stride 1, got [${g.KH},${g.KW}] stride [${g.SH},${g.SW}]`);
  }
}

/** The images zero-padded into the "conv.xpad" block. */
function padded(xv: Float32Array, g: ConvGeometry): Float32Array {
  const { N, C, H, W, PH, PW } = g;
  const x = stagedIn("conv.x", xv);
  const xp = scratchBlock("conv.xpad", N * C * (H + 2 * PH) * (W + 2 * PW));
  kernels().padPlanesF32(x.byteOffset, N * C, H, W, PH, PW, xp.byteOffset);
  return xp;
}

/** out = conv2d(x, w) + b (b may be null) for a 3 × 3, stride-1 geometry. */
export function conv3x3Forward(xv: Float32Array, wv: Float32Array, bv: Float32Array | null, g: ConvGeometry, out: Float32Array): void {
  checkApplies("conv3x3Forward", g);
  if (g.N === 0) return;
  const xp = padded(xv, g);
  const w = stagedIn("conv.w", wv),
    b = bv === null ? null : stagedIn("conv.b", bv);
  const o = wasmKernels().heap.owns(out) ? out : scratchBlock("conv.out", out.length);
  kernels().conv3x3F32(xp.byteOffset, w.byteOffset, b === null ? 0 : b.byteOffset, o.byteOffset, g.N, g.C, g.H + 2 * g.PH, g.W + 2 * g.PW, g.O);
  if (o !== out) out.set(o);
}

/**
 * What the "conv.db" block holds: the bias gradient of dOut `from` that the last conv3x3GradW
 * summed along with dW (free there), for the bias gradient conv2d's backward asks for right after;
 * null once taken. Matched on the dOut array AND the geometry object: two conv2d calls never share
 * a geometry, while their dOut arrays may be one (a reshape shares its values).
 */
let biasOf: { from: Float32Array; g: ConvGeometry } | null = null;

/** dw (overwritten) = the weight gradient of conv3x3Forward for dOut (its bias gradient kept aside, see `takeBiasGradient`). */
export function conv3x3GradW(xv: Float32Array, gv: Float32Array, g: ConvGeometry, dw: Float32Array): void {
  checkApplies("conv3x3GradW", g);
  biasOf = null;
  if (g.N === 0) {
    dw.fill(0);
    return;
  }
  const xp = padded(xv, g);
  const gs = stagedIn("conv.g", gv);
  const d = wasmKernels().heap.owns(dw) ? dw : scratchBlock("conv.dw", dw.length);
  const db = scratchBlock("conv.db", g.O);
  kernels().conv3x3GradWF32(xp.byteOffset, gs.byteOffset, d.byteOffset, db.byteOffset, g.N, g.C, g.H + 2 * g.PH, g.W + 2 * g.PW, g.O);
  if (d !== dw) dw.set(d);
  biasOf = { from: gv, g };
}

/** Forgets the kept bias gradient (any other conv2d pass calls this: it belongs to the pass just before). */
export function dropBiasGradient(): void {
  biasOf = null;
}

/**
 * Copies into `db` the bias gradient the last conv3x3GradW summed, and returns true, when that was
 * for this very dOut of this very conv2d call (same array, same geometry object); false otherwise.
 * Either way the kept one is dropped.
 */
export function takeBiasGradient(gv: Float32Array, g: ConvGeometry, db: Float32Array): boolean {
  const mine = biasOf !== null && biasOf.from === gv && biasOf.g === g;
  biasOf = null;
  if (!mine) return false;
  db.set(scratchBlock("conv.db", db.length));
  return true;
}
