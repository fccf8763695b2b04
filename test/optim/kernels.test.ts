/**
 * The per-dtype kernels (optim/kernels) against the reference formulas they replaced: a generic
 * loop rounding through `roundFor`, the decay as its own pass before the update, Lion's sign as a
 * ternary chain. Results must agree bit for bit (zeros, ties, ±0, NaN, ±Infinity included), in
 * float32 and float64, with and without the folded weight decay.
 */
import { expect } from "chai";
import type { FloatArray } from "../../core/dtype";
import { Parameter } from "../../core/parameter";
import { tensor } from "../../core/creation";
import { AdamW, Lion, SGD } from "../../optim";
import { roundFor } from "../../optim/pipeline/round";
import * as K from "../../optim/kernels";

type Arr = Float32Array | Float64Array;
const DTYPES = ["float32", "float64"] as const;

function data(dtype: "float32" | "float64", n: number, seed: number, scale = 1): Arr {
  let s = seed >>> 0;
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  for (let i = 0; i < n; i += 13) a[i] = 0;
  a[1] = -0;
  a[2] = NaN;
  a[4] = Infinity;
  a[6] = -Infinity;
  return a;
}

/** Same bits, NaN included (a NaN stays a NaN; its payload is not compared). */
function expectSame(a: Arr, b: Arr, label: string): void {
  expect(a.length, label).to.equal(b.length);
  for (let k = 0; k < a.length; k++) {
    const x = a[k],
      y = b[k];
    const same = (x !== x && y !== y) || (x === y && 1 / x === 1 / y);
    if (!same) expect.fail(`${label}[${k}]: ${x} vs ${y}`);
  }
}

