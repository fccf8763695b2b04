/**
 * The training loop: history values against an independent manual loop, accumulation against a
 * larger batch, EMA finalisation, NaN handling, seeded shuffling and the progress output.
 */
import { expect } from "chai";
import { Tensor, tensor } from "../../core";
import { fit } from "../../nn/fit";
import { mse, crossEntropy } from "../../nn/losses";
import { Labels } from "../../nn/data";
import { SGD, Adam, LossScaleOptimizer } from "../../optim";
import { FakeOutput, classification, fakeClock, linear, maxDiff, mlp, regression, weights } from "./train-helpers";

const quiet = { verbose: 0 as const, output: new FakeOutput(false) };

describe("fit", () => {
  it("reports the sample-weighted mean loss and trains exactly like a manual loop", () => {
    const data = classification(10);
    const model = mlp();
    const twin = mlp();
    expect(maxDiff(weights(model), weights(twin))).to.equal(0);
    const history = fit(model, data, {
      optimizer: new SGD({ learningRate: 0.1 }),
      loss: "crossEntropy",
      epochs: 2,
      batchSize: 4,
      shuffle: false,
      metrics: ["accuracy"],
      ...quiet,
    });

    // Independent loop: batches of 4, 4, 2 in order, one SGD step each.
    const opt = new SGD({ learningRate: 0.1 });
    const params = twin.parameters();
    for (let epoch = 0; epoch < 2; epoch++) {
      let weighted = 0;
      let correct = 0;
      for (const [start, end] of [
        [0, 4],
        [4, 8],
        [8, 10],
      ]) {
        const x = tensor(Array.from(data.x.values.slice(start * 3, end * 3)), { shape: [end - start, 3], dtype: "float64" });
        const y = data.y.slice(start, end);
        const pred = twin.call(x);
        const loss = crossEntropy(pred, y);
        for (let r = 0; r < end - start; r++) {
          const p = pred.values;
          if ((p[2 * r + 1] > p[2 * r] ? 1 : 0) === y[r]) correct++;
        }
        weighted += loss.item() * (end - start);
        loss.backward();
        opt.step(params);
        opt.zeroGrad(params);
      }
      expect(history.history.loss[epoch]).to.be.closeTo(weighted / 10, 1e-12);
      expect(history.history.accuracy![epoch]).to.be.closeTo(correct / 10, 1e-12);
    }
    expect(history.epoch).to.deep.equal([0, 1]);
    expect(maxDiff(weights(model), weights(twin))).to.be.below(1e-12);
    expect(history.stoppedReason).to.equal(undefined);
  });

  it("adds val_loss and val_accuracy computed in eval mode without the tape", () => {
    const data = classification(12);
    const val = classification(7, 11);
    const model = mlp();
    const seen: boolean[] = [];
    const history = fit(model, data, {
      optimizer: new SGD({ learningRate: 0.05 }),
      loss: "crossEntropy",
      epochs: 2,
      batchSize: 5,
      metrics: ["accuracy"],
      validationData: val,
      seed: 1,
      ...quiet,
      callbacks: [
        {
          onTestBegin: () => seen.push(model.training),
          onEpochEnd: (_e, logs) => {
            // val_loss equals an evaluation of the weights at the end of the epoch.
            const pred = model.eval().call(val.x);
            model.train();
            expect(logs.val_loss).to.be.closeTo(crossEntropy(pred, val.y).item(), 1e-12);
          },
        },
      ],
    });
    expect(Object.keys(history.history).sort()).to.deep.equal(["accuracy", "loss", "val_accuracy", "val_loss"]);
    expect(history.history.val_loss).to.have.length(2);
    expect(model.training).to.equal(true);
  });

  it("with gradientAccumulationSteps = k equals one batch k times larger (SGD, mean loss)", () => {
    const data = regression(16);
    const small = linear();
    const big = linear();
    fit(small, data, {
      optimizer: new SGD({ learningRate: 0.1, gradientAccumulationSteps: 4 }),
      gradientAccumulationSteps: 4,
      loss: "mse",
      epochs: 3,
      batchSize: 2,
      shuffle: false,
      ...quiet,
    });
    fit(big, data, { optimizer: new SGD({ learningRate: 0.1 }), loss: "mse", epochs: 3, batchSize: 8, shuffle: false, ...quiet });
    expect(maxDiff(weights(small), weights(big))).to.be.below(1e-6);
    expect(maxDiff(weights(small), weights(linear()))).to.be.above(1e-3); // it did train
  });

  it("rejects a gradientAccumulationSteps the optimizer does not have, before training", () => {
    const model = linear();
    const before = weights(model);
    expect(() => fit(model, regression(4), { optimizer: new SGD(), gradientAccumulationSteps: 2, loss: "mse", epochs: 1, batchSize: 2, ...quiet })).to.throw(
      /gradientAccumulationSteps=2 but the optimizer accumulates no steps.*gradientAccumulationSteps: 2/,
    );
    expect(weights(model)).to.deep.equal(before);
  });

  it("finalizes the EMA weights after the last epoch when useEma is on", () => {
    const data = regression(12);
    const model = linear();
    const raw = linear();
    const opt = new SGD({ learningRate: 0.1, useEma: true, emaMomentum: 0.9 });
    fit(model, data, { optimizer: opt, loss: "mse", epochs: 2, batchSize: 4, shuffle: false, ...quiet });
    fit(raw, data, { optimizer: new SGD({ learningRate: 0.1 }), loss: "mse", epochs: 2, batchSize: 4, shuffle: false, ...quiet });
    const averages = opt.stateDict().slots.averages;
    model.parameters().forEach((p, i) => expect(Array.from(p.values)).to.deep.equal(Array.from(averages[i].values)));
    expect(maxDiff(weights(model), weights(raw))).to.be.above(1e-4); // the EMA, not the raw weights
  });

  it("scales the loss for a LossScaleOptimizer and finalizes the EMA of the optimizer it wraps", () => {
    const data = regression(12);
    const wrapped = linear();
    const plain = linear();
    const lso = new LossScaleOptimizer(new SGD({ learningRate: 0.1, useEma: true, emaMomentum: 0.9 }));
    let scaled = 0;
    const scaleLoss = lso.scaleLoss.bind(lso);
    lso.scaleLoss = (l) => (scaled++, scaleLoss(l));
    fit(wrapped, data, { optimizer: lso, loss: "mse", epochs: 2, batchSize: 4, shuffle: false, ...quiet });
    fit(plain, data, {
      optimizer: new SGD({ learningRate: 0.1, useEma: true, emaMomentum: 0.9 }),
      loss: "mse",
      epochs: 2,
      batchSize: 4,
      shuffle: false,
      ...quiet,
    });
    expect(scaled).to.equal(6);
    expect(maxDiff(weights(wrapped), weights(plain))).to.be.below(1e-12);
    const averages = lso.inner.stateDict().slots.averages;
    wrapped.parameters().forEach((p, i) => expect(Array.from(p.values)).to.deep.equal(Array.from(averages[i].values)));
  });

  it("stops on a NaN loss with a message, keeping the weights from before the bad batch", () => {
    const data = regression(12);
    const model = linear();
    const out = new FakeOutput(false);
    let calls = 0;
    let afterGoodStep: Record<string, number[]> = {};
    const loss = (pred: Tensor, y: Labels) => {
      calls++;
      const l = mse(pred, y as Tensor);
      return calls === 3 ? l.mul(NaN) : l;
    };
    const history = fit(model, data, {
      optimizer: new SGD({ learningRate: 0.1 }),
      loss,
      epochs: 3,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      output: out,
      callbacks: [{ onBatchEnd: () => (afterGoodStep = weights(model)) }],
    });
    expect(history.stoppedReason).to.match(/loss is NaN at epoch 1, batch 3; training stopped/);
    expect(out.text).to.contain("loss is NaN");
    expect(history.history.loss).to.have.length(1);
    expect(history.history.loss[0]).to.be.NaN;
    expect(calls).to.equal(3);
    expect(weights(model)).to.deep.equal(afterGoodStep);
    expect(model.parameters().every((p) => p.grad === null)).to.equal(true);
  });

  it("shuffles reproducibly from the seed, a new permutation each epoch", () => {
    const n = 10;
    const data = {
      x: tensor(
        Array.from({ length: n * 3 }, (_, i) => Math.floor(i / 3)),
        { shape: [n, 3], dtype: "float64" },
      ),
      y: Array.from({ length: n }, (_, i) => i),
    };
    const order = (opts: { seed?: number; shuffle?: boolean }) => {
      const seen: number[][] = [];
      const loss = (pred: Tensor, y: Labels) => {
        const labels = Array.from(y as number[]);
        seen.push(labels);
        return pred.sum().mul(0);
      };
      fit(linear(), data, { optimizer: new SGD(), loss, epochs: 2, batchSize: 4, ...opts, ...quiet });
      return seen;
    };
    const a = order({ seed: 7 });
    expect(order({ seed: 7 })).to.deep.equal(a);
    expect(order({ seed: 8 })).to.not.deep.equal(a);
    const epoch1 = a.slice(0, 3).flat();
    const epoch2 = a.slice(3).flat();
    expect([...epoch1].sort((p, q) => p - q)).to.deep.equal(data.y);
    expect([...epoch2].sort((p, q) => p - q)).to.deep.equal(data.y);
    expect(epoch1).to.not.deep.equal(epoch2);
    expect(order({ shuffle: false }).flat()).to.deep.equal([...data.y, ...data.y]);
    expect(a.map((b) => b.length)).to.deep.equal([4, 4, 2, 4, 4, 2]);
  });

  it("keeps x rows and labels together when shuffling", () => {
    const n = 9;
    const data = {
      x: tensor(
        Array.from({ length: n * 3 }, (_, i) => Math.floor(i / 3) * 10 + (i % 3)),
        { shape: [n, 3], dtype: "float64" },
      ),
      y: Int32Array.from({ length: n }, (_, i) => i),
    };
    let checked = 0;
    const model = linear();
    const loss = (pred: Tensor, y: Labels) => {
      const labels = y as Int32Array;
      expect(labels).to.be.instanceOf(Int32Array);
      const p = model.call(lastX!);
      expect(p.shape).to.deep.equal(pred.shape);
      const xv = lastX!.values;
      labels.forEach((label, r) => {
        expect(Array.from(xv.slice(3 * r, 3 * r + 3))).to.deep.equal([label * 10, label * 10 + 1, label * 10 + 2]);
        checked++;
      });
      return pred.sum().mul(0);
    };
    let lastX: Tensor | null = null;
    const spy = { forward: model.forward.bind(model) };
    model.forward = (x: Tensor) => ((lastX = x), spy.forward(x));
    fit(model, data, { optimizer: new SGD(), loss, epochs: 2, batchSize: 4, seed: 3, ...quiet });
    expect(checked).to.equal(2 * n);
  });

  it("trains from an iterable of batches", () => {
    const data = regression(12);
    const batches = [0, 1, 2].map((b) => ({
      x: tensor(Array.from(data.x.values.slice(12 * b, 12 * b + 12)), { shape: [4, 3], dtype: "float64" }),
      y: tensor(Array.from(data.y.values.slice(4 * b, 4 * b + 4)), { shape: [4, 1], dtype: "float64" }),
    }));
    const a = linear();
    const b = linear();
    const ha = fit(a, batches, { optimizer: new SGD({ learningRate: 0.1 }), loss: "mse", epochs: 2, ...quiet });
    const hb = fit(b, data, { optimizer: new SGD({ learningRate: 0.1 }), loss: "mse", epochs: 2, batchSize: 4, shuffle: false, ...quiet });
    expect(ha.history.loss).to.deep.equal(hb.history.loss);
    expect(weights(a)).to.deep.equal(weights(b));
    function* once() {
      yield* batches;
    }
    expect(() => fit(linear(), once(), { optimizer: new SGD(), loss: "mse", epochs: 2, ...quiet })).to.throw(/no batches in epoch 2.*one-shot iterator/);
  });

  it("works with a real Adam and an mse target of shape [N] against a [N, 1] prediction", () => {
    const data = regression(32);
    const y = Array.from(data.y.values);
    const model = linear();
    const h = fit(model, { x: data.x, y }, { optimizer: new Adam({ learningRate: 0.05 }), loss: "mse", epochs: 15, batchSize: 8, seed: 0, ...quiet });
    expect(h.history.loss[14]).to.be.below(h.history.loss[0] / 4);
  });

  it("validates its options with clear messages", () => {
    const data = regression(4);
    const base = { optimizer: new SGD(), loss: "mse" as const, epochs: 1, batchSize: 2, ...quiet };
    expect(() => fit(linear(), data, { ...base, loss: "hinge" as never })).to.throw(/loss must be a function .* got "hinge"/);
    expect(() => fit(linear(), data, { ...base, epochs: 1.5 })).to.throw(/epochs must be an integer >= 0, got 1.5/);
    expect(() => fit(linear(), data, { ...base, batchSize: 0 })).to.throw(/batchSize must be a positive integer, got 0/);
    expect(() => fit(linear(), data, { ...base, optimizer: {} as never })).to.throw(/optimizer must be an optimizer/);
    expect(() => fit(linear(), data, { ...base, verbose: 3 as never })).to.throw(/verbose must be 0, 1 or 2, got 3/);
    expect(() => fit(linear(), data, { ...base, metrics: ["f1" as never] })).to.throw(/unknown metric "f1"/);
    expect(() => fit(linear(), { x: data.x, y: [1, 2, 3] }, base)).to.throw(/x has 4 samples .* but y has 3/);
    expect(() => fit(linear(), data, { ...base, loss: (p: Tensor) => p })).to.throw(/one-element Tensor .* shape \[2,1\]/);
  });
});

