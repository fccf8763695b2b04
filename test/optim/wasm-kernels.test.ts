/**
 * The wasm optimizer passes (core/wasm/optim.ts) against the JS kernels (optim/kernels/*.ts),
 * BIT for bit: random optimizer programs (every update rule, with the stages unscale,
 * accumulate/average, clip by value / norm / global-norm scale, decay and EMA) over 24 chained
 * steps on random lengths (non-multiples of 4 included) and hyper-parameters (lr up to 0.1);
 * special values (±0, NaN, ±Infinity, subnormals, huge); passes big enough to be split over two
 * threads; and bad calls that must throw and change nothing.
 */
import { expect } from "chai";
import { Generator } from "../../core/random";
import { setNumThreads, getNumThreads } from "../../core/kernels/threads";
import { wasmKernels } from "../../core/wasm/loader";
import { wasmPool } from "../../core/wasm/pool";
import * as W from "../../core/wasm/optim";
import * as J from "../../optim/kernels";
import { clipNormDenomF32, scaleByNormF32 } from "../../optim/kernels/clip";

const f = Math.fround;
const heap = () => wasmKernels().heap;

/** Same bits, NaN included (a NaN stays a NaN; its payload is not compared). */
function expectSame(a: Float32Array, b: Float32Array, label: string): void {
  expect(a.length, label).to.equal(b.length);
  for (let k = 0; k < a.length; k++) {
    const x = a[k],
      y = b[k];
    if (!((x !== x && y !== y) || Object.is(x, y))) expect.fail(`${label}[${k}]: wasm ${x} vs js ${y}`);
  }
}

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1e-40, 3e38, -3e38, 1, -1];

function fill(a: Float32Array, gen: Generator, scale: number, special: boolean): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = (gen.uniform() * 2 - 1) * scale;
  if (special) for (let i = 0; i < a.length; i += 7) a[i] = SPECIAL[Math.floor(gen.uniform() * SPECIAL.length)];
  else for (let i = 0; i < a.length; i += 11) a[i] = 0; // exact zeros: Lion's sign(0), ties
  return a;
}

/** A pair of arrays with equal contents: one in the wasm heap, one ordinary. */
interface Pair {
  w: Float32Array;
  j: Float32Array;
}
function pair(n: number, gen: Generator, scale: number, special: boolean): Pair {
  const j = fill(new Float32Array(n), gen, scale, special);
  const w = heap().alloc(n);
  w.set(j);
  return { w, j };
}
function freePairs(ps: Pair[]): void {
  for (const p of ps) heap().free(p.w);
}

const RULES = ["lion", "adam", "adamAmsgrad", "sgd", "sgdMomentum", "sgdNesterov"] as const;
type Rule = (typeof RULES)[number];

