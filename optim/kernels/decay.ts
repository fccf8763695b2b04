/**
 * Decoupled weight decay `v ← v − v·wd·lr` alone, per dtype (the update kernels fold the same
 * arithmetic into their pass; this one serves the pipeline stage and rules that do not fold it).
 *
 * @example decayF32(v, 0.004, 1e-3)
 */
const f = Math.fround;

/** Float32: Keras rounds v·wd, then ·lr, then the difference (on store). */
export function decayF32(v: Float32Array, wd: number, lr: number): void {
  const wdr = f(wd), lrr = f(lr);
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const vk = v[k];
    v[k] = vk - f(f(vk * wdr) * lrr);
  }
}

/** Float64: no intermediate rounding. */
export function decayF64(v: Float64Array, wd: number, lr: number): void {
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const vk = v[k];
    v[k] = vk - vk * wd * lr;
  }
}
