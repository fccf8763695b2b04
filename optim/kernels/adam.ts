/**
 * Adam's update (see ../adam.ts for the rule) as one fused pass per parameter, with AdamW's
 * decoupled weight decay folded in when `wd` is not 0 (it uses the weight before this step's
 * update, as the separate Keras pass does). One top-level kernel per dtype and amsgrad setting,
 * so each stays monomorphic and branch-free in its loop (see ./lion.ts for why).
 *
 * `alpha` is the bias-corrected step size; compute it with `adamAlphaF32`/`adamAlphaF64`.
 *
 * Float32 rounding is Keras's (keras/src/optimizers/adam.py, TensorFlow float32 ops): every op
 * rounds; β^t is a float32 power of float32(β); `1 − β` multiplies as float32(1 − β) formed in
 * double from the Python float (not 1 − float32(β)); ε is float32(ε) added to √u.
 *
 * @example adamF32(v, g, m, u, adamAlphaF32(1e-3, 0.9, 0.999, t), 0.9, 0.999, 1e-7, 0.004, 1e-3)
 */
import { perDtype } from "../../core/kernels/elementwise";

const f = Math.fround;

/** `lr·√(1 − β2^t) / (1 − β1^t)` with Keras's float32 rounding after every op. */
export function adamAlphaF32(lr: number, beta1: number, beta2: number, t: number): number {
  const b1 = f(beta1),
    b2 = f(beta2);
  return f(f(f(lr) * f(Math.sqrt(f(1 - f(Math.pow(b2, t)))))) / f(1 - f(Math.pow(b1, t))));
}

/** `lr·√(1 − β2^t) / (1 − β1^t)` in float64. */
export function adamAlphaF64(lr: number, beta1: number, beta2: number, t: number): number {
  return (lr * Math.sqrt(1 - Math.pow(beta2, t))) / (1 - Math.pow(beta1, t));
}

/** Adam on float32 arrays, in place on v, m, u. `wd` 0 means no decay; `lr` is used only by the decay. */
export function adamF32(
  v: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  wd: number,
  lr: number,
): void {
  // Keras multiplies by `1 - self.beta_1`: a Python double, cast to float32 once, so
  // 1 − β is formed from the unrounded β (Lion, by contrast, casts β first).
  const eps = f(epsilon),
    omb1 = f(1 - beta1),
    omb2 = f(1 - beta2);
  const wdr = f(wd),
    lrr = f(lr);
  const n = v.length;
  if (wd === 0) {
    for (let k = 0; k < n; k++) {
      const gk = g[k],
        m0 = m[k],
        u0 = u[k];
      // Round before reuse: a stored value is float32, the expression's double is not.
      const mk = f(m0 + f(f(gk - m0) * omb1));
      const uk = f(u0 + f(f(f(gk * gk) - u0) * omb2));
      m[k] = mk;
      u[k] = uk;
      v[k] = v[k] - f(f(mk * alpha) / f(f(Math.sqrt(uk)) + eps));
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      m0 = m[k],
      u0 = u[k],
      v0 = v[k];
    const vk = f(v0 - f(f(v0 * wdr) * lrr));
    const mk = f(m0 + f(f(gk - m0) * omb1));
    const uk = f(u0 + f(f(f(gk * gk) - u0) * omb2));
    m[k] = mk;
    u[k] = uk;
    v[k] = vk - f(f(mk * alpha) / f(f(Math.sqrt(uk)) + eps));
  }
}

/** Adam with amsgrad on float32 arrays: û ← max(û, u) replaces u in the step. */
export function adamAmsgradF32(
  v: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  uh: Float32Array,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  wd: number,
  lr: number,
): void {
  // Keras multiplies by `1 - self.beta_1`: a Python double, cast to float32 once, so
  // 1 − β is formed from the unrounded β (Lion, by contrast, casts β first).
  const eps = f(epsilon),
    omb1 = f(1 - beta1),
    omb2 = f(1 - beta2);
  const wdr = f(wd),
    lrr = f(lr);
  const decay = wd !== 0;
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      m0 = m[k],
      u0 = u[k],
      v0 = v[k];
    const vk = decay ? f(v0 - f(f(v0 * wdr) * lrr)) : v0;
    const mk = f(m0 + f(f(gk - m0) * omb1));
    const uk = f(u0 + f(f(f(gk * gk) - u0) * omb2));
    m[k] = mk;
    u[k] = uk;
    if (uk > uh[k]) uh[k] = uk;
    const hk = uh[k];
    v[k] = vk - f(f(mk * alpha) / f(f(Math.sqrt(hk)) + eps));
  }
}

/** Adam on float64 arrays (no intermediate rounding). `wd` 0 means no decay. */
export function adamF64(
  v: Float64Array,
  g: Float64Array,
  m: Float64Array,
  u: Float64Array,
  alpha: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  lr: number,
): void {
  const omb1 = 1 - b1,
    omb2 = 1 - b2;
  const n = v.length;
  if (wd === 0) {
    for (let k = 0; k < n; k++) {
      const gk = g[k],
        m0 = m[k],
        u0 = u[k];
      const mk = m0 + (gk - m0) * omb1;
      const uk = u0 + (gk * gk - u0) * omb2;
      m[k] = mk;
      u[k] = uk;
      v[k] = v[k] - (mk * alpha) / (Math.sqrt(uk) + eps);
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      m0 = m[k],
      u0 = u[k],
      v0 = v[k];
    const vk = v0 - v0 * wd * lr;
    const mk = m0 + (gk - m0) * omb1;
    const uk = u0 + (gk * gk - u0) * omb2;
    m[k] = mk;
    u[k] = uk;
    v[k] = vk - (mk * alpha) / (Math.sqrt(uk) + eps);
  }
}

/** Adam with amsgrad on float64 arrays. */
export function adamAmsgradF64(
  v: Float64Array,
  g: Float64Array,
  m: Float64Array,
  u: Float64Array,
  uh: Float64Array,
  alpha: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  lr: number,
): void {
  const omb1 = 1 - b1,
    omb2 = 1 - b2;
  const decay = wd !== 0;
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      m0 = m[k],
      u0 = u[k],
      v0 = v[k];
    const vk = decay ? v0 - v0 * wd * lr : v0;
    const mk = m0 + (gk - m0) * omb1;
    const uk = u0 + (gk * gk - u0) * omb2;
    m[k] = mk;
    u[k] = uk;
    if (uk > uh[k]) uh[k] = uk;
    v[k] = vk - (mk * alpha) / (Math.sqrt(uh[k]) + eps);
  }
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const ADAM = perDtype(__filename, { adamF32, adamF64 });
export const ADAM_AMSGRAD = perDtype(__filename, { adamAmsgradF32, adamAmsgradF64 });
