/**
 * Experiment: faster optimizer kernels, bit-identical to ndgrad's current ones.
 * `npx ts-node -T bench/experiments/fused-optim.ts [n=10000000] [reps=7]`
 *
 * "current" replicates optim/{lion,adam,sgd}.ts updateStep (+ pipeline/stages.ts decoupledDecay
 * for AdamW) exactly: rounding through a `r = roundFor(v)` function variable, Lion's sign as a
 * ternary chain. "fused" = the proposed kernels: Float32Array-only (Math.fround written at the
 * call, no function variable; a Float64Array twin would drop it), Lion's sign branchless
 * (`(c > 0) - (c < 0)`, NaN kept by a never-taken branch), AdamW's decay folded into the same
 * pass. Both run alternately in one process on the same inputs; results are compared bit for bit
 * first (on arrays with zeros, ties, NaN-free random data).
 * When: 2026-11-25, before the per-dtype kernels landed (6d672fc). Its "current" side copies
 * the update loops as they were then (rounding through a function variable); the shipped kernels
 * in optim/kernels/ are the "fused" side it measured. Kept as the record of that choice.
 */
import { median, randomArray } from "../lib/harness";

type Round = (x: number) => number;
const identity: Round = (x) => x;
const roundFor = (a: Float32Array | Float64Array): Round => (a instanceof Float32Array ? Math.fround : identity);

// ---------------- current shapes (copied semantics) ----------------
function lionCurrent(
  v: Float32Array | Float64Array,
  g: Float32Array | Float64Array,
  m: Float32Array | Float64Array,
  lr: number,
  beta1: number,
  beta2: number,
): void {
  const r = roundFor(v);
  const b1 = r(beta1),
    b2 = r(beta2),
    omb1 = r(1 - b1),
    omb2 = r(1 - b2),
    lrr = r(lr);
  for (let k = 0; k < v.length; k++) {
    const gk = g[k],
      mk = m[k];
    const c = r(mk * b1) + r(gk * omb1);
    v[k] = v[k] - (c > 0 ? lrr : c < 0 ? -lrr : c === 0 ? 0 : NaN);
    m[k] = r(mk * b2) + r(gk * omb2);
  }
}
function decayCurrent(v: Float32Array | Float64Array, wd: number, lr: number): void {
  const r = roundFor(v);
  const wdr = r(wd),
    lrr = r(lr);
  for (let k = 0; k < v.length; k++) v[k] = v[k] - r(r(v[k] * wdr) * lrr);
}
function adamCurrent(
  v: Float32Array | Float64Array,
  g: Float32Array | Float64Array,
  m: Float32Array | Float64Array,
  u: Float32Array | Float64Array,
  lr: number,
  t: number,
  beta1: number,
  beta2: number,
  epsilon: number,
): void {
  const r = roundFor(v);
  const b1 = r(beta1),
    b2 = r(beta2),
    eps = r(epsilon);
  const alpha = r(r(r(lr) * r(Math.sqrt(r(1 - r(Math.pow(b2, t)))))) / r(1 - r(Math.pow(b1, t))));
  const omb1 = r(1 - b1),
    omb2 = r(1 - b2);
  for (let k = 0; k < v.length; k++) {
    const gk = g[k];
    const mk = r(m[k] + r(r(gk - m[k]) * omb1));
    const uk = r(u[k] + r(r(r(gk * gk) - u[k]) * omb2));
    m[k] = mk;
    u[k] = uk;
    v[k] = v[k] - r(r(mk * alpha) / r(r(Math.sqrt(uk)) + eps));
  }
}
class SgdCurrent {
  nesterov = false;
  constructor(public momentum: number) {}
  step(v: Float32Array | Float64Array, g: Float32Array | Float64Array, b: Float32Array | Float64Array, lr: number): void {
    const r = roundFor(v);
    const lrr = r(lr);
    const mu = r(this.momentum);
    for (let k = 0; k < v.length; k++) {
      const step = r(g[k] * lrr);
      const bk = r(r(b[k] * mu) - step);
      b[k] = bk;
      v[k] = v[k] + (this.nesterov ? r(r(bk * mu) - step) : bk);
    }
  }
}

// ---------------- proposed fused float32 kernels ----------------
const f = Math.fround;
function lionFused32(v: Float32Array, g: Float32Array, m: Float32Array, lr: number, beta1: number, beta2: number): void {
  const b1 = f(beta1),
    b2 = f(beta2),
    omb1 = f(1 - b1),
    omb2 = f(1 - b2),
    lrr = f(lr);
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      mk = m[k];
    const c = f(mk * b1) + f(gk * omb1);
    // branchless sign (random-sign data mispredicts a ternary half the time); NaN stays NaN
    const s = +(c > 0) - +(c < 0);
    v[k] = c === c ? v[k] - s * lrr : NaN;
    m[k] = f(mk * b2) + f(gk * omb2);
  }
}
function adamwFused32(
  v: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  lr: number,
  t: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  wd: number,
): void {
  const b1 = f(beta1),
    b2 = f(beta2),
    eps = f(epsilon);
  const alpha = f(f(f(lr) * f(Math.sqrt(f(1 - f(Math.pow(b2, t)))))) / f(1 - f(Math.pow(b1, t))));
  const omb1 = f(1 - b1),
    omb2 = f(1 - b2),
    wdr = f(wd),
    lrr = f(lr);
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      m0 = m[k],
      u0 = u[k];
    const vk = f(v[k] - f(f(v[k] * wdr) * lrr)); // the decoupled decay, same rounding as its own pass
    const mk = f(m0 + f(f(gk - m0) * omb1));
    const uk = f(u0 + f(f(f(gk * gk) - u0) * omb2));
    m[k] = mk;
    u[k] = uk;
    v[k] = vk - f(f(mk * alpha) / f(f(Math.sqrt(uk)) + eps));
  }
}
function sgdmFused32(v: Float32Array, g: Float32Array, b: Float32Array, lr: number, momentum: number): void {
  const lrr = f(lr),
    mu = f(momentum);
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const step = f(g[k] * lrr);
    const bk = f(f(b[k] * mu) - step);
    b[k] = bk;
    v[k] = v[k] + bk;
  }
}

