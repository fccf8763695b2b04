/**
 * The clipping stage (Keras `_clip_gradients`), in place on raw gradient arrays. The first rule
 * that applies wins, in Keras's order: `clipNorm` per tensor, then `globalClipNorm`, then
 * `clipValue`. A rule whose value is null, 0 or negative does nothing (Keras tests truthiness).
 *
 * @example const g = Float32Array.of(100, 100); clipByNorm(g, 1); // g ≈ [0.7071, 0.7071]
 */
import type { FloatArray } from "../../core/dtype";
import { roundFor } from "./round";
import { runElementwise } from "../../core/kernels/elementwise";
import { sumOfSquaresF32, sumOfSquaresF64 } from "../kernels";
import { CLIP_BY_VALUE, SCALE, SCALE_BY_NORM, clipNormDenomF32, clipNormDenomF64 } from "../kernels/clip";

// The passes themselves are the per-dtype kernels in ../kernels (monomorphic: fast whatever
// else ran in the process); this file keeps Keras's rules and their order. The norms are
// reductions and stay on one thread (their summation order is part of the result); the scaling
// passes go through `runElementwise` (the dtype's kernel; a big tensor split by element ranges).

/** The clipping settings of an optimizer (at most one of them). @example { globalClipNorm: 1 } */
export interface ClipOptions {
  clipNorm: number | null;
  clipValue: number | null;
  globalClipNorm: number | null;
}

/** True when one of the rules is active (a positive value). */
export function clipActive(o: ClipOptions): boolean {
  return (o.clipNorm ?? 0) > 0 || (o.globalClipNorm ?? 0) > 0 || (o.clipValue ?? 0) > 0;
}

/** Σ g², accumulated in a double (as exact as a float32 reduction can hope to be). */
export function sumOfSquares(g: FloatArray): number {
  return g instanceof Float32Array ? sumOfSquaresF32(g) : sumOfSquaresF64(g);
}

/** `g ← g·c / max(‖g‖₂, c)`: a tensor longer than c is scaled onto the sphere of radius c; a zero tensor stays zero. */
export function clipByNorm(g: FloatArray, c: number): void {
  // The norm (a reduction) first, on one thread; then the elementwise scaling.
  const cr = roundFor(g)(c);
  const denom = g instanceof Float32Array ? clipNormDenomF32(g, cr) : clipNormDenomF64(g, cr);
  runElementwise(SCALE_BY_NORM, [g], [cr, denom]);
}

/** `‖(g₁, …, gₙ)‖₂` over every element of every tensor. */
export function globalNorm(gs: readonly FloatArray[]): number {
  let s = 0;
  for (const g of gs) s += sumOfSquares(g);
  return Math.fround(Math.sqrt(Math.fround(s)));
}

/**
 * All tensors scaled by `c·min(1/n, 1/c) + (n − n)`, n = the global norm. The `n − n` term is
 * Keras's: a non-finite norm turns every gradient into NaN rather than silently passing it.
 */
export function clipByGlobalNorm(gs: readonly FloatArray[], c: number): void {
  const f = Math.fround;
  const n = globalNorm(gs);
  const cr = f(c);
  const scale = f(f(cr * Math.min(f(1 / n), f(1 / cr))) + (n - n));
  // A Float32Array store rounds g·scale exactly as fround would.
  for (const g of gs) runElementwise(SCALE, [g], [scale]);
}

/** `g ← clamp(g, −c, c)` elementwise. */
export function clipByValue(g: FloatArray, c: number): void {
  const cr = roundFor(g)(c);
  runElementwise(CLIP_BY_VALUE, [g], [cr]);
}

/** Runs the active rule on `gs` in place (nothing when none is active). */
export function clipInPlace(gs: readonly FloatArray[], o: ClipOptions): void {
  if (o.clipNorm !== null && o.clipNorm > 0) {
    for (const g of gs) clipByNorm(g, o.clipNorm);
  } else if (o.globalClipNorm !== null && o.globalClipNorm > 0) {
    clipByGlobalNorm(gs, o.globalClipNorm);
  } else if (o.clipValue !== null && o.clipValue > 0) {
    for (const g of gs) clipByValue(g, o.clipValue);
  }
}
