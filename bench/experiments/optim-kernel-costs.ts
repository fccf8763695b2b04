/**
 * Experiment: where a 10M-element optimizer pass spends its time on one thread.
 * - Lion: the shipped kernel (NaN-preserving factor `1 + 0/(1 − isNaN(c))`) against the same
 *   loop written with `c === c ? … : NaN`, and against a plain loop without Keras's roundings.
 * - AdamW (with decay): the shipped kernel against variants without the float32 roundings and
 *   without the sqrt/division (those variants give different bits; they only show the cost).
 *   `npx ts-node -T bench/experiments/optim-kernel-costs.ts`
 * When: 2026-11-25 (the single-thread figures quoted in README and optim/kernels/lion.ts).
 */
import { lionF32 } from "../../optim/kernels/lion";
import { adamF32, adamAlphaF32 } from "../../optim/kernels/adam";
import { median, randomArray } from "../lib/harness";

const f = Math.fround;
const n = 10_000_000;
const v = randomArray(n, 1),
  g = randomArray(n, 2),
  m = randomArray(n, 3);
const u = new Float32Array(n).map((_, i) => Math.abs(g[i]) * 0.01);

function lionTernary(v: Float32Array, g: Float32Array, m: Float32Array, lr: number, beta1: number, beta2: number): void {
  const b1 = f(beta1),
    b2 = f(beta2),
    omb1 = f(1 - b1),
    omb2 = f(1 - b2),
    lrr = f(lr);
  for (let k = 0; k < v.length; k++) {
    const gk = g[k],
      mk = m[k];
    const c = f(mk * b1) + f(gk * omb1);
    const s = +(c > 0) - +(c < 0);
    v[k] = c === c ? v[k] - s * lrr : NaN;
    m[k] = f(mk * b2) + f(gk * omb2);
  }
}

function lionPlain(v: Float32Array, g: Float32Array, m: Float32Array, lr: number, b1: number, b2: number): void {
  for (let k = 0; k < v.length; k++) {
    const c = m[k] * b1 + g[k] * (1 - b1);
    v[k] -= lr * (+(c > 0) - +(c < 0));
    m[k] = m[k] * b2 + g[k] * (1 - b2);
  }
}

function adamNoRounding(
  v: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  alpha: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  lr: number,
): void {
  for (let k = 0; k < v.length; k++) {
    const gk = g[k],
      m0 = m[k],
      u0 = u[k],
      v0 = v[k];
    const mk = m0 + (gk - m0) * (1 - b1),
      uk = u0 + (gk * gk - u0) * (1 - b2);
    m[k] = mk;
    u[k] = uk;
    v[k] = v0 - v0 * wd * lr - (mk * alpha) / (Math.sqrt(uk) + eps);
  }
}

function adamNoSqrtDiv(
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
  const b1 = f(beta1),
    b2 = f(beta2),
    eps = f(epsilon),
    omb1 = f(1 - b1),
    omb2 = f(1 - b2),
    wdr = f(wd),
    lrr = f(lr);
  for (let k = 0; k < v.length; k++) {
    const gk = g[k],
      m0 = m[k],
      u0 = u[k],
      v0 = v[k];
    const vk = f(v0 - f(f(v0 * wdr) * lrr));
    const mk = f(m0 + f(f(gk - m0) * omb1));
    const uk = f(u0 + f(f(f(gk * gk) - u0) * omb2));
    m[k] = mk;
    u[k] = uk;
    v[k] = vk - f(f(mk * alpha) * f(uk + eps));
  }
}

const alpha = adamAlphaF32(1e-3, 0.9, 0.999, 10);
const cases: [string, () => void][] = [
  ["Lion kernel (shipped)", () => lionF32(v, g, m, 1e-4, 0.9, 0.99, 0)],
  ["Lion with `c === c ? … : NaN`", () => lionTernary(v, g, m, 1e-4, 0.9, 0.99)],
  ["Lion plain loop, no float32 rounding", () => lionPlain(v, g, m, 1e-4, 0.9, 0.99)],
  ["AdamW kernel (shipped)", () => adamF32(v, g, m, u, alpha, 0.9, 0.999, 1e-7, 0.004, 1e-3)],
  ["AdamW without float32 rounding", () => adamNoRounding(v, g, m, u, alpha, 0.9, 0.999, 1e-7, 0.004, 1e-3)],
  ["AdamW without sqrt and division", () => adamNoSqrtDiv(v, g, m, u, alpha, 0.9, 0.999, 1e-7, 0.004, 1e-3)],
];
for (const [name, run] of cases) {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  console.log(`${name.padEnd(40)} ${median(times).toFixed(1)} ms per 10M elements (one thread)`);
}