// ---- reference formulas (the pre-kernel code) ----
function refDecay(v: FloatArray, wd: number, lr: number): void {
  const r = roundFor(v);
  const wdr = r(wd),
    lrr = r(lr);
  for (let k = 0; k < v.length; k++) v[k] = v[k] - r(r(v[k] * wdr) * lrr);
}
function refLion(v: FloatArray, g: FloatArray, m: FloatArray, lr: number, beta1: number, beta2: number): void {
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
function refAdam(
  v: FloatArray,
  g: FloatArray,
  m: FloatArray,
  u: FloatArray,
  uh: FloatArray | null,
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
  const omb1 = r(1 - beta1),
    omb2 = r(1 - beta2); // Keras: float32(1 − β) from the double β
  for (let k = 0; k < v.length; k++) {
    const gk = g[k];
    const mk = r(m[k] + r(r(gk - m[k]) * omb1));
    let uk = r(u[k] + r(r(r(gk * gk) - u[k]) * omb2));
    m[k] = mk;
    u[k] = uk;
    if (uh) {
      if (uk > uh[k]) uh[k] = uk;
      uk = uh[k];
    }
    v[k] = v[k] - r(r(mk * alpha) / r(r(Math.sqrt(uk)) + eps));
  }
}
function refSgd(v: FloatArray, g: FloatArray, b: FloatArray | null, lr: number, momentum: number, nesterov: boolean): void {
  const r = roundFor(v);
  const lrr = r(lr);
  if (!b) {
    for (let k = 0; k < v.length; k++) v[k] = v[k] - r(g[k] * lrr);
    return;
  }
  const mu = r(momentum);
  for (let k = 0; k < v.length; k++) {
    const step = r(g[k] * lrr);
    const bk = r(r(b[k] * mu) - step);
    b[k] = bk;
    v[k] = v[k] + (nesterov ? r(r(bk * mu) - step) : bk);
  }
}

describe("optim: per-dtype kernels match the reference formulas bit for bit", () => {
  const n = 1001;
  for (const dtype of DTYPES) {
    const is32 = dtype === "float32";
    for (const wd of [0, 0.1]) {
      it(`Lion ${dtype} wd=${wd}`, () => {
        const v1 = data(dtype, n, 1),
          g = data(dtype, n, 2, 0.01),
          m1 = data(dtype, n, 3, 0.01);
        const v2 = v1.slice(),
          m2 = m1.slice();
        for (let s = 0; s < 3; s++) {
          if (wd) refDecay(v1, wd, 1e-3);
          refLion(v1, g, m1, 1e-3, 0.9, 0.99);
          if (is32) K.lionF32(v2 as Float32Array, g as Float32Array, m2 as Float32Array, 1e-3, 0.9, 0.99, wd);
          else K.lionF64(v2 as Float64Array, g as Float64Array, m2 as Float64Array, 1e-3, 0.9, 0.99, wd);
        }
        expectSame(v1, v2, "v");
        expectSame(m1, m2, "m");
      });
      for (const amsgrad of [false, true]) {
        it(`Adam ${dtype} wd=${wd} amsgrad=${amsgrad}`, () => {
          const v1 = data(dtype, n, 4),
            g = data(dtype, n, 5, 0.01),
            m1 = data(dtype, n, 6, 0.01),
            u1 = data(dtype, n, 7, 0.001).map(Math.abs) as Arr;
          const uh1 = amsgrad ? (data(dtype, n, 8, 0.001).map(Math.abs) as Arr) : null;
          const v2 = v1.slice(),
            m2 = m1.slice(),
            u2 = u1.slice(),
            uh2 = uh1 ? uh1.slice() : null;
          for (let t = 1; t <= 3; t++) {
            if (wd) refDecay(v1, wd, 1e-3);
            refAdam(v1, g, m1, u1, uh1, 1e-3, t, 0.9, 0.999, 1e-7);
            if (is32) {
              const alpha = K.adamAlphaF32(1e-3, 0.9, 0.999, t);
              if (uh2)
                K.adamAmsgradF32(
                  v2 as Float32Array,
                  g as Float32Array,
                  m2 as Float32Array,
                  u2 as Float32Array,
                  uh2 as Float32Array,
                  alpha,
                  0.9,
                  0.999,
                  1e-7,
                  wd,
                  1e-3,
                );
              else K.adamF32(v2 as Float32Array, g as Float32Array, m2 as Float32Array, u2 as Float32Array, alpha, 0.9, 0.999, 1e-7, wd, 1e-3);
            } else {
              const alpha = K.adamAlphaF64(1e-3, 0.9, 0.999, t);
              if (uh2)
                K.adamAmsgradF64(
                  v2 as Float64Array,
                  g as Float64Array,
                  m2 as Float64Array,
                  u2 as Float64Array,
                  uh2 as Float64Array,
                  alpha,
                  0.9,
                  0.999,
                  1e-7,
                  wd,
                  1e-3,
                );
              else K.adamF64(v2 as Float64Array, g as Float64Array, m2 as Float64Array, u2 as Float64Array, alpha, 0.9, 0.999, 1e-7, wd, 1e-3);
            }
          }
          expectSame(v1, v2, "v");
          expectSame(m1, m2, "m");
          expectSame(u1, u2, "u");
          if (uh1 && uh2) expectSame(uh1, uh2, "uh");
        });
      }
      for (const [momentum, nesterov] of [
        [0, false],
        [0.9, false],
        [0.9, true],
      ] as const) {
        it(`SGD ${dtype} wd=${wd} momentum=${momentum} nesterov=${nesterov}`, () => {
          const v1 = data(dtype, n, 9),
            g = data(dtype, n, 10, 0.01);
          const b1 = momentum ? data(dtype, n, 11, 0.01) : null;
          const v2 = v1.slice(),
            b2 = b1 ? b1.slice() : null;
          for (let s = 0; s < 3; s++) {
            if (wd) refDecay(v1, wd, 0.01);
            refSgd(v1, g, b1, 0.01, momentum, nesterov);
            if (is32) {
              if (b2) K.sgdMomentumF32(v2 as Float32Array, g as Float32Array, b2 as Float32Array, 0.01, momentum, nesterov, wd);
              else K.sgdF32(v2 as Float32Array, g as Float32Array, 0.01, wd);
            } else if (b2) K.sgdMomentumF64(v2 as Float64Array, g as Float64Array, b2 as Float64Array, 0.01, momentum, nesterov, wd);
            else K.sgdF64(v2 as Float64Array, g as Float64Array, 0.01, wd);
          }
          expectSame(v1, v2, "v");
          if (b1 && b2) expectSame(b1, b2, "b");
        });
      }
    }
  }
});

describe("optim: folded weight decay keeps Keras's decay-all-then-update order", () => {
  // A gradient that is a decayed weight would see a difference, so the pipeline runs the decay
  // as its own pass then. Reference: decay both weights by hand, then the same rule without decay.
  const make = [
    (wd: number) => new Lion({ learningRate: 0.1, weightDecay: wd }),
    (wd: number) => new AdamW({ learningRate: 0.1, weightDecay: wd }),
    (wd: number) => new SGD({ learningRate: 0.1, momentum: 0.9, weightDecay: wd }),
  ];
  for (const mk of make) {
    it(`${mk(0).className}: each gradient is the other parameter's weight tensor`, () => {
      const init = [data("float32", 40, 21), data("float32", 40, 22)].map((a) => a.map((x) => (Number.isFinite(x) ? x : 0.5)) as Float32Array);
      const ps = init.map((a) => new Parameter(tensor(a.slice(), { shape: [40] })));
      const refPs = init.map((a) => new Parameter(tensor(a.slice(), { shape: [40] })));
      const opt = mk(0.3),
        refOpt = mk(0);
      for (let s = 0; s < 3; s++) {
        opt.apply([ps[1], ps[0]], ps);
        for (const p of refPs) refDecay(p.values, 0.3, 0.1);
        refOpt.apply([refPs[1], refPs[0]], refPs);
      }
      ps.forEach((p, i) => expectSame(p.values, refPs[i].values, `param ${i}`));
    });
  }
});
