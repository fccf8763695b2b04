/**
 * Lion's update as one fused pass (see ../lion.ts for the rule), with the decoupled weight decay
 * folded in when `wd` is not 0. One kernel per dtype, top-level, taking only typed arrays and
 * numbers: V8 then keeps a single, monomorphic optimised version for the whole process, which a
 * loop inside a method (reading `this.slots`, rounding through a function variable) loses once
 * other optimizers have run (see bench/experiments/interference.ts).
 *
 * Float32 rounding points are Keras's (every tensor op rounds to float32): `Math.fround` is
 * written at each one; the float64 twin has none. The sign is branchless — random-sign data
 * mispredicts a ternary chain half the time (3.5x slower, docs/PERFORMANCE.md §1a). A NaN `c` must still
 * give NaN (sign(NaN) is NaN in Keras): the factor `1 + 0 / (1 - isNaN(c))` is 1 for any other
 * `c` (±Infinity included, and −0 survives the multiplication) and 0/0 = NaN for a NaN. Written
 * as `c === c ? … : NaN` instead, the loop ran 2x slower (72 vs 37 ms per 10M elements,
 * bench/experiments/optim-kernel-costs.ts), although that branch is never taken on finite data.
 *
 * @example lionF32(v, g, m, 1e-4, 0.9, 0.99, 0) // v, g, m: Float32Array of equal length
 */
import { perDtype } from "../../core/kernels/elementwise";

const f = Math.fround;

/** Lion on float32 arrays, in place on `v` and `m`. `wd` 0 means no decay. */
export function lionF32(v: Float32Array, g: Float32Array, m: Float32Array, lr: number, beta1: number, beta2: number, wd: number): void {
  const b1 = f(beta1),
    b2 = f(beta2),
    omb1 = f(1 - b1),
    omb2 = f(1 - b2),
    lrr = f(lr);
  const n = v.length;
  if (wd === 0) {
    for (let k = 0; k < n; k++) {
      const gk = g[k],
        mk = m[k];
      const c = f(mk * b1) + f(gk * omb1);
      const s = +(c > 0) - +(c < 0);
      v[k] = (v[k] - s * lrr) * (1 + 0 / (1 - +(c !== c)));
      m[k] = f(mk * b2) + f(gk * omb2);
    }
    return;
  }
  const wdr = f(wd);
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      mk = m[k],
      v0 = v[k];
    // The decay as its own stored pass would round it: v ← fround(v − fround(fround(v·wd)·lr)).
    const vk = f(v0 - f(f(v0 * wdr) * lrr));
    const c = f(mk * b1) + f(gk * omb1);
    const s = +(c > 0) - +(c < 0);
    v[k] = (vk - s * lrr) * (1 + 0 / (1 - +(c !== c)));
    m[k] = f(mk * b2) + f(gk * omb2);
  }
}

/** Lion on float64 arrays (no intermediate rounding). `wd` 0 means no decay. */
export function lionF64(v: Float64Array, g: Float64Array, m: Float64Array, lr: number, b1: number, b2: number, wd: number): void {
  const omb1 = 1 - b1,
    omb2 = 1 - b2;
  const n = v.length;
  if (wd === 0) {
    for (let k = 0; k < n; k++) {
      const gk = g[k],
        mk = m[k];
      const c = mk * b1 + gk * omb1;
      const s = +(c > 0) - +(c < 0);
      v[k] = (v[k] - s * lr) * (1 + 0 / (1 - +(c !== c)));
      m[k] = mk * b2 + gk * omb2;
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      mk = m[k],
      v0 = v[k];
    const vk = v0 - v0 * wd * lr;
    const c = mk * b1 + gk * omb1;
    const s = +(c > 0) - +(c < 0);
    v[k] = (vk - s * lr) * (1 + 0 / (1 - +(c !== c)));
    m[k] = mk * b2 + gk * omb2;
  }
}

// Descriptors for `runElementwise` (../../core/kernels/elementwise.ts): it picks the dtype's kernel,
// and helper threads load this module by path and call it by name on element ranges.
export const LION = perDtype(__filename, { lionF32, lionF64 });
