/**
 * The clipping stage (Keras `_clip_gradients`), in place on raw gradient arrays. The first rule
 * that applies wins, in Keras's order: `clipNorm` per tensor, then `globalClipNorm`, then
 * `clipValue`. A rule whose value is null, 0 or negative does nothing (Keras tests truthiness).
 *
 * @example const g = Float32Array.of(100, 100); clipByNorm(g, 1); // g ≈ [0.7071, 0.7071]
 */
import type { FloatArray } from "../../core/dtype";
import { roundFor } from "./round";

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
  let s = 0;
  for (let k = 0; k < g.length; k++) s += g[k] * g[k];
  return s;
}

/** `g ← g·c / max(‖g‖₂, c)`: a tensor longer than c is scaled onto the sphere of radius c; a zero tensor stays zero. */
export function clipByNorm(g: FloatArray, c: number): void {
  const r = roundFor(g);
  const cr = r(c);
  const norm = r(Math.sqrt(r(sumOfSquares(g))));
  const denom = Math.max(norm, cr);
  for (let k = 0; k < g.length; k++) g[k] = r(g[k] * cr) / denom;
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
  for (const g of gs) {
    const r = roundFor(g);
    for (let k = 0; k < g.length; k++) g[k] = r(g[k] * scale);
  }
}

/** `g ← clamp(g, −c, c)` elementwise. */
export function clipByValue(g: FloatArray, c: number): void {
  const cr = roundFor(g)(c);
  for (let k = 0; k < g.length; k++) {
    const x = g[k];
    g[k] = x > cr ? cr : x < -cr ? -cr : x;
  }
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
