/**
 * Gradient-accumulation passes per dtype: add a micro-gradient, and average on the update step.
 *
 * @example accumulateF32(acc, g); averageIntoF32(acc, g, 4)
 */
const f = Math.fround;

/** `acc ← acc + g` (float32). */
export function accumulateF32(acc: Float32Array, g: Float32Array): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] += g[k];
}

/** `acc ← acc + g` (float64). */
export function accumulateF64(acc: Float64Array, g: Float64Array): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] += g[k];
}

/** `acc ← fround(g + acc) / n` (float32; the quotient is rounded by the store). */
export function averageIntoF32(acc: Float32Array, g: Float32Array, count: number): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] = f(g[k] + acc[k]) / count;
}

/** `acc ← (g + acc) / n` (float64). */
export function averageIntoF64(acc: Float64Array, g: Float64Array, count: number): void {
  const n = acc.length;
  for (let k = 0; k < n; k++) acc[k] = (g[k] + acc[k]) / count;
}
