/** fit's callbacks: call order, stopping, EarlyStopping, ModelCheckpoint and EMA evaluation. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tensor } from "../../core";
import { fit } from "../../nn/fit";
import { evaluate } from "../../nn/evaluate";
import { Callback, EarlyStopping, ModelCheckpoint, SwapEmaWeights, EmaEvaluation, TrainContext, formatPath } from "../../nn/callbacks";
import { loadWeights } from "../../nn/weights-file";
import * as nn from "../../nn";
import { SGD } from "../../optim";
import { FakeOutput, classification, linear, maxDiff, mlp, regression, weights } from "./train-helpers";

const quiet = { verbose: 0 as const, output: new FakeOutput(false) };

describe("fit callbacks", () => {
  it("are called in Keras order, onBatchEnd after the optimizer step", () => {
    const calls: string[] = [];
    let ctx: TrainContext | null = null;
    const opt = new SGD({ learningRate: 0.01 });
    const recorder: Callback = {
      setContext: (c) => {
        ctx = c;
        calls.push("setContext");
      },
      onTrainBegin: () => calls.push("trainBegin"),
      onEpochBegin: (e) => calls.push(`epochBegin ${e}`),
      onBatchBegin: (b, logs) => calls.push(`batchBegin ${b} size ${logs.size}`),
      onBatchEnd: (b, logs) => calls.push(`batchEnd ${b} iterations ${opt.iterations} size ${logs.size} loss ${typeof logs.loss}`),
      onTestBegin: () => calls.push("testBegin"),
      onTestEnd: (logs) => calls.push(`testEnd ${Object.keys(logs).join(",")}`),
      onEpochEnd: (e, logs) => calls.push(`epochEnd ${e} ${Object.keys(logs).join(",")}`),
      onTrainEnd: () => calls.push("trainEnd"),
    };
    const second: Callback = { onEpochEnd: (e) => calls.push(`second epochEnd ${e}`) };
    const model = mlp();
    fit(model, classification(6), {
      optimizer: opt,
      loss: "crossEntropy",
      epochs: 2,
      batchSize: 4,
      shuffle: false,
      metrics: ["accuracy"],
      validationData: classification(3, 4),
      callbacks: [recorder, second],
      ...quiet,
    });
    expect(calls).to.deep.equal([
      "setContext",
      "trainBegin",
      "epochBegin 0",
      "batchBegin 0 size 4",
      "batchEnd 0 iterations 1 size 4 loss number",
      "batchBegin 1 size 2",
      "batchEnd 1 iterations 2 size 2 loss number",
      "testBegin",
      "testEnd loss,accuracy",
      "epochEnd 0 loss,accuracy,val_loss,val_accuracy",
      "second epochEnd 0",
      "epochBegin 1",
      "batchBegin 0 size 4",
      "batchEnd 0 iterations 3 size 4 loss number",
      "batchBegin 1 size 2",
      "batchEnd 1 iterations 4 size 2 loss number",
      "testBegin",
      "testEnd loss,accuracy",
      "epochEnd 1 loss,accuracy,val_loss,val_accuracy",
      "second epochEnd 1",
      "trainEnd",
    ]);
    expect(ctx!.model).to.equal(model);
    expect(ctx!.params).to.have.length(4);
    expect(ctx!.steps).to.equal(2);
  });

  it("stop training through model.stopTraining (after the batch, the epoch still ends)", () => {
    const model = linear();
    const seen: string[] = [];
    const h = fit(model, regression(12), {
      optimizer: new SGD(),
      loss: "mse",
      epochs: 5,
      batchSize: 4,
      ...quiet,
      callbacks: [
        {
          onBatchEnd: (b) => {
            seen.push(`b${b}`);
            if (b === 1) model.stopTraining = true;
          },
          onEpochEnd: (e) => seen.push(`e${e}`),
        },
      ],
    });
    expect(seen).to.deep.equal(["b0", "b1", "e0"]);
    expect(h.history.loss).to.have.length(1);
    expect(h.stoppedReason).to.match(/stopped by a callback \(model.stopTraining\) after epoch 1/);
    // The flag is reset when fit starts again.
    const again = fit(model, regression(12), { optimizer: new SGD(), loss: "mse", epochs: 2, batchSize: 4, ...quiet });
    expect(again.history.loss).to.have.length(2);
  });

  it("EarlyStopping stops after `patience` epochs without improvement and restores the best weights", () => {
    // Validation targets are the negated training targets: val_loss rises from the first epoch on.
    const train = regression(16);
    const val = { x: train.x, y: train.y.neg() };
    const model = linear();
    const snapshots: Record<string, number[]>[] = [];
    const es = new EarlyStopping({ monitor: "val_loss", patience: 2, restoreBestWeights: true });
    const h = fit(model, train, {
      optimizer: new SGD({ learningRate: 0.05 }),
      loss: "mse",
      epochs: 20,
      batchSize: 4,
      shuffle: false,
      validationData: val,
      ...quiet,
      callbacks: [{ onEpochEnd: () => snapshots.push(weights(model)) }, es],
    });
    const vl = h.history.val_loss!;
    expect(vl[1]).to.be.above(vl[0]);
    expect(h.history.loss).to.have.length(3); // best at epoch 0, then 2 epochs of patience
    expect(es.stoppedEpoch).to.equal(2);
    expect(es.bestEpoch).to.equal(0);
    expect(h.stoppedReason).to.match(/EarlyStopping: val_loss did not improve for 2 epoch\(s\)/);
    expect(maxDiff(weights(model), snapshots[0])).to.equal(0);
    expect(maxDiff(snapshots[2], snapshots[0])).to.be.above(1e-3);
  });

  it("EarlyStopping with mode max on accuracy, minDelta and no restore", () => {
    const model = mlp();
    const es = new EarlyStopping({ monitor: "accuracy", minDelta: 2, patience: 1 });
    const h = fit(model, classification(8), {
      optimizer: new SGD(),
      loss: "crossEntropy",
      epochs: 10,
      batchSize: 4,
      metrics: ["accuracy"],
      ...quiet,
      callbacks: [es],
    });
    // Nothing improves by 2, so it stops at the first epoch > 0 where wait >= patience.
    expect(h.history.loss).to.have.length(2);
    expect(() => new EarlyStopping({ mode: "up" as never })).to.throw(/mode must be "auto", "min" or "max", got "up"/);
    expect(() => new EarlyStopping({ patience: -1 })).to.throw(/patience must be an integer >= 0, got -1/);
  });

  it("ModelCheckpoint formats the path and saves every epoch or only the best", () => {
    const saved: [string, number[]][] = [];
    const save = (m: nn.Module, p: string) => saved.push([p, Array.from(m.parameters()[0].values)]);
    const train = regression(8);
    const every = new ModelCheckpoint("ckpt-{epoch:02d}-{loss:.2f}.safetensors", { save, monitor: "loss" });
    fit(linear(), train, { optimizer: new SGD({ learningRate: 0.05 }), loss: "mse", epochs: 3, batchSize: 4, ...quiet, callbacks: [every] });
    expect(saved.map(([p]) => p)).to.have.length(3);
    saved.forEach(([p], i) => expect(p).to.match(new RegExp(`^ckpt-0${i + 1}-\\d+\\.\\d{2}\\.safetensors$`)));

    saved.length = 0;
    const val = { x: train.x, y: train.y.neg() }; // val_loss only gets worse: one save, epoch 1
    const best = new ModelCheckpoint("best.safetensors", { save, saveBestOnly: true });
    fit(linear(), train, {
      optimizer: new SGD({ learningRate: 0.05 }),
      loss: "mse",
      epochs: 3,
      batchSize: 4,
      validationData: val,
      ...quiet,
      callbacks: [best],
    });
    expect(saved.map(([p]) => p)).to.deep.equal(["best.safetensors"]);
    expect(() => formatPath("{nope}", 0, {})).to.throw(/uses \{nope\}, which is not in the logs/);
  });

  it("ModelCheckpoint writes safetensors with saveWeights by default", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-ckpt-"));
    try {
      const model = linear();
      fit(model, regression(8), {
        optimizer: new SGD(),
        loss: "mse",
        epochs: 2,
        batchSize: 4,
        ...quiet,
        callbacks: [new ModelCheckpoint(path.join(dir, "w{epoch}.safetensors"), { monitor: "loss" })],
      });
      expect(fs.readdirSync(dir).sort()).to.deep.equal(["w1.safetensors", "w2.safetensors"]);
      const copy = linear(99);
      loadWeights(copy, path.join(dir, "w2.safetensors"));
      expect(weights(copy)).to.deep.equal(weights(model));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("SwapEmaWeights evaluates validation with the EMA weights and swaps the raw ones back", () => {
    const train = regression(12);
    const val = regression(6, 21);
    const model = linear();
    const opt = new SGD({ learningRate: 0.1, useEma: true, emaMomentum: 0.8 });
    const params = model.parameters();
    const checks: { val: number; ema: number; raw: number; before: Record<string, number[]>; after?: Record<string, number[]> }[] = [];
    const probe: Callback = {
      onTestBegin: () => checks.push({ val: NaN, ema: NaN, raw: NaN, before: weights(model) }),
      onEpochEnd: (_e, logs) => {
        const c = checks[checks.length - 1];
        c.after = weights(model);
        c.val = logs.val_loss;
        c.ema = opt.withEmaWeights(params, () => evaluate(model, val, { loss: "mse" }).loss);
        c.raw = evaluate(model, val, { loss: "mse" }).loss;
      },
    };
    // probe first: its onTestBegin sees the raw weights, before the swap.
    fit(model, train, {
      optimizer: opt,
      loss: "mse",
      epochs: 3,
      batchSize: 4,
      shuffle: false,
      validationData: val,
      ...quiet,
      callbacks: [probe, new EmaEvaluation()],
    });
    expect(checks).to.have.length(3);
    for (const c of checks) {
      expect(c.val).to.be.closeTo(c.ema, 1e-12);
      expect(Math.abs(c.val - c.raw)).to.be.above(1e-6);
      expect(c.after).to.deep.equal(c.before); // swapped back out
    }
    expect(() => fit(linear(), train, { optimizer: new SGD(), loss: "mse", epochs: 1, ...quiet, callbacks: [new SwapEmaWeights()] })).to.throw(/useEma: true/);
  });

  it("are exported from nn as nn.callbacks, with fit/evaluate/predict/History", () => {
    expect(nn.callbacks.EarlyStopping).to.equal(EarlyStopping);
    expect(nn.callbacks.ModelCheckpoint).to.equal(ModelCheckpoint);
    expect(nn.callbacks.SwapEmaWeights).to.equal(SwapEmaWeights);
    expect(typeof nn.fit).to.equal("function");
    expect(typeof nn.evaluate).to.equal("function");
    expect(typeof nn.predict).to.equal("function");
    const h = nn.fit(linear(), regression(4), { optimizer: new SGD(), loss: "mse", epochs: 1, batchSize: 2, ...quiet });
    expect(h).to.be.instanceOf(nn.History);
    expect(tensor([1]).size).to.equal(1);
  });
});
