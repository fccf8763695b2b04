/**
 * Non-finite gradients. With LossScaleOptimizer the step is skipped (weights, slots and counters
 * untouched) and the scale halves. Base optimizers keep Keras semantics: a NaN/Inf gradient is
 * applied as given (the weights become non-finite, as in Keras); fit guards against that by
 * stopping on a non-finite loss before the bad batch is applied (README, "Reliability").
 */
import { expect } from "chai";
import * as nd from "../../core";
import { Parameter, Tensor } from "../../core";
import * as nn from "../../nn";
import { AdamW, Lion, LossScaleOptimizer, Optimizer, SGD, stateToJSON } from "../../optim";

const params = () => [
  new Parameter(
    nd.tensor([
      [0.5, -0.25],
      [1, 2],
    ]),
    { name: "w" },
  ),
  new Parameter(nd.tensor([0.1, -0.1]), { name: "b" }),
];
const finite = (ps: Parameter[]) => ps.map((p) => nd.ones(p.shape.slice()).mul(0.5));
const bad = (ps: Parameter[], v: number) =>
  ps.map((p, i) =>
    i === 0
      ? nd.tensor([
          [1, v],
          [0, 0],
        ])
      : nd.zeros(p.shape.slice()),
  );
const quiet = { isTTY: false, write: () => true };
const snap = (o: Optimizer, ps: Parameter[]) => JSON.stringify({ w: ps.map((p) => Array.from(p.values)), s: stateToJSON(o.stateDict()) });

describe("reliability: non-finite gradients", () => {
  for (const [label, make] of [
    ["SGD", () => new SGD({ momentum: 0.9 })],
    ["AdamW", () => new AdamW({ useEma: true })],
    ["Lion", () => new Lion({ gradientAccumulationSteps: 2 })],
  ] as [string, () => Optimizer][]) {
    for (const v of [NaN, Infinity, -Infinity]) {
      it(`LossScaleOptimizer(${label}): a ${v} gradient skips the step and halves the scale`, () => {
        const ps = params();
        const lso = new LossScaleOptimizer(make(), { initialScale: 1024 });
        lso.apply(finite(ps), ps); // built, one good step
        const before = snap(lso, ps);
        const it0 = lso.iterations;
        lso.apply(bad(ps, v), ps);
        expect(lso.dynamicScale).to.equal(512);
        expect(lso.iterations).to.equal(it0);
        const after = JSON.parse(snap(lso, ps));
        const want = JSON.parse(before);
        expect(after.w).to.deep.equal(want.w);
        expect(after.s.slots).to.deep.equal(want.s.slots);
        expect(after.s.microSteps).to.equal(want.s.microSteps);
        // and it recovers: the next finite step applies
        lso.apply(finite(ps), ps);
        expect(ps.every((p) => p.values.every(Number.isFinite))).to.equal(true);
      });
    }
  }

  it("base optimizers keep Keras semantics: a NaN gradient propagates into the weights (documented)", () => {
    for (const o of [new SGD(), new AdamW(), new Lion()]) {
      const ps = params();
      o.apply(bad(ps, NaN), ps);
      expect(Number.isNaN(ps[0].values[1])).to.equal(true, o.className);
      expect(Number.isFinite(ps[1].values[0])).to.equal(true, `${o.className}: other params untouched by NaN`);
    }
  });

  for (const [label, make] of [
    ["SGD", () => new SGD({ momentum: 0.9, checkFinite: true })],
    ["AdamW", () => new AdamW({ useEma: true, checkFinite: true })],
    ["Lion", () => new Lion({ gradientAccumulationSteps: 2, checkFinite: true })],
  ] as [string, () => Optimizer][]) {
    for (const v of [NaN, Infinity, -Infinity]) {
      it(`checkFinite (${label}): a ${v} gradient throws, naming the parameter and element, and changes nothing`, () => {
        const ps = params();
        const opt = make();
        opt.apply(finite(ps), ps);
        const before = snap(opt, ps);
        const it0 = opt.iterations,
          micro0 = opt.microSteps;
        expect(() => opt.apply(bad(ps, v), ps)).to.throw(
          new RegExp(`${label}: grads\\[0\\] \\(parameter "w"\\) is not finite: element 1 is ${String(v).replace("+", "")}; nothing was changed`),
        );
        expect(snap(opt, ps)).to.equal(before);
        expect(opt.iterations).to.equal(it0);
        expect(opt.microSteps).to.equal(micro0);
        opt.apply(finite(ps), ps); // and it carries on normally
        expect(ps[0].values.every(Number.isFinite)).to.equal(true);
      });
    }
  }

  it("checkFinite must be a boolean and stays out of the Keras config", () => {
    expect(() => new SGD({ checkFinite: "yes" as never })).to.throw(/SGD: checkFinite/);
    expect(new AdamW({ checkFinite: true }).getConfig()).to.not.have.property("check_finite");
  });

  it("fit stops on a non-finite loss before applying that batch: weights stay finite", () => {
    const model = new nn.Linear(2, 1, { seed: 1 });
    const x = nd.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const y = nd.tensor([[1], [NaN], [1], [1]]); // the second batch's loss is NaN
    const before = model.parameters().map((p) => Array.from(p.values));
    const h = nn.fit(
      model,
      { x, y },
      { optimizer: new SGD({ learningRate: 0.01 }), loss: "mse", epochs: 3, batchSize: 1, shuffle: false, verbose: 0, output: quiet },
    );
    expect(h.stoppedReason).to.match(/loss is NaN at epoch 1, batch 2/);
    const w = model.parameters().map((p) => Array.from(p.values));
    expect(w.flat().every(Number.isFinite)).to.equal(true);
    expect(w).to.not.deep.equal(before); // batch 1 was applied
  });

  it("fit with LossScaleOptimizer: an overflowing scaled loss is skipped, the scale halves, training continues", () => {
    const model = new nn.Linear(2, 1, { seed: 1 });
    const x = nd.tensor([
      [1, 2],
      [3, 4],
    ]);
    const y = nd.tensor([[1], [2]]);
    // a scale so large that the scaled float32 gradients overflow to Infinity on the first step
    const lso = new LossScaleOptimizer(new SGD({ learningRate: 0.01 }), { initialScale: 2 ** 127 });
    nn.fit(model, { x, y }, { optimizer: lso, loss: "mse", epochs: 4, batchSize: 2, verbose: 0 });
    expect(lso.dynamicScale).to.be.lessThan(2 ** 127);
    expect(model.parameters().every((p) => p.values.every(Number.isFinite))).to.equal(true);
  });

  it("gradients are float: a non-finite value in the input shows as a NaN loss, not silent corruption", () => {
    const x = nd.tensor([[Infinity, 1]]);
    const model = new nn.Linear(2, 1, { seed: 2 });
    const h = nn.fit(model, { x, y: nd.tensor([[0]]) }, { optimizer: new AdamW(), loss: "mse", epochs: 1, batchSize: 1, verbose: 0, output: quiet });
    expect(h.stoppedReason).to.match(/loss is (NaN|Infinity)/);
    expect(model.parameters().every((p) => p.values.every(Number.isFinite))).to.equal(true);
  });
});

export type { Tensor };
