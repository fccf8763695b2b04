/**
 * A `fit` that throws leaves the model as it was: every parameter's `.grad`, each module's
 * train/eval mode, and (when no step was applied) the buffers and the generators. The cases are
 * the ones users hit: the optimizer rejecting a learning-rate function's NaN on the first step,
 * a loss function throwing, and a rejection after some steps (grads and modes still restored).
 */
import { expect } from "chai";
import { Parameter, Tensor, manualSeed, randn, tensor } from "../../core";
import { generatorFor } from "../../core/random";
import * as nn from "../../nn";
import { Adam, SGD } from "../../optim";

function model(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 2, 3, { padding: 1, seed: 1 }),
    new nn.BatchNorm2d(2),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(2 * 4 * 4, 3, { seed: 2 }),
  );
}
const data = { x: randn([12, 1, 4, 4], { seed: 3 }), y: Array.from({ length: 12 }, (_, i) => i % 3) };

/** Everything a call could change: values, grads (identity and values), modes, generator state. */
function snapshot(m: nn.Module) {
  return {
    state: Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.values)]),
    grads: m.parameters().map((p) => p.grad),
    gradValues: m.parameters().map((p) => (p.grad ? Array.from(p.grad.values) : null)),
    modes: [m.training, ...m.namedChildren().map(([, c]) => c.training)],
    global: generatorFor().getState(),
  };
}

describe("reliability: a rejected fit changes nothing (grads, train/eval mode, buffers, generators)", () => {
  beforeEach(() => manualSeed(5));

  it("the optimizer rejects a learning-rate function returning NaN on the first step", () => {
    const m = model();
    m.eval();
    (m as unknown as Record<string, nn.Module>)["1"].train(); // a mixed mode, to see each module's own put back
    m.parameters().forEach((p, i) => (p.grad = i % 2 ? tensor(new Array(p.size).fill(0.5), { shape: p.shape.slice() }) : null));
    const before = snapshot(m);
    const opt = new Adam({ learningRate: () => NaN });
    expect(() => nn.fit(m, data, { optimizer: opt, loss: "crossEntropy", epochs: 2, batchSize: 4, verbose: 0 })).to.throw(Error, /learning/i);
    const after = snapshot(m);
    expect(after.grads).to.deep.equal(before.grads);
    after.grads.forEach((g, i) => expect(g).to.equal(before.grads[i])); // the same tensors, not copies
    expect(after).to.deep.equal(before);
  });

  it("a loss function that throws on the first batch", () => {
    const m = model();
    const before = snapshot(m);
    const loss = () => {
      throw new Error("my loss: labels out of range");
    };
    expect(() => nn.fit(m, data, { optimizer: new SGD(), loss, epochs: 1, batchSize: 4, verbose: 0 })).to.throw(/my loss/);
    expect(snapshot(m)).to.deep.equal(before);
  });

  it("a rejection after some steps still puts back the grads and the modes (the applied steps stay, as Keras)", () => {
    const m = model();
    m.eval();
    const g = new Tensor(new Float32Array(3).fill(1), [3]);
    const last = m.parameters()[m.parameters().length - 1] as Parameter;
    last.grad = g;
    let calls = 0;
    const opt = new SGD({ learningRate: () => (++calls > 2 ? Infinity : 0.1) });
    expect(() => nn.fit(m, data, { optimizer: opt, loss: "crossEntropy", epochs: 1, batchSize: 4, verbose: 0 })).to.throw(Error);
    expect(last.grad).to.equal(g);
    expect(
      m
        .parameters()
        .filter((p) => p !== last)
        .every((p) => p.grad === null),
    ).to.equal(true);
    expect(m.training).to.equal(false);
    expect(m.namedChildren().every(([, c]) => !c.training)).to.equal(true);
  });
});