/** One random optimizer program: a rule, its hyper-parameters and stages, run for `steps` steps. */
function runProgram(seed: number, rule: Rule, n: number, steps: number, special: boolean): void {
  const gen = new Generator(seed);
  const u = () => gen.uniform();
  const lr = u() < 0.2 ? 0.1 : 10 ** (-4 + 3 * u()); // up to 0.1
  const wd = u() < 0.4 ? 0 : 10 ** (-3 + 2.5 * u());
  const beta1 = 0.5 + 0.49 * u(),
    beta2 = 0.9 + 0.0999 * u(),
    eps = u() < 0.5 ? 1e-7 : 10 ** (-9 + 4 * u());
  const momentum = u() * 0.99,
    emaMomentum = 0.9 + 0.099 * u();
  const accumulate = Math.floor(u() * 3) + 1; // 1: none; 2-3: accumulate then average
  const clip = Math.floor(u() * 4); // 0 none, 1 value, 2 norm, 3 global-norm scale
  const clipC = 10 ** (-2 + 2 * u());
  const separateDecay = u() < 0.3,
    ema = u() < 0.5;
  const lossScale = u() < 0.5 ? 1 : 2 ** Math.floor(u() * 16);
  const label = `seed ${seed} ${rule} n=${n}`;

  const v = pair(n, gen, 1, special),
    m = pair(n, gen, 0.1, false),
    vel = pair(n, gen, 0.01, false);
  for (const a of [vel.j, vel.w]) for (let i = 0; i < n; i++) a[i] = Math.abs(a[i]);
  const uh = pair(n, gen, 0, false),
    b = pair(n, gen, 0, false),
    acc = pair(n, gen, 0, false);
  const avg = pair(n, gen, 0, false),
    gu = pair(n, gen, 0, false);
  avg.j.set(v.j);
  avg.w.set(v.j);
  const all = { v, m, vel, uh, b, acc, avg, gu };
  let iteration = 0;
  for (let step = 0; step < steps; step++) {
    const g = pair(n, gen, lossScale * (u() < 0.1 ? 100 : 1), special && u() < 0.3);
    // loss-scale unscaling (skipped, as LossScaleOptimizer skips, on a non-finite gradient)
    const finite = W.allFiniteF32(g.w);
    expect(finite, `${label} step ${step} allFinite`).to.equal(J.allFiniteF32(g.j));
    if (!finite && !special) {
      freePairs([g]);
      continue;
    }
    W.unscaleF32(g.w, f(lossScale), gu.w);
    J.unscaleF32(g.j, f(lossScale), gu.j);
    let gw = gu.w,
      gj = gu.j;
    if (accumulate > 1) {
      if ((step + 1) % accumulate !== 0) {
        W.accumulateF32(acc.w, gu.w);
        J.accumulateF32(acc.j, gu.j);
        for (const [k, p] of Object.entries(all)) expectSame(p.w, p.j, `${label} step ${step} ${k}`);
        freePairs([g]);
        continue;
      }
      W.averageIntoF32(acc.w, gu.w, accumulate);
      J.averageIntoF32(acc.j, gu.j, accumulate);
      gw = acc.w;
      gj = acc.j;
    }
    if (clip === 1) {
      W.clipByValueF32(gw, f(clipC));
      J.clipByValueF32(gj, f(clipC));
    }
    if (clip === 2) {
      W.clipByNormF32(gw, clipC);
      J.clipByNormF32(gj, clipC);
    }
    if (clip === 3) {
      const sw = W.sumOfSquaresF32(gw),
        sj = J.sumOfSquaresF32(gj);
      expect(Object.is(sw, sj) || (sw !== sw && sj !== sj), `${label} sumOfSquares ${sw} vs ${sj}`).to.equal(true);
      const norm = f(Math.sqrt(f(sj))),
        cr = f(clipC);
      const scale = f(f(cr * Math.min(f(1 / norm), f(1 / cr))) + (norm - norm));
      W.scaleF32(gw, scale);
      J.scaleF32(gj, scale);
    }
    if (separateDecay && wd !== 0) {
      W.decayF32(v.w, wd, lr);
      J.decayF32(v.j, wd, lr);
    }
    const wdFold = separateDecay ? 0 : wd;
    iteration++;
    if (rule === "lion") {
      W.lionF32(v.w, gw, m.w, lr, beta1, beta2, wdFold);
      J.lionF32(v.j, gj, m.j, lr, beta1, beta2, wdFold);
    }
    if (rule === "adam" || rule === "adamAmsgrad") {
      const alpha = J.adamAlphaF32(lr, beta1, beta2, iteration);
      if (rule === "adam") {
        W.adamF32(v.w, gw, m.w, vel.w, alpha, beta1, beta2, eps, wdFold, lr);
        J.adamF32(v.j, gj, m.j, vel.j, alpha, beta1, beta2, eps, wdFold, lr);
      } else {
        W.adamAmsgradF32(v.w, gw, m.w, vel.w, uh.w, alpha, beta1, beta2, eps, wdFold, lr);
        J.adamAmsgradF32(v.j, gj, m.j, vel.j, uh.j, alpha, beta1, beta2, eps, wdFold, lr);
      }
    }
    if (rule === "sgd") {
      W.sgdF32(v.w, gw, lr, wdFold);
      J.sgdF32(v.j, gj, lr, wdFold);
    }
    if (rule === "sgdMomentum" || rule === "sgdNesterov") {
      const nesterov = rule === "sgdNesterov";
      W.sgdMomentumF32(v.w, gw, b.w, lr, momentum, nesterov, wdFold);
      J.sgdMomentumF32(v.j, gj, b.j, lr, momentum, nesterov, wdFold);
    }
    if (ema) {
      W.emaF32(avg.w, v.w, emaMomentum);
      J.emaF32(avg.j, v.j, emaMomentum);
    }
    for (const [k, p] of Object.entries(all)) expectSame(p.w, p.j, `${label} step ${step} ${k}`);
    if (accumulate > 1) {
      acc.w.fill(0);
      acc.j.fill(0);
    }
    freePairs([g]);
  }
  freePairs(Object.values(all));
}

