/**
 * Finite-difference gradient checking (central differences, in float64), the way minitorch and
 * PyTorch's gradcheck do it: compare the tape's gradient of `sum(w * f(x))` (w a fixed random
 * projection, so non-scalar outputs are covered too) with `(F(x+eps) - F(x-eps)) / 2eps`.
 */
import { Tensor } from "./tensor";
import { computeGradients, isGradEnabled, noGrad } from "./autograd";
import { grad } from "./grad";
import { add, mul } from "./ops/binary";
import { sum } from "./ops/reduce";
import { Generator } from "./random";
import { fmt } from "./shape";
import { checkOptionKeys } from "./check";

/** Options of `gradCheck`: step and tolerances. @example gradCheck(f, [x], { eps: 1e-6, atol: 1e-5 }) */
export interface GradCheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed for the random output projection. */
  seed?: number;
}

/** What `gradCheck` found: whether the tape matched central differences, the largest error and where. @example gradCheck(f, [x]).ok // true */
export interface GradCheckResult {
  ok: boolean;
  /** Largest |analytic - numeric| over all inputs and elements. */
  maxError: number;
  /** Where the worst mismatch is, for a readable failure message. */
  worst?: { input: number; index: number; analytic: number; numeric: number };
}

function toFloat64Leaf(x: Tensor): Tensor {
  return new Tensor(Float64Array.from(x.values), x.shape, { requiresGrad: true });
}

/**
 * Checks the gradient of `f` at `inputs` (converted to float64 leaves) against central differences.
 * Passes when every element satisfies |analytic - numeric| <= atol + rtol * |numeric|.
 * @example gradCheck((x) => x.tanh(), [randn([3, 4], { dtype: "float64" })]).ok // true
 */
export function gradCheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradCheckOptions = {}): GradCheckResult {
  checkOptionKeys("gradCheck", opts, ["eps", "atol", "rtol", "seed"]);
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const leaves = inputs.map(toFloat64Leaf);
  const out = f(...leaves);
  if (out.dtype !== "float64") throw new Error(`gradCheck: f returned ${out.dtype} for float64 inputs; ops must keep the input dtype`);
  const gen = new Generator(opts.seed ?? 1234);
  const w = new Float64Array(out.size);
  for (let i = 0; i < w.length; i++) w[i] = gen.uniform() * 2 - 1;
  const project = (t: Tensor): number => {
    if (t.size !== w.length) throw new Error(`gradCheck: f changed its output shape to ${fmt(t.shape)}`);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * t.values[i];
    return s;
  };
  const analytic = out.requiresGrad ? computeGradients(out, new Tensor(w, out.shape), new Set(leaves)) : new Map<Tensor, Tensor>();
  let maxError = 0;
  let ok = true;
  let worst: GradCheckResult["worst"];
  noGrad(() => {
    leaves.forEach((leaf, k) => {
      const v = leaf.values;
      const a = analytic.get(leaf);
      for (let i = 0; i < v.length; i++) {
        const orig = v[i];
        v[i] = orig + eps;
        const plus = project(f(...leaves));
        v[i] = orig - eps;
        const minus = project(f(...leaves));
        v[i] = orig;
        const numeric = (plus - minus) / (2 * eps);
        const got = a ? a.values[i] : 0;
        const err = Math.abs(got - numeric);
        if (!(err <= atol + rtol * Math.abs(numeric))) ok = false;
        if (err > maxError || Number.isNaN(err)) {
          maxError = Number.isNaN(err) ? Infinity : err;
          worst = { input: k, index: i, analytic: got, numeric };
        }
      }
    });
  });
  return { ok, maxError, worst };
}

/**
 * Second-order check, as PyTorch's gradgradcheck: the recorded first-order gradient (projected
 * on fixed random directions, so every input and output element counts) is itself checked by
 * `gradCheck` against central differences of the first-order gradient. An op whose backward
 * cannot be recorded makes this throw "<op>: second-order gradient not implemented".
 * @example gradGradCheck((x) => x.tanh(), [randn([3], { dtype: "float64" })]).ok // true
 */
export function gradGradCheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradCheckOptions = {}): GradCheckResult {
  checkOptionKeys("gradGradCheck", opts, ["eps", "atol", "rtol", "seed"]);
  const leaves = inputs.map((x) => new Tensor(Float64Array.from(x.values), x.shape));
  const shape = noGrad(() => f(...leaves)).shape;
  const gen = new Generator((opts.seed ?? 1234) + 1);
  const random = (s: readonly number[]): Tensor => {
    const t = new Tensor(new Float64Array(s.reduce((a, b) => a * b, 1)), s);
    for (let i = 0; i < t.size; i++) t.values[i] = gen.uniform() * 2 - 1;
    return t;
  };
  const w = random(shape);
  const us = leaves.map((x) => random(x.shape));
  const projectedGradient = (...xs: Tensor[]): Tensor => {
    // recorded when gradCheck differentiates it, plain under its finite differences (noGrad)
    const gs = grad((...ys: Tensor[]) => sum(mul(f(...ys), w)), { createGraph: isGradEnabled(), allowUnused: true })(...xs);
    return gs.map((g, k) => sum(mul(g, us[k]))).reduce((a, b) => add(a, b));
  };
  return gradCheck(projectedGradient, leaves, opts);
}
