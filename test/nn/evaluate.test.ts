/** evaluate, predict, the accuracy rule and batching helpers. */
import { expect } from "chai";
import { Tensor, tensor } from "../../core";
import { evaluate, predict } from "../../nn/evaluate";
import { accuracy } from "../../nn/metrics";
import { batchesOf, gatherRows } from "../../nn/data";
import { crossEntropy } from "../../nn/losses";
import { Generator } from "../../core/random";
import { Sequential } from "../../nn/layers/sequential";
import { Dropout } from "../../nn/layers/dropout";
import { Linear } from "../../nn/layers/linear";
import { classification, mlp } from "./train-helpers";

describe("evaluate and predict", () => {
  it("predict concatenates batch outputs into the full-batch result, in eval mode", () => {
    const model = new Sequential(
      new Linear(3, 5, { seed: 1, dtype: "float64" }),
      new Dropout(0.5, { seed: 2 }),
      new Linear(5, 2, { seed: 3, dtype: "float64" }),
    );
    const { x } = classification(11);
    const full = model.eval().call(x);
    model.train();
    const out = predict(model, x, { batchSize: 4 });
    expect(out.shape).to.deep.equal([11, 2]);
    expect(Array.from(out.values)).to.deep.equal(Array.from(full.values));
    expect(out.requiresGrad).to.equal(false);
    expect(model.training).to.equal(true); // mode restored
    expect(predict(model.eval(), x).shape).to.deep.equal([11, 2]);
    expect(model.training).to.equal(false);
  });

  it("evaluate averages loss and accuracy over samples (uneven batches)", () => {
    const model = mlp();
    const data = classification(10);
    const pred = model.call(data.x);
    const expectedLoss = crossEntropy(pred, data.y).item();
    const expectedAcc = accuracy(pred, data.y);
    for (const batchSize of [1, 3, 4, 32]) {
      const r = evaluate(model, data, { loss: "crossEntropy", metrics: ["accuracy"], batchSize });
      expect(Object.keys(r)).to.deep.equal(["loss", "accuracy"]);
      expect(r.loss).to.be.closeTo(expectedLoss, 1e-12);
      expect(r.accuracy).to.be.closeTo(expectedAcc, 1e-12);
    }
    expect(evaluate(model, data, { metrics: ["acc"] })).to.deep.equal({ accuracy: expectedAcc });
    expect(() => evaluate(model, data, {})).to.throw(/nothing to compute/);
  });

  it("accuracy: argmax vs labels or one-hot; a single output thresholds at 0.5 (or the given threshold)", () => {
    const logits = tensor([
      [0.1, 0.9, 0],
      [2, 1, 0],
      [0, 0, 3],
      [1, 5, 2],
    ]);
    expect(accuracy(logits, [1, 0, 2, 0])).to.equal(0.75);
    expect(accuracy(logits, Int32Array.from([1, 1, 2, 1]))).to.equal(0.75);
    expect(accuracy(logits, tensor([1, 0, 2, 1]))).to.equal(1);
    expect(
      accuracy(
        logits,
        tensor([
          [0, 1, 0],
          [1, 0, 0],
          [0, 0, 1],
          [1, 0, 0],
        ]),
      ),
    ).to.equal(0.75);
    const probs = tensor([[0.9], [0.4], [0.6], [0.1]]);
    expect(accuracy(probs, [1, 0, 0, 0])).to.equal(0.75);
    expect(accuracy(tensor([0.9, 0.4, 0.6, 0.1]), tensor([1, 1, 1, 0]))).to.equal(0.75);
    expect(accuracy(tensor([2, -1, 0.3, -0.2]), [1, 0, 1, 1], 0)).to.equal(0.75);
    expect(() => accuracy(logits, [1, 2])).to.throw(/4 predictions of 3 classes/);
  });

  it("batches gather whole rows with their labels; shuffling is a seeded permutation", () => {
    const x = tensor([
      [0, 1],
      [10, 11],
      [20, 21],
      [30, 31],
      [40, 41],
    ]);
    const y = tensor([0, 1, 2, 3, 4]);
    expect(gatherRows(x, [3, 0], 0, 2).toArray()).to.deep.equal([
      [30, 31],
      [0, 1],
    ]);
    const run = (seed: number) => [...batchesOf({ x, y }, { batchSize: 2, shuffle: true, generator: new Generator(seed) })];
    const a = run(4);
    expect(a.map((b) => b.x.shape[0])).to.deep.equal([2, 2, 1]);
    for (const b of a) {
      const labels = Array.from((b.y as Tensor).values);
      expect(b.x.toArray()).to.deep.equal(labels.map((l) => [10 * l, 10 * l + 1]));
    }
    expect(a.flatMap((b) => Array.from((b.y as Tensor).values)).sort()).to.deep.equal([0, 1, 2, 3, 4]);
    expect(run(4).map((b) => b.x.toArray())).to.deep.equal(a.map((b) => b.x.toArray()));
  });
});
