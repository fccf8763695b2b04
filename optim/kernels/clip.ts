/**
 * Clipping passes per dtype (the rules and their order are in ../pipeline/clip.ts).
 *
 * @example clipByNormF32(g, 1)
 */
import { perDtype } from "../../core/kernels/elementwise";

const f = Math.fround;

/** Σ g² accumulated in a double (float32 input). */
export function sumOfSquaresF32(g: Float32Array): number {
  let s = 0;
  const n = g.length;
  for (let k = 0; k < n; k++) s += g[k] * g[k];
  return s;
}

/** Σ g² (float64 input). */
export function sumOfSquaresF64(g: Float64Array): number {
  let s = 0;
  const n = g.length;
  for (let k = 0; k < n; k++) s += g[k] * g[k];
  return s;
}

/** The denominator `max(‖g‖, c)` of `clipByNormF32` (float32 rounding; `c` already rounded). */
export function clipNormDenomF32(g: Float32Array, cr: number): number {
  return Math.max(f(Math.sqrt(f(sumOfSquaresF32(g)))), cr);
}

/** The denominator `max(‖g‖, c)` of `clipByNormF64`. */
export function clipNormDenomF64(g: Float64Array, c: number): number {
  return Math.max(Math.sqrt(sumOfSquaresF64(g)), c);
}

/**
 * The elementwise half of `clipByNormF32`: `g ← fround(g·cr) / denom`. Split from the norm (a
 * reduction, kept on one thread so its summation order never changes) so threads can share it.
 */
export function scaleByNormF32(g: Float32Array, cr: number, denom: number): void {
  const n = g.length;
  for (let k = 0; k < n; k++) g[k] = f(g[k] * cr) / denom;
}

/** The elementwise half of `clipByNormF64`: `g ← g·c / denom`. */
export function scaleByNormF64(g: Float64Array, c: number, denom: number): void {
  const n = g.length;
  for (let k = 0; k < n; k++) g[k] = (g[k] * c) / denom;
}

/** `g ← fround(g·c) / max(‖g‖, c)` with Keras's float32 rounding. */
export function clipByNormF32(g: Float32Array, c: number): void {
  const cr = f(c);
  scaleByNormF32(g, cr, clipNormDenomF32(g, cr));
}

/** `g ← g·c / max(‖g‖, c)` in float64. */
export function clipByNormF64(g: Float64Array, c: number): void {
  scaleByNormF64(g, c, clipNormDenomF64(g, c));
}

/** `g ← g·scale` (float32; the store rounds). */
export function scaleF32(g: Float32Array, scale: number): void {
  const n = g.length;
  for (let k = 0; k < n; k++) g[k] = g[k] * scale;
}

/** `g ← g·scale` (float64). */
export function scaleF64(g: Float64Array, scale: number): void {
  const n = g.length;
  for (let k = 0; k < n; k++) g[k] = g[k] * scale;
}

/** `g ← clamp(g, −c, c)`, NaN kept (float32; pass c rounded to float32). */
export function clipByValueF32(g: Float32Array, c: number): void {
  const n = g.length;
  for (let k = 0; k < n; k++) {
    const x = g[k];
    g[k] = x > c ? c : x < -c ? -c : x;
  }
}

/** `g ← clamp(g, −c, c)`, NaN kept (float64). */
export function clipByValueF64(g: Float64Array, c: number): void {
  const n = g.length;
  for (let k = 0; k < n; k++) {
    const x = g[k];
    g[k] = x > c ? c : x < -c ? -c : x;
  }
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const SCALE = perDtype(__filename, { scaleF32, scaleF64 });
export const CLIP_BY_VALUE = perDtype(__filename, { clipByValueF32, clipByValueF64 });
export const SCALE_BY_NORM = perDtype(__filename, { scaleByNormF32, scaleByNormF64 });
