/**
 * Random optimizer programs against an independent float32 re-implementation of Keras
 * (./keras-reference.ts, written from Keras's source): Adam, AdamW, Lion and SGD with random
 * hyper-parameters, learning rates up to 0.1, weight decay, EMA (with overwrites), gradient
 * accumulation and amsgrad, 20-32 steps of random gradients. ndgrad must round exactly where
 * Keras rounds: the weights, moments and EMA agree bit for bit after every step.
 * `NDGRAD_OPTIM_PROGRAMS` runs more programs (default 60 per rule).
 */
import { expect } from "chai";
import { Tensor } from "../../core/tensor";
import { Parameter } from "../../core/parameter";
import { Adam, AdamW, Lion, Optimizer, SGD } from "../../optim";
import { KerasReference, ReferenceOptions, Rule } from "./keras-reference";
import { lcg } from "./helpers";
import { onEachBackend } from "../support/backends";

const PROGRAMS = Number(process.env.NDGRAD_OPTIM_PROGRAMS ?? 60);

/** Log-uniform in [lo, hi]. */
const logUniform = (r: () => number, lo: number, hi: number) => Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo)));

function randomOptions(kind: "Adam" | "AdamW" | "Lion" | "SGD", r: () => number): ReferenceOptions {
  let rule: Rule;
  if (kind === "Lion") rule = { kind: "lion", beta1: 0.5 + 0.49 * r(), beta2: 0.9 + 0.099 * r() };
  else if (kind === "SGD") rule = { kind: "sgd", momentum: r() < 0.3 ? 0 : 0.5 + 0.49 * r(), nesterov: r() < 0.5 };
  else
    rule = {
      kind: "adam",
      beta1: r() < 0.3 ? 0.9 : 0.5 + 0.49 * r(),
      beta2: r() < 0.3 ? 0.999 : 0.9 + 0.0999 * r(),
      epsilon: r() < 0.5 ? 1e-7 : logUniform(r, 1e-8, 1e-2),
      amsgrad: r() < 0.3,
    };
  return {
    rule,
    learningRate: r() < 0.3 ? 0.1 : logUniform(r, 1e-4, 0.1),
    weightDecay: kind === "AdamW" ? (r() < 0.3 ? 0.004 : logUniform(r, 1e-4, 0.5)) : r() < 0.5 ? null : logUniform(r, 1e-4, 0.2),
    useEma: r() < 0.4,
    emaMomentum: 0.5 + 0.49 * r(),
    emaOverwriteFrequency: r() < 0.3 ? 2 + Math.floor(r() * 4) : null,
    gradientAccumulationSteps: r() < 0.3 ? 2 + Math.floor(r() * 2) : null,
  };
}

function ndgradOptimizer(kind: "Adam" | "AdamW" | "Lion" | "SGD", o: ReferenceOptions): Optimizer {
  const common = {
    learningRate: o.learningRate,
    weightDecay: o.weightDecay,
    useEma: o.useEma,
    emaMomentum: o.emaMomentum,
    emaOverwriteFrequency: o.emaOverwriteFrequency,
    gradientAccumulationSteps: o.gradientAccumulationSteps,
  };
  const rule = o.rule;
  if (rule.kind === "adam") {
    const opts = { ...common, beta1: rule.beta1, beta2: rule.beta2, epsilon: rule.epsilon, amsgrad: rule.amsgrad };
    return kind === "AdamW" ? new AdamW({ ...opts, weightDecay: o.weightDecay ?? 0.004 }) : new Adam(opts);
  }
  if (rule.kind === "lion") return new Lion({ ...common, beta1: rule.beta1, beta2: rule.beta2 });
  return new SGD({ ...common, momentum: rule.momentum, nesterov: rule.nesterov });
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, label: string): void {
  expect(a.length, label).to.equal(b.length);
  for (let k = 0; k < a.length; k++) {
    if (!(Object.is(a[k], b[k]) || (a[k] !== a[k] && b[k] !== b[k]))) expect.fail(`${label}[${k}]: ndgrad ${a[k]} vs Keras reference ${b[k]}`);
  }
}

onEachBackend(`optim: ${PROGRAMS} random programs per rule vs an independent float32 Keras reference (lr up to 0.1, 20-32 steps, bit for bit)`, () => {
  for (const kind of ["Adam", "AdamW", "Lion", "SGD"] as const) {
    it(kind, () => {
      const r = lcg({ Adam: 1, AdamW: 2, Lion: 3, SGD: 4 }[kind]);
      for (let program = 0; program < PROGRAMS; program++) {
        const o = randomOptions(kind, r);
        if (kind === "AdamW" && o.weightDecay === null) o.weightDecay = 0.004;
        const shapes = [[1 + Math.floor(r() * 5), 1 + Math.floor(r() * 4)], [1 + Math.floor(r() * 6)], []];
        const init = shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)).map(() => (r() * 2 - 1) * 2));
        const params = init.map((v, i) => new Parameter(new Tensor(v.slice(), shapes[i].slice()), { name: `p${i}` }));
        const opt = ndgradOptimizer(kind, o);
        const ref = new KerasReference(
          init.map((v) => v.slice()),
          o,
        );
        const steps = 20 + Math.floor(r() * 13);
        const label = `${kind} program ${program} ${JSON.stringify(o)}`;
        for (let step = 0; step < steps; step++) {
          // Gradients of varied scale, with some zeros (where Lion's sign and amsgrad's max are ties).
          const scale = logUniform(r, 1e-3, 10);
          const grads = init.map((v) => new Float32Array(v.length).map(() => (r() < 0.1 ? 0 : (r() * 2 - 1) * scale)));
          opt.apply(
            grads.map((g, i) => new Tensor(g.slice(), shapes[i].slice())),
            params,
          );
          ref.apply(grads);
          params.forEach((p, i) => sameBits(p.values, ref.vars[i], `${label}, step ${step + 1}, p${i}`));
        }
        expect(opt.iterations, label).to.equal(ref.iterations);
      }
    });
  }
});
