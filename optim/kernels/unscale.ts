/**
 * Loss-scale passes per dtype: the finite check over a gradient and the division by the scale.
 *
 * @example if (allFiniteF32(g)) unscaleF32(g, Math.fround(1024), out)
 */

/** True when no element is NaN or ±Infinity (`x − x` is 0 exactly for finite x). */
export function allFiniteF32(a: Float32Array): boolean {
  const n = a.length;
  for (let k = 0; k < n; k++) {
    const x = a[k];
    if (x - x !== 0) return false;
  }
  return true;
}

/** As `allFiniteF32`, for float64. */
export function allFiniteF64(a: Float64Array): boolean {
  const n = a.length;
  for (let k = 0; k < n; k++) {
    const x = a[k];
    if (x - x !== 0) return false;
  }
  return true;
}

/** `out ← g / factor` (float32; pass the factor already rounded to float32). */
export function unscaleF32(g: Float32Array, factor: number, out: Float32Array): void {
  const n = out.length;
  for (let k = 0; k < n; k++) out[k] = g[k] / factor;
}

/** `out ← g / factor` (float64). */
export function unscaleF64(g: Float64Array, factor: number, out: Float64Array): void {
  const n = out.length;
  for (let k = 0; k < n; k++) out[k] = g[k] / factor;
}