describe("wasm optimizer kernels: bit-identical to the JS kernels", () => {
  it("random optimizer programs: every rule, random stages and hyper-parameters, 24 chained steps", () => {
    let seed = 1;
    for (const rule of RULES) {
      for (let trial = 0; trial < 8; trial++) {
        const gen = new Generator(1000 + seed);
        const n = trial === 0 ? 1 + (seed % 3) : Math.floor(gen.uniform() * 400) + 1; // 1-3, then up to 400
        runProgram(seed++, rule, n, 24, false);
      }
    }
  });

  it("special values (±0, NaN, ±Infinity, subnormals, ±3e38) in weights and gradients", () => {
    let seed = 500;
    for (const rule of RULES) for (const n of [5, 66, 131]) runProgram(seed++, rule, n, 20, true);
  });

  it("the Lion sign: zero, ±0 and NaN momentum-gradient mixes, with and without decay", () => {
    const n = 9;
    const g = heap().fromArray([0, -0, 0, 1, -1, NaN, 1e-30, -1e-30, Infinity]);
    const m = heap().fromArray([0, 0, -0, (-1 / 0.9) * 0.1, 1, 0, -1e-30, 1e-30, -Infinity]);
    for (const wd of [0, 0.1]) {
      const v = heap().fromArray([1, -0, 0, 2, -2, 3, 4, -4, 5]);
      const vj = v.slice(),
        mj = m.slice(),
        mw = heap().fromArray(m);
      W.lionF32(v, g, mw, 0.1, 0.9, 0.99, wd);
      J.lionF32(vj, g.slice(), mj, 0.1, 0.9, 0.99, wd);
      expectSame(v, vj, `v wd=${wd}`);
      expectSame(mw, mj, `m wd=${wd}`);
      heap().free(v);
      heap().free(mw);
      expect(n).to.equal(9);
    }
    heap().free(g);
    heap().free(m);
  });

  it("passes of ≥ 1M elements split over two threads give the same bits as one thread and as JS", () => {
    const before = getNumThreads();
    const n = (1 << 20) + 7,
      gen = new Generator(77);
    const g = pair(n, gen, 1, false),
      v0 = fill(new Float32Array(n), gen, 1, false),
      m0 = fill(new Float32Array(n), gen, 0.1, false);
    const results: Float32Array[][] = [];
    try {
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        if (threads === 2) expect(wasmPool().waitReady(), "helper ready").to.equal(1);
        const v = heap().fromArray(v0),
          m = heap().fromArray(m0),
          u = heap().alloc(n);
        for (let s = 1; s <= 3; s++) {
          W.adamF32(v, g.w, m, u, J.adamAlphaF32(1e-3, 0.9, 0.999, s), 0.9, 0.999, 1e-7, 0.004, 1e-3);
          W.lionF32(v, g.w, m, 1e-4, 0.9, 0.99, 0.1);
          W.emaF32(u, v, 0.99);
        }
        results.push([v.slice(), m.slice(), u.slice()]);
        heap().free(v);
        heap().free(m);
        heap().free(u);
      }
    } finally {
      setNumThreads(before);
    }
    const v = v0.slice(),
      m = m0.slice(),
      u = new Float32Array(n);
    for (let s = 1; s <= 3; s++) {
      J.adamF32(v, g.j, m, u, J.adamAlphaF32(1e-3, 0.9, 0.999, s), 0.9, 0.999, 1e-7, 0.004, 1e-3);
      J.lionF32(v, g.j, m, 1e-4, 0.9, 0.99, 0.1);
      J.emaF32(u, v, 0.99);
    }
    for (const [i, name] of ["v", "m", "u"].entries()) {
      expectSame(results[1][i], results[0][i], `${name}: 2 threads vs 1`);
      expectSame(results[0][i], [v, m, u][i], `${name}: wasm vs js`);
    }
    freePairs([g]);
  });

  it("clip by norm: the denominator and the scaling match the JS halves", () => {
    const gen = new Generator(3);
    for (const n of [1, 4, 7, 1000]) {
      const g = pair(n, gen, 3, false);
      const cr = f(0.75);
      expect(W.clipNormDenomF32(g.w, cr)).to.equal(clipNormDenomF32(g.j, cr));
      W.scaleByNormF32(g.w, cr, W.clipNormDenomF32(g.w, cr));
      scaleByNormF32(g.j, cr, clipNormDenomF32(g.j, cr));
      expectSame(g.w, g.j, `n=${n}`);
      freePairs([g]);
    }
  });

  it("bad calls throw, naming the kernel and argument, and change nothing", () => {
    const v = heap().fromArray([1, 2, 3]),
      g = heap().fromArray([0.5, -0.5, 0.25]),
      m = heap().alloc(3),
      u = heap().alloc(3);
    const before = [v.slice(), g.slice(), m.slice()];
    expect(() => W.lionF32(v, new Float32Array(3), m, 0.1, 0.9, 0.99, 0)).to.throw(/lionF32 \(wasm\): g must live in the wasm memory/);
    expect(() => W.lionF32(v, g, heap().alloc(2), 0.1, 0.9, 0.99, 0)).to.throw(/lionF32 \(wasm\): m has 2 elements, expected 3/);
    expect(() => W.lionF32(v, new Float64Array(3) as unknown as Float32Array, m, 0.1, 0.9, 0.99, 0)).to.throw(/g must be a Float32Array, got Float64Array/);
    expect(() => W.adamF32(v, g, m, u, 0.1, 0.9, 0.999, 1e-7, 0, 0.1)).to.throw(/adamF32 \(wasm\): alpha must be a float32 value .* got 0.1/);
    expect(() => W.unscaleF32(g, 1 / 3, u)).to.throw(/unscaleF32 \(wasm\): factor must be a float32 value/);
    expect(() => W.sgdF32(v, g, "0.1" as unknown as number, 0)).to.throw(/sgdF32 \(wasm\): lr must be a number, got "0\.1"/);
    expectSame(v, before[0], "v");
    expectSame(g, before[1], "g");
    expectSame(m, before[2], "m");
    for (const a of [v, g, m, u]) heap().free(a);
  });
});