describe("fit progress output", () => {
  it("draws a bar with \\r redraws on a TTY at verbose 1", () => {
    const out = new FakeOutput(true);
    fit(mlp(), classification(40), {
      optimizer: new SGD(),
      loss: "crossEntropy",
      epochs: 2,
      batchSize: 4,
      metrics: ["accuracy"],
      verbose: 1,
      output: out,
      now: fakeClock(30),
      validationData: classification(8, 2),
    });
    expect(out.text).to.contain("\rEpoch 1/2");
    expect(out.text).to.match(/Epoch 1\/2 {2}\s*\d+\/10 \[=+>\.+\] \d+% loss \d\.\d{4} acc \d\.\d{4} {2}[\d,]+ samples\/s {2}ETA \d+s/);
    expect(out.text).to.match(/Epoch 2\/2 {2}10\/10 \[={30}\] \d+s loss \d\.\d{4} acc \d\.\d{4} val_loss \d\.\d{4} val_acc \d\.\d{4}\n$/);
    // Throttled: 30 ms per clock read, redraw at most every 100 ms → far fewer than one per batch.
    const draws = out.text.split("\r").length - 1;
    expect(draws).to.be.below(2 * 10);
    expect(out.text.split("\n").filter((l) => l !== "")).to.have.length(2);
  });

  it("prints one plain line per epoch when the output is not a terminal", () => {
    for (const [isTTY, verbose] of [
      [false, 1],
      [true, 2],
    ] as const) {
      const out = new FakeOutput(isTTY);
      fit(mlp(), classification(20), {
        optimizer: new SGD(),
        loss: "crossEntropy",
        epochs: 3,
        batchSize: 8,
        metrics: ["accuracy"],
        verbose,
        output: out,
        validationData: classification(6, 2),
      });
      const lines = out.text.split("\n").filter((l) => l !== "");
      expect(lines).to.have.length(3);
      expect(out.text).to.not.contain("\r");
      lines.forEach((l, i) =>
        expect(l).to.match(
          new RegExp(
            `^Epoch ${i + 1}/3 - 3 steps - \\d+\\.\\ds - loss \\d\\.\\d{4} - accuracy \\d\\.\\d{4} - val_loss \\d\\.\\d{4} - val_accuracy \\d\\.\\d{4}$`,
          ),
        ),
      );
    }
  });

  it("is silent at verbose 0", () => {
    const out = new FakeOutput(true);
    fit(linear(), regression(8), { optimizer: new SGD(), loss: "mse", epochs: 2, batchSize: 4, verbose: 0, output: out });
    expect(out.text).to.equal("");
  });
});
