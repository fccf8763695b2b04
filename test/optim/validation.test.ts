/** Bad input: every case throws an Error naming the thing, and nothing (params, state, iterations) changes. */
import { expect } from "chai";
import { Tensor } from "../../core/tensor";
import { Parameter } from "../../core/parameter";
import { tensor } from "../../core/creation";
import { Adam, AdamW, Lion, LossScaleOptimizer, Optimizer, SGD, schedules, stateFromJSON, stateToJSON } from "../../optim";
import { lcg, makeGrads, makeParams, snapshot, values } from "./helpers";

function throwsNaming(fn: () => unknown, parts: string[]): Error {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected an Error naming ${parts.join(", ")}`).to.be.instanceOf(Error);
  for (const p of parts) expect((err as Error).message).to.contain(p);
  return err as Error;
}

describe("optim: validation", () => {
  describe("constructors and fromConfig reject bad arguments, naming optimizer, argument and value", () => {
    const cases: [string, () => unknown, string[]][] = [
      ["lr NaN", () => new Lion({ learningRate: NaN }), ["Lion", "learningRate", "NaN"]],
      ["lr negative", () => new AdamW({ learningRate: -1 }), ["AdamW", "learningRate", "-1"]],
      ["lr infinite", () => new SGD({ learningRate: Infinity }), ["SGD", "learningRate", "Infinity"]],
      ["lr string", () => new Adam({ learningRate: "0.1" as unknown as number }), ["Adam", "learningRate", '"0.1"']],
      ["Lion beta1 0", () => new Lion({ beta1: 0 }), ["Lion", "beta1", "(0, 1]", "got 0"]],
      ["Lion beta1 1.5", () => new Lion({ beta1: 1.5 }), ["Lion", "beta1", "1.5"]],
      ["Lion beta1 -0.1", () => new Lion({ beta1: -0.1 }), ["Lion", "beta1", "-0.1"]],
      ["Lion beta2 1.1", () => new Lion({ beta2: 1.1 }), ["Lion", "beta2", "1.1"]],
      ["Adam beta1 1", () => new Adam({ beta1: 1 }), ["Adam", "beta1", "1"]],
      ["Adam epsilon NaN", () => new Adam({ epsilon: NaN }), ["Adam", "epsilon", "NaN"]],
      ["SGD momentum -0.1", () => new SGD({ momentum: -0.1 }), ["SGD", "momentum", "-0.1"]],
      ["SGD momentum 1.1", () => new SGD({ momentum: 1.1 }), ["SGD", "momentum", "1.1"]],
      ["SGD nesterov 1", () => new SGD({ nesterov: 1 as unknown as boolean }), ["SGD", "nesterov", "1"]],
      ["emaMomentum 1.5", () => new Lion({ useEma: true, emaMomentum: 1.5 }), ["Lion", "emaMomentum", "1.5"]],
      ["emaMomentum -0.5", () => new Lion({ emaMomentum: -0.5 }), ["Lion", "emaMomentum", "-0.5"]],
      ["emaOverwriteFrequency 1.5", () => new SGD({ useEma: true, emaOverwriteFrequency: 1.5 }), ["SGD", "emaOverwriteFrequency", "1.5"]],
      ["accumulation 0", () => new AdamW({ gradientAccumulationSteps: 0 }), ["AdamW", "gradientAccumulationSteps", "0"]],
      ["accumulation 2.5", () => new AdamW({ gradientAccumulationSteps: 2.5 }), ["AdamW", "gradientAccumulationSteps", "2.5"]],
      ["weightDecay NaN", () => new Lion({ weightDecay: NaN }), ["Lion", "weightDecay", "NaN"]],
      ["weightDecay -1", () => new Lion({ weightDecay: -1 }), ["Lion", "weightDecay", "-1"]],
      ["AdamW weightDecay null", () => new AdamW({ weightDecay: null }), ["AdamW", "weightDecay", "null"]],
      ["clipNorm NaN", () => new SGD({ clipNorm: NaN }), ["SGD", "clipNorm", "NaN"]],
      ["two clips", () => new SGD({ clipNorm: 1, globalClipNorm: 2 }), ["SGD", "clipNorm=1", "globalClipNorm=2"]],
      ["lossScaleFactor 0", () => new SGD({ lossScaleFactor: 0 }), ["SGD", "lossScaleFactor", "0"]],
      ["unknown option", () => new Lion({ lr: 0.1 } as unknown as object), ["Lion", '"lr"']],
      ["fromConfig unknown key", () => Lion.fromConfig({ learning_rate: 0.1, betaone: 0.9 }), ["Lion", '"betaone"']],
      ["fromConfig NaN", () => AdamW.fromConfig({ beta_2: NaN }), ["AdamW", "beta2", "NaN"]],
      ["fromConfig bad schedule", () => SGD.fromConfig({ learning_rate: { class_name: "Nope", config: {} } }), ["class_name", "Nope"]],
      ["LSO initialScale", () => new LossScaleOptimizer(new SGD(), { initialScale: -2 }), ["LossScaleOptimizer", "initialScale", "-2"]],
      ["LSO growth 0", () => new LossScaleOptimizer(new SGD(), { dynamicGrowthSteps: 0 }), ["LossScaleOptimizer", "dynamicGrowthSteps", "0"]],
      ["LSO inner", () => new LossScaleOptimizer({} as Optimizer), ["LossScaleOptimizer", "innerOptimizer"]],
      [
        "schedule decaySteps 0",
        () => new schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 }),
        ["ExponentialDecay", "decaySteps", "0"],
      ],
      ["schedule NaN lr", () => new schedules.CosineDecay({ initialLearningRate: NaN, decaySteps: 10 }), ["CosineDecay", "initialLearningRate", "NaN"]],
      [
        "schedule unknown config key",
        () => schedules.PolynomialDecay.fromConfig({ initial_learning_rate: 0.1, decay_steps: 10, foo: 1 }),
        ["PolynomialDecay", '"foo"'],
      ],
      [
        "piecewise lengths",
        () => new schedules.PiecewiseConstantDecay({ boundaries: [1, 2], values: [1, 2] }),
        ["PiecewiseConstantDecay", "boundaries", "values"],
      ],
      [
        "restarts firstDecaySteps",
        () => new schedules.CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: -1 }),
        ["CosineDecayRestarts", "firstDecaySteps", "-1"],
      ],
    ];
    for (const [label, fn, parts] of cases) it(label, () => throwsNaming(fn, parts));

    it("a float lr is accepted in any form Keras accepts (1 as well as 1.0; 0 too)", () => {
      expect(new SGD({ learningRate: 1 }).learningRate).to.equal(1);
      expect(new SGD({ learningRate: 0 }).learningRate).to.equal(0);
      expect(new Lion({ beta1: 1 }).beta1).to.equal(1);
    });
  });

  describe("apply rejects bad calls and leaves params, state and iterations untouched", () => {
    function setup(): { opt: Optimizer; p: Parameter[] } {
      const p = makeParams(2);
      const opt = new AdamW({ learningRate: 0.01, useEma: true, gradientAccumulationSteps: 2 });
      const r = lcg(4);
      for (let t = 0; t < 3; t++) opt.apply(makeGrads(p, r), p);
      return { opt, p };
    }
    const stranger = new Parameter([1, 2]);
    const cases: [string, (o: Optimizer, p: Parameter[]) => unknown, string[]][] = [
      ["length mismatch", (o, p) => o.apply(makeGrads(p, lcg(1)).slice(0, 2), p), ["AdamW", "2 gradients", "3 parameters"]],
      ["shape mismatch", (o, p) => o.apply([tensor([1, 2, 3]), ...makeGrads(p, lcg(1)).slice(1)], p), ["AdamW", "grads[0]", "[3]", "[3,2]"]],
      ["not a tensor", (o, p) => o.apply([[1, 2] as unknown as Tensor, null, null], p), ["AdamW", "grads[0]", "[1,2]"]],
      ["all null", (o, p) => o.apply([null, null, null], p), ["AdamW", "no gradients"]],
      ["unknown param", (o) => o.apply([tensor([1, 1])], [stranger]), ["AdamW", "unknown parameter", "[2]"]],
      ["duplicate param", (o, p) => o.apply(makeGrads([p[0], p[0]], lcg(1)), [p[0], p[0]]), ["AdamW", "twice"]],
      ["apply without params, wrong count", (o, p) => o.apply(makeGrads(p, lcg(1)).slice(1)), ["AdamW", "2 gradients", "3 parameters"]],
      ["step with no grads", (o, p) => o.step(p), ["AdamW", "no gradients", "backward"]],
      ["bad state: missing slot", (o) => o.loadStateDict({ config: {}, iterations: 0, slots: { momentums: [] } }), ["AdamW", "slots"]],
      [
        "bad state: wrong shape",
        (o, p) => {
          const s = o.stateDict();
          s.slots.velocities[1] = new Tensor(new Float32Array(5), [5]);
          o.loadStateDict(s);
        },
        ["AdamW", "velocities[1]", "[5]", "[4]"],
      ],
      ["bad state: iterations NaN", (o) => o.loadStateDict({ ...o.stateDict(), iterations: NaN }), ["AdamW", "iterations", "NaN"]],
      ["finalize with other params", (o) => o.finalizeVariableValues([stranger]), ["AdamW", "finalizeVariableValues", "1 parameters"]],
      ["bad exclude regex", (o) => o.excludeFromWeightDecay({ names: ["("] }), ["AdamW", "excludeFromWeightDecay", "("]],
    ];
    for (const [label, fn, parts] of cases) {
      it(label, () => {
        const { opt, p } = setup();
        const before = values(p),
          state = snapshot(opt),
          it0 = opt.iterations,
          micro = opt.microSteps;
        throwsNaming(() => fn(opt, p), parts);
        expect(values(p)).to.deep.equal(before);
        expect(snapshot(opt)).to.equal(state);
        expect(opt.iterations).to.equal(it0);
        expect(opt.microSteps).to.equal(micro);
        // and it still works afterwards
        opt.apply(makeGrads(p, lcg(8)), p);
      });
    }

    it("a function lr or beta returning nonsense throws before anything moves", () => {
      const p = makeParams(1);
      let lr = 0.01;
      let b1 = 0.9;
      const opt = new Lion({ learningRate: () => lr, beta1: () => b1 });
      opt.apply(makeGrads(p, lcg(1)), p);
      const before = values(p),
        state = snapshot(opt);
      lr = NaN;
      throwsNaming(() => opt.apply(makeGrads(p, lcg(2)), p), ["Lion", "learningRate", "NaN"]);
      lr = 0.01;
      b1 = 0;
      throwsNaming(() => opt.apply(makeGrads(p, lcg(2)), p), ["Lion", "beta1", "returned 0"]);
      expect(values(p)).to.deep.equal(before);
      expect(snapshot(opt)).to.equal(state);
      expect(opt.iterations).to.equal(1);
    });

    it("apply before build without params, and setting a number lr over a schedule", () => {
      throwsNaming(() => new SGD().apply([tensor([1])]), ["SGD", "build"]);
      const opt = new SGD({ learningRate: new schedules.ExponentialDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5 }) });
      throwsNaming(() => {
        opt.learningRate = 0.1;
      }, ["SGD", "learningRate", "0.1"]);
      expect(opt.learningRate).to.equal(1);
    });

    it("an empty gradient list is a no-op (no counter move)", () => {
      const { opt, p } = setup();
      const before = values(p),
        micro = opt.microSteps;
      opt.apply([], p);
      expect(values(p)).to.deep.equal(before);
      expect(opt.microSteps).to.equal(micro);
    });
  });

  describe("API forms", () => {
    it("step uses .grad, skips params without one, zeroGrad clears", () => {
      const a = new Parameter([1, 2]),
        b = new Parameter([3]);
      a.grad = tensor([1, 1]);
      const opt = new SGD({ learningRate: 0.5 });
      opt.step([a, b]);
      expect(Array.from(a.values)).to.deep.equal([0.5, 1.5]);
      expect(Array.from(b.values)).to.deep.equal([3]);
      opt.zeroGrad([a, b]);
      expect(a.grad).to.equal(null);
    });

    it("scaleLoss is differentiable: backward through it carries the factor", () => {
      const x = new Parameter([2]);
      const opt = new SGD({ lossScaleFactor: 8 });
      const scaled = opt.scaleLoss(x);
      expect(scaled.item()).to.equal(16);
      scaled.backward(tensor([1]));
      expect(Array.from(x.grad!.values)).to.deep.equal([8]);
    });

    it("a Keras get_config() JSON loads (schedule lr included) and serialises back identically", () => {
      const kerasJson = `{"name": "adam_w", "learning_rate": {"module": "keras.optimizers.schedules", "class_name": "CosineDecay",
        "config": {"initial_learning_rate": 0.001, "decay_steps": 1000, "alpha": 0.0, "name": "CosineDecay", "warmup_target": null, "warmup_steps": 0},
        "registered_name": null}, "weight_decay": 0.004, "clipnorm": null, "global_clipnorm": 1.0, "clipvalue": null, "use_ema": true,
        "ema_momentum": 0.99, "ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": 4,
        "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}`;
      const cfg = JSON.parse(kerasJson);
      const opt = AdamW.fromConfig(cfg);
      expect(opt.getConfig()).to.deep.equal(cfg);
      expect(opt.learningRate).to.equal(Math.fround(0.001));
      expect(Lion.fromConfig({ ...new Lion().getConfig(), decay: null }).className).to.equal("Lion");
    });

    it("JSON state helpers reject malformed input", () => {
      throwsNaming(
        () => stateFromJSON({ config: {}, iterations: 0, slots: { m: [{ shape: [2], dtype: "float32", values: [1] }] } }),
        ["stateFromJSON", "slots.m[0]"],
      );
      const s = stateToJSON(new Lion().stateDict());
      expect(stateFromJSON(JSON.stringify(s)).iterations).to.equal(0);
    });
  });
});
