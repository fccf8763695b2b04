/**
 * Clipping passes per dtype (the rules and their order are in ../pipeline/clip.ts).
 *
 * @example clipByNormF32(g, 1)
 */
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

/** `g ← fround(g·c) / max(‖g‖, c)` with Keras's float32 rounding. */
export function clipByNormF32(g: Float32Array, c: number): void {
  const cr = f(c);
  const norm = f(Math.sqrt(f(sumOfSquaresF32(g))));
  const denom = Math.max(norm, cr);
  const n = g.length;
  for (let k = 0; k < n; k++) g[k] = f(g[k] * cr) / denom;
}

/** `g ← g·c / max(‖g‖, c)` in float64. */
export function clipByNormF64(g: Float64Array, c: number): void {
  const denom = Math.max(Math.sqrt(sumOfSquaresF64(g)), c);
  const n = g.length;
  for (let k = 0; k < n; k++) g[k] = (g[k] * c) / denom;
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
