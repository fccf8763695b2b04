/** Invariants every optimizer must keep: accumulation, decoupled decay, resumable state, EMA, memory, convergence. */
import { expect } from "chai";
import { Tensor } from "../../core/tensor";
import { Parameter } from "../../core/parameter";
import { tensor } from "../../core/creation";
import { Lion, Adam, AdamW, SGD, Optimizer, LossScaleOptimizer, schedules, stateFromJSON, stateToJSON } from "../../optim";
import { ZOO, lcg, makeGrads, makeParams, snapshot, values } from "./helpers";

function closeArrays(a: number[][], b: number[][], tol: number, label: string): void {
  a.forEach((row, i) => row.forEach((x, k) => expect(Math.abs(x - b[i][k]), `${label} [${i}][${k}]: ${x} vs ${b[i][k]}`).to.be.at.most(tol)));
}

describe("optim: properties of every optimizer", () => {
  describe("gradient accumulation: k micro-steps == one step on the mean gradient (weight decay and clipping on)", () => {
    for (const { label, make } of ZOO) {
      for (const clip of [{ clipNorm: 0.5 }, { globalClipNorm: 0.7 }, { clipValue: 0.3 }]) {
        it(`${label} ${JSON.stringify(clip)}`, () => {
          const k = 3;
          const a = makeParams(7),
            b = makeParams(7);
          const acc = make({ weightDecay: 0.05, gradientAccumulationSteps: k, ...clip });
          const one = make({ weightDecay: 0.05, ...clip });
          const r = lcg(11);
          for (let epoch = 0; epoch < 6; epoch++) {
            const micro = [0, 1, 2].map(() => makeGrads(a, r));
            for (const g of micro) acc.apply(g, a);
            // The mean as Keras computes it on the update micro-step: (g3 + (g1 + g2)) / 3 in float32.
            const mean = a.map((p, i) => {
              const s = new Float32Array(p.size);
              for (const g of micro.slice(0, k - 1)) for (let e = 0; e < s.length; e++) s[e] += g[i].values[e];
              for (let e = 0; e < s.length; e++) s[e] = Math.fround(micro[k - 1][i].values[e] + s[e]) / k;
              return new Tensor(s, p.shape.slice());
            });
            one.apply(mean, b);
            expect(acc.iterations).to.equal(one.iterations);
            closeArrays(values(a), values(b), 1e-6, `epoch ${epoch}`);
          }
          expect(acc.microSteps).to.equal(18);
          expect(acc.iterations).to.equal(6);
        });
      }
    }

    it("non-final micro-steps leave the weights alone and apply no decay; the schedule sees raw micro-steps", () => {
      const seen: number[] = [];
      const lr = new schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
      const spy = { valueAt: (s: number) => (seen.push(s), lr.valueAt(s)), getConfig: () => lr.getConfig(), className: "ExponentialDecay" };
      const p = makeParams(3);
      const before = values(p);
      const opt = new SGD({ learningRate: spy, weightDecay: 0.5, gradientAccumulationSteps: 3 });
      const r = lcg(1);
      opt.apply(makeGrads(p, r), p);
      opt.apply(makeGrads(p, r), p);
      expect(values(p)).to.deep.equal(before);
      opt.apply(makeGrads(p, r), p);
      expect(values(p)).to.not.deep.equal(before);
      expect(seen).to.deep.equal([0, 1, 2]);
    });
  });

  describe("Lion: decoupled weight decay never changes the sign direction", () => {
    it("update = −lr·sign(β1·m + (1−β1)·g) − v·wd·lr, even where a coupled L2 term would flip the sign", () => {
      const lr = 0.01,
        wd = 0.5;
      // Weights large and positive, gradients tiny and negative: g + wd·v > 0 would flip the sign.
      const v0 = [10, 20, -30, 5];
      const g = [-1e-3, -2e-3, 1e-3, -1e-4];
      const p = new Parameter(v0),
        q = new Parameter(v0);
      const withWd = new Lion({ learningRate: lr, weightDecay: wd });
      const noWd = new Lion({ learningRate: lr });
      for (let t = 0; t < 5; t++) {
        const before = Array.from(p.values),
          beforeQ = Array.from(q.values);
        withWd.apply([tensor(g)], [p]);
        noWd.apply([tensor(g)], [q]);
        for (let k = 0; k < g.length; k++) {
          const decay = Math.fround(Math.fround(before[k] * wd) * lr);
          const signStepWd = Math.fround(before[k] - decay) - p.values[k];
          const signStep = beforeQ[k] - q.values[k];
          // v ← v − lr·sign(c): what was removed besides the decay is +lr·sign(g), with or without decay.
          expect(Math.sign(signStepWd), `elem ${k}`).to.equal(Math.sign(g[k]));
          expect(Math.sign(signStep)).to.equal(Math.sign(g[k]));
          expect(signStepWd).to.be.closeTo(signStep, 1e-5); // float32 ulps of |v| ≤ 30
        }
      }
      // The momentum slot is identical with and without decay: decay never touches it.
      expect(Array.from(withWd.stateDict().slots.momentums[0].values)).to.deep.equal(Array.from(noWd.stateDict().slots.momentums[0].values));
    });
  });

  describe("state round-trip: stop at step 7, save, load into a fresh optimizer, continue == uninterrupted (bit-identical)", () => {
    const extras = [
      {},
      { weightDecay: 0.05, clipNorm: 1, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 5 },
      { gradientAccumulationSteps: 3, globalClipNorm: 2, useEma: true, lossScaleFactor: 8 },
    ];
    for (const { label, make } of ZOO) {
      extras.forEach((extra, e) => {
        for (const viaJson of [false, true]) {
          it(`${label} options#${e}${viaJson ? " via JSON text" : ""}`, () => {
            const lrFor = () => new schedules.CosineDecay({ initialLearningRate: 0.02, decaySteps: 20, warmupTarget: 0.05, warmupSteps: 4 });
            const options = { ...extra, learningRate: lrFor() };
            const gradsAt = (params: Parameter[], t: number) => makeGrads(params, lcg(100 + t));
            const ref = makeParams(5);
            const straight = make(options);
            for (let t = 0; t < 12; t++) straight.apply(gradsAt(ref, t), ref);

            const run = makeParams(5);
            const first = make(options);
            for (let t = 0; t < 7; t++) first.apply(gradsAt(run, t), run);
            let saved = first.stateDict();
            if (viaJson) saved = stateFromJSON(JSON.parse(JSON.stringify(stateToJSON(saved))));
            const savedWeights = values(run);
            const resumedParams = savedWeights.map((v, i) => new Parameter(new Tensor(Float32Array.from(v), run[i].shape.slice()), { name: run[i].name }));
            const second = make({ ...options, learningRate: lrFor() });
            second.loadStateDict(saved); // before build: applied by the first apply
            for (let t = 7; t < 12; t++) second.apply(gradsAt(resumedParams, t), resumedParams);

            expect(values(resumedParams)).to.deep.equal(values(ref));
            expect(snapshot(second)).to.equal(snapshot(straight));
            expect(second.iterations).to.equal(straight.iterations);
          });
        }
      });
    }

    it("loadStateDict into an already built optimizer, and LossScaleOptimizer's scale travels too", () => {
      const p = makeParams(2),
        q = makeParams(2);
      const a = new LossScaleOptimizer(new AdamW({ learningRate: 0.01 }), { initialScale: 4, dynamicGrowthSteps: 2 });
      const b = new LossScaleOptimizer(new AdamW({ learningRate: 0.01 }), { initialScale: 4, dynamicGrowthSteps: 2 });
      const r = lcg(9);
      for (let t = 0; t < 5; t++) a.apply(makeGrads(p, r, 4), p);
      b.build(q);
      b.loadStateDict(stateFromJSON(JSON.stringify(stateToJSON(a.stateDict()))));
      q.forEach((x, i) => x.values.set(p[i].values));
      const r2 = lcg(10),
        r3 = lcg(10);
      for (let t = 0; t < 4; t++) {
        a.apply(makeGrads(p, r2, 4), p);
        b.apply(makeGrads(q, r3, 4), q);
      }
      expect(values(q)).to.deep.equal(values(p));
      expect(b.dynamicScale).to.equal(a.dynamicScale);
      expect(snapshot(b)).to.equal(snapshot(a));
    });
  });

  describe("EMA", () => {
    it("first step copies, later steps blend, finalizeVariableValues copies the averages in", () => {
      const v = new Parameter([
        [3, 4],
        [5, 6],
      ]);
      const opt = new SGD({ learningRate: 1, useEma: true, emaMomentum: 0.9 });
      const g = tensor([
        [1, 1],
        [1, 1],
      ]);
      opt.apply([g], [v]);
      expect(Array.from(opt.stateDict().slots.averages[0].values)).to.deep.equal([2, 3, 4, 5]);
      opt.apply([g], [v]);
      expect(Array.from(v.values)).to.deep.equal([1, 2, 3, 4]);
      Array.from(opt.stateDict().slots.averages[0].values).forEach((x, k) => expect(x).to.be.closeTo([1.9, 2.9, 3.9, 4.9][k], 1e-6));
      opt.finalizeVariableValues([v]);
      Array.from(v.values).forEach((x, k) => expect(x).to.be.closeTo([1.9, 2.9, 3.9, 4.9][k], 1e-6));
    });

    it("withEmaWeights / swapEmaWeights swap the averages in for evaluation and restore the training weights", () => {
      const p = makeParams(4);
      const opt = new Lion({ learningRate: 0.01, useEma: true, emaMomentum: 0.5 });
      const r = lcg(3);
      for (let t = 0; t < 4; t++) opt.apply(makeGrads(p, r), p);
      const training = values(p);
      const ema = opt.stateDict().slots.averages.map((t) => Array.from(t.values));
      expect(ema).to.not.deep.equal(training);
      const seen = opt.withEmaWeights(p, () => values(p));
      expect(seen).to.deep.equal(ema);
      expect(values(p)).to.deep.equal(training);
      opt.swapEmaWeights(p);
      expect(values(p)).to.deep.equal(ema);
      opt.swapEmaWeights(p);
      expect(values(p)).to.deep.equal(training);
      expect(() =>
        opt.withEmaWeights(p, () => {
          throw new Error("boom");
        }),
      ).to.throw("boom");
      expect(values(p)).to.deep.equal(training);
    });

    it("the EMA covers params without a gradient this step, and constraints apply after it", () => {
      const a = new Parameter([1, -1], { constraint: "nonNeg" }),
        b = new Parameter([2, 2]);
      const opt = new SGD({ learningRate: 1, useEma: true, emaMomentum: 0.5 });
      opt.applyGradients([
        [tensor([0, 1]), a],
        [null, b],
      ]);
      expect(Array.from(a.values)).to.deep.equal([1, 0]); // −2 clamped by the constraint
      expect(Array.from(opt.stateDict().slots.averages[0].values)).to.deep.equal([1, -2]); // EMA saw it before
      expect(Array.from(opt.stateDict().slots.averages[1].values)).to.deep.equal([2, 2]);
    });
  });

  describe("memory: slots per parameter", () => {
    const cases: [string, Optimizer, string[]][] = [
      ["Lion", new Lion(), ["momentums"]],
      ["AdamW", new AdamW(), ["momentums", "velocities"]],
      ["AdamW amsgrad", new AdamW({ amsgrad: true }), ["momentums", "velocities", "velocityHats"]],
      ["Adam", new Adam(), ["momentums", "velocities"]],
      ["SGD", new SGD(), []],
      ["SGD momentum", new SGD({ momentum: 0.9 }), ["momentums"]],
      ["Lion + EMA + accumulation", new Lion({ useEma: true, gradientAccumulationSteps: 2 }), ["averages", "accumulatedGradients", "momentums"]],
    ];
    for (const [label, opt, names] of cases) {
      it(`${label}: ${names.length} slot(s) per parameter`, () => {
        const p = makeParams(1);
        opt.apply(makeGrads(p, lcg(1)), p);
        const s = opt.stateDict();
        expect(Object.keys(s.slots)).to.deep.equal(names);
        const total = p.reduce((n, x) => n + x.size, 0);
        for (const n of names) {
          expect(s.slots[n].length).to.equal(p.length);
          expect(s.slots[n].reduce((acc, t) => acc + t.size, 0)).to.equal(total);
        }
      });
    }
  });

  describe("convergence", () => {
    const quadratic = (opt: Optimizer, steps: number): number[] => {
      const target = [1, -2, 3, 0.5];
      const p = new Parameter(new Tensor(new Float64Array(4), [4]));
      for (let t = 0; t < steps; t++) {
        p.grad = new Tensor(
          Float64Array.from(p.values, (x, k) => 2 * (x - target[k])),
          [4],
        );
        opt.step([p]);
        opt.zeroGrad([p]);
      }
      return Array.from(p.values).map((x, k) => Math.abs(x - target[k]));
    };
    const rosenbrock = (opt: Optimizer, steps: number): number[] => {
      const p = new Parameter(new Tensor(Float64Array.of(-1.2, 1), [2]));
      for (let t = 0; t < steps; t++) {
        const [x, y] = p.values;
        opt.apply([new Tensor(Float64Array.of(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)), [2])], [p]);
      }
      return [Math.abs(p.values[0] - 1), Math.abs(p.values[1] - 1)];
    };
    const cos = (lr: number, n: number) => new schedules.CosineDecay({ initialLearningRate: lr, decaySteps: n });
    const zoo: [string, () => Optimizer, () => Optimizer][] = [
      ["Lion", () => new Lion({ learningRate: cos(0.05, 600) }), () => new Lion({ learningRate: cos(0.01, 3000) })],
      ["AdamW", () => new AdamW({ learningRate: cos(0.1, 600), weightDecay: 0 }), () => new AdamW({ learningRate: cos(0.05, 3000), weightDecay: 0 })],
      ["Adam amsgrad", () => new Adam({ learningRate: cos(0.1, 600), amsgrad: true }), () => new Adam({ learningRate: cos(0.05, 3000) })],
      ["SGD", () => new SGD({ learningRate: 0.1 }), () => new SGD({ learningRate: 1e-3, momentum: 0.9, nesterov: true, clipNorm: 10 })],
    ];
    for (const [label, forQuadratic, forRosenbrock] of zoo) {
      it(`${label}: quadratic bowl`, () => quadratic(forQuadratic(), 600).forEach((e) => expect(e).to.be.below(1e-2)));
      it(`${label}: Rosenbrock from (−1.2, 1)`, () => rosenbrock(forRosenbrock(), 3000).forEach((e) => expect(e).to.be.below(1e-2)));
    }
  });
});