// ---------------- check + time ----------------
function same(a: Float32Array, b: Float32Array): boolean {
  const ai = new Int32Array(a.buffer, a.byteOffset, a.length),
    bi = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ai.length; i++) if (ai[i] !== bi[i]) return false;
  return true;
}
function checkEqual(): void {
  const n = 100_003;
  const mk = (s: number, sc = 1): Float32Array => {
    const a = randomArray(n, s, sc);
    for (let i = 0; i < n; i += 97) a[i] = 0; // zeros and exact ties
    return a;
  };
  const v1 = mk(1),
    g = mk(2, 0.01),
    m1 = mk(3, 0.01),
    u1 = mk(4, 0.001).map(Math.abs);
  let v2 = v1.slice(),
    m2 = m1.slice();
  for (let s = 0; s < 3; s++) {
    lionCurrent(v1, g, m1, 1e-3, 0.9, 0.99);
    lionFused32(v2, g, m2, 1e-3, 0.9, 0.99);
  }
  console.log("lion  bit-identical:", same(v1, v2) && same(m1, m2));
  const va = mk(1),
    ma = mk(3, 0.01),
    ua = u1.slice();
  const vb = va.slice(),
    mb = ma.slice(),
    ub = ua.slice();
  for (let t = 1; t <= 3; t++) {
    decayCurrent(va, 0.004, 1e-3);
    adamCurrent(va, g, ma, ua, 1e-3, t, 0.9, 0.999, 1e-7);
    adamwFused32(vb, g, mb, ub, 1e-3, t, 0.9, 0.999, 1e-7, 0.004);
  }
  console.log("adamw bit-identical:", same(va, vb) && same(ma, mb) && same(ua, ub));
  const sc = new SgdCurrent(0.9);
  v2 = mk(1);
  m2 = mk(3, 0.01);
  const v3 = v2.slice(),
    m3 = m2.slice();
  for (let s = 0; s < 3; s++) {
    sc.step(v2, g, m2, 0.01);
    sgdmFused32(v3, g, m3, 0.01, 0.9);
  }
  console.log("sgdm  bit-identical:", same(v2, v3) && same(m2, m3));
}

const N = Number(process.argv[2] ?? 10_000_000);
const REPS = Number(process.argv[3] ?? 7);
if (process.env.NOCHECK !== "1") checkEqual();
const v = randomArray(N, 11),
  g = randomArray(N, 12, 0.01),
  m = randomArray(N, 13, 0.01),
  u = randomArray(N, 14, 0.001).map(Math.abs);
const sgdc = new SgdCurrent(0.9);
let t = 1;
const cases: [string, () => void, () => void][] = [
  ["Lion", () => lionCurrent(v, g, m, 1e-4, 0.9, 0.99), () => lionFused32(v, g, m, 1e-4, 0.9, 0.99)],
  [
    "AdamW (decay pass + update)",
    () => {
      decayCurrent(v, 0.004, 1e-4);
      adamCurrent(v, g, m, u, 1e-4, t++, 0.9, 0.999, 1e-7);
    },
    () => adamwFused32(v, g, m, u, 1e-4, t++, 0.9, 0.999, 1e-7, 0.004),
  ],
  ["SGD momentum", () => sgdc.step(v, g, m, 1e-4), () => sgdmFused32(v, g, m, 1e-4, 0.9)],
];
// SMALLFIRST=1: first 4000 calls of every kernel on 1000-element arrays (what the MLP/CNN
// workloads do before the 10M ones in `npm run bench`); this is what degrades the current shape.
if (process.env.SMALLFIRST === "1") {
  const sv = randomArray(1000, 21),
    sg = randomArray(1000, 22, 0.01),
    sm = randomArray(1000, 23, 0.01),
    su = randomArray(1000, 24, 0.001).map(Math.abs);
  for (let i = 0; i < 4000; i++) {
    lionCurrent(sv, sg, sm, 1e-4, 0.9, 0.99);
    lionFused32(sv, sg, sm, 1e-4, 0.9, 0.99);
    decayCurrent(sv, 0.004, 1e-4);
    adamCurrent(sv, sg, sm, su, 1e-4, 1 + (i % 50), 0.9, 0.999, 1e-7);
    adamwFused32(sv, sg, sm, su, 1e-4, 1 + (i % 50), 0.9, 0.999, 1e-7, 0.004);
    sgdc.step(sv, sg, sm, 1e-4);
    sgdmFused32(sv, sg, sm, 1e-4, 0.9);
  }
}
for (const [name, cur, fused] of cases) {
  for (let i = 0; i < 2; i++) {
    cur();
    fused();
  }
  const a: number[] = [],
    b: number[] = [];
  for (let i = 0; i < REPS; i++) {
    let t0 = performance.now();
    cur();
    a.push(performance.now() - t0);
    t0 = performance.now();
    fused();
    b.push(performance.now() - t0);
  }
  const ma = median(a),
    mb = median(b);
  console.log(`${name.padEnd(28)} current ${ma.toFixed(1)} ms   fused ${mb.toFixed(1)} ms   speed-up ${(ma / mb).toFixed(2)}x`);
}
