/**
 * SGD's update (see ../sgd.ts for Keras's rule) as one fused pass per parameter, with the
 * decoupled weight decay folded in when `wd` is not 0. One top-level kernel per dtype and
 * variant (plain, momentum, Nesterov), so each loop is monomorphic and has no per-element
 * branch on the variant (see ./lion.ts for why).
 *
 * @example sgdMomentumF32(v, g, b, 0.01, 0.9, 0)
 */
import { perDtype } from "../../core/kernels/elementwise";

const f = Math.fround;

/** `v ← v − lr·g` (float32). */
export function sgdF32(v: Float32Array, g: Float32Array, lr: number, wd: number): void {
  const lrr = f(lr),
    n = v.length;
  if (wd === 0) {
    for (let k = 0; k < n; k++) v[k] = v[k] - f(g[k] * lrr);
    return;
  }
  const wdr = f(wd);
  for (let k = 0; k < n; k++) {
    const v0 = v[k];
    v[k] = f(v0 - f(f(v0 * wdr) * lrr)) - f(g[k] * lrr);
  }
}

/** `b ← μ·b − lr·g; v ← v + b`, or with `nesterov` `v ← v + μ·b − lr·g` (float32). */
export function sgdMomentumF32(v: Float32Array, g: Float32Array, b: Float32Array, lr: number, momentum: number, nesterov: boolean, wd: number): void {
  const lrr = f(lr),
    mu = f(momentum),
    wdr = f(wd),
    n = v.length;
  if (nesterov) {
    for (let k = 0; k < n; k++) {
      const v0 = v[k];
      const vk = wd === 0 ? v0 : f(v0 - f(f(v0 * wdr) * lrr));
      const step = f(g[k] * lrr);
      const bk = f(f(b[k] * mu) - step);
      b[k] = bk;
      v[k] = vk + f(f(bk * mu) - step);
    }
  } else if (wd === 0) {
    for (let k = 0; k < n; k++) {
      const step = f(g[k] * lrr);
      const bk = f(f(b[k] * mu) - step);
      b[k] = bk;
      v[k] = v[k] + bk;
    }
  } else {
    for (let k = 0; k < n; k++) {
      const v0 = v[k];
      const vk = f(v0 - f(f(v0 * wdr) * lrr));
      const step = f(g[k] * lrr);
      const bk = f(f(b[k] * mu) - step);
      b[k] = bk;
      v[k] = vk + bk;
    }
  }
}

/** `v ← v − lr·g` (float64). */
export function sgdF64(v: Float64Array, g: Float64Array, lr: number, wd: number): void {
  const n = v.length;
  if (wd === 0) {
    for (let k = 0; k < n; k++) v[k] = v[k] - g[k] * lr;
    return;
  }
  for (let k = 0; k < n; k++) {
    const v0 = v[k];
    v[k] = v0 - v0 * wd * lr - g[k] * lr;
  }
}

/** Momentum / Nesterov SGD (float64). */
export function sgdMomentumF64(v: Float64Array, g: Float64Array, b: Float64Array, lr: number, mu: number, nesterov: boolean, wd: number): void {
  const n = v.length,
    decay = wd !== 0;
  for (let k = 0; k < n; k++) {
    const v0 = v[k];
    const vk = decay ? v0 - v0 * wd * lr : v0;
    const step = g[k] * lr;
    const bk = b[k] * mu - step;
    b[k] = bk;
    v[k] = vk + (nesterov ? bk * mu - step : bk);
  }
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const SGD = perDtype(__filename, { sgdF32, sgdF64 });
export const SGD_MOMENTUM = perDtype(__filename, { sgdMomentumF32, sgdMomentumF64 });
