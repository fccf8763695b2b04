/** Layer construction, defaults, validation messages, modes and state dicts; nn.init. */
import { expect } from "chai";
import { Tensor, ones, randn, tensor, zeros } from "../../core";
import * as nn from "../../nn";

const maxAbs = (t: Tensor) => Array.from(t.values).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe("nn layers: construction and defaults", () => {
  it("Linear: PyTorch layout, names and U(-1/sqrt(in), 1/sqrt(in)) init", () => {
    const fc = new nn.Linear(16, 5, { seed: 1 });
    expect(fc.weight.shape).to.deep.equal([5, 16]);
    expect(fc.namedParameters().map(([n]) => n)).to.deep.equal(["weight", "bias"]);
    expect(maxAbs(fc.weight)).to.be.at.most(0.25).and.above(0.2);
    expect(maxAbs(fc.bias!)).to.be.at.most(0.25);
    expect(new nn.Linear(16, 5, { bias: false }).namedParameters().map(([n]) => n)).to.deep.equal(["weight"]);
    expect(fc.call(randn([3, 16])).shape).to.deep.equal([3, 5]);
    expect(fc.call(randn([2, 3, 16])).shape).to.deep.equal([2, 3, 5]);
  });

  it("seed makes initialisation reproducible; dtype is honoured", () => {
    const a = new nn.Conv2d(3, 4, 3, { seed: 42 });
    const b = new nn.Conv2d(3, 4, 3, { seed: 42 });
    const c = new nn.Conv2d(3, 4, 3, { seed: 43 });
    expect(Array.from(a.weight.values)).to.deep.equal(Array.from(b.weight.values));
    expect(Array.from(a.bias!.values)).to.deep.equal(Array.from(b.bias!.values));
    expect(Array.from(a.weight.values)).to.not.deep.equal(Array.from(c.weight.values));
    expect(maxAbs(a.weight)).to.be.at.most(1 / Math.sqrt(27));
    const d = new nn.Linear(2, 2, { dtype: "float64", seed: 1 });
    expect(d.weight.dtype).to.equal("float64");
    expect(d.call(randn([1, 2], { dtype: "float64" })).dtype).to.equal("float64");
  });

  it("Conv2d, pools and Flatten shapes", () => {
    const x = randn([2, 3, 9, 8]);
    expect(new nn.Conv2d(3, 6, 3, { stride: 2, padding: 1 }).call(x).shape).to.deep.equal([2, 6, 5, 4]);
    expect(new nn.Conv2d(3, 6, [3, 1], { stride: [1, 2] }).call(x).shape).to.deep.equal([2, 6, 7, 4]);
    expect(new nn.MaxPool2d(2).call(x).shape).to.deep.equal([2, 3, 4, 4]);
    expect(new nn.AvgPool2d(3, { stride: 1 }).call(x).shape).to.deep.equal([2, 3, 7, 6]);
    expect(new nn.Flatten().call(x).shape).to.deep.equal([2, 216]);
    expect(new nn.Flatten().call(zeros([4])).shape).to.deep.equal([4, 1]);
  });

  it("Sequential names children 0, 1, ... and add() appends", () => {
    const m = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.BatchNorm2d(3));
    m.add(new nn.Linear(3, 1));
    expect(m.length).to.equal(4);
    expect(m.at(-1)).to.be.instanceOf(nn.Linear);
    expect(Object.keys(m.stateDict())).to.deep.equal([
      "0.weight",
      "0.bias",
      "2.weight",
      "2.bias",
      "2.running_mean",
      "2.running_var",
      "2.num_batches_tracked",
      "3.weight",
      "3.bias",
    ]); // PyTorch's state_dict order
    expect(() => m.add({} as nn.Module)).to.throw(/Sequential: every entry must be a Module/);
    const mlp = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 3));
    expect(mlp.call(randn([5, 2])).shape).to.deep.equal([5, 3]);
  });

  it("train()/eval() propagate; Dropout is the identity in eval and seeded in training", () => {
    const m = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5, { seed: 1 }));
    m.eval();
    expect((m.at(1) as nn.Dropout).training).to.equal(false);
    const x = ones([1000]);
    expect(new nn.Dropout(0.5).eval().call(x)).to.equal(x);
    const d1 = new nn.Dropout(0.5, { seed: 7 });
    const d2 = new nn.Dropout(0.5, { seed: 7 });
    const a = d1.call(x);
    const b = d2.call(x);
    expect(Array.from(a.values)).to.deep.equal(Array.from(b.values));
    expect(Array.from(d1.call(x).values)).to.not.deep.equal(Array.from(a.values)); // a new mask per call
    const kept = a.values.filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).to.equal(true);
    expect(kept.length).to.be.within(430, 570);
  });

  it("BatchNorm2d: buffers, num_batches_tracked, eval uses running stats", () => {
    const bn = new nn.BatchNorm2d(2);
    expect(bn.namedBuffers().map(([n]) => n)).to.deep.equal(["running_mean", "running_var", "num_batches_tracked"]);
    const x = randn([4, 2, 3, 3], { seed: 2 }).mul(3).add(1);
    bn.call(x);
    bn.call(x);
    expect(bn.num_batches_tracked.item()).to.equal(2);
    expect(bn.running_mean.values[0]).to.be.closeTo(0.19 * x.slice([0, 0, 0, 0], [4, 1, 3, 3]).mean().item(), 1e-5);
    bn.eval();
    const before = Array.from(bn.running_mean.values);
    const y = bn.call(x);
    expect(Array.from(bn.running_mean.values)).to.deep.equal(before);
    expect(bn.num_batches_tracked.item()).to.equal(2);
    expect(y.shape).to.deep.equal([4, 2, 3, 3]);
  });

  it("LayerNorm normalises the trailing axes", () => {
    const y = new nn.LayerNorm(8).call(randn([3, 8]).mul(5).add(2));
    for (let r = 0; r < 3; r++) {
      const row = Array.from(y.values.slice(r * 8, r * 8 + 8));
      const mean = row.reduce((s, v) => s + v, 0) / 8;
      expect(mean).to.be.closeTo(0, 1e-5);
      expect(row.reduce((s, v) => s + (v - mean) ** 2, 0) / 8).to.be.closeTo(1, 1e-3);
    }
  });
});

describe("nn layers: validation errors", () => {
  it("bad constructor arguments", () => {
    expect(() => new nn.Linear(0, 3)).to.throw("Linear: inFeatures must be a positive integer, got 0");
    expect(() => new nn.Linear(2.5, 3)).to.throw(/Linear: inFeatures must be a positive integer, got 2.5/);
    expect(() => new nn.Linear(2, 3, { dtype: "int8" as never })).to.throw(/Linear: dtype must be "float32" or "float64"/);
    expect(() => new nn.Conv2d(3, 8, 0)).to.throw(/Conv2d: kernelSize must be a positive integer or \[h, w\]/);
    expect(() => new nn.Conv2d(3, 8, 3, { padding: -1 })).to.throw(/Conv2d: padding must be a non-negative integer/);
    expect(() => new nn.MaxPool2d(2, { stride: 0 })).to.throw(/MaxPool2d: stride must be a positive integer/);
    expect(() => new nn.Dropout(1.5)).to.throw("Dropout: p must be in [0, 1], got 1.5");
    expect(() => new nn.BatchNorm2d(3, { momentum: 2 })).to.throw(/BatchNorm2d: momentum must be in \[0, 1\], got 2/);
    expect(() => new nn.LayerNorm([])).to.throw(/LayerNorm: features must be a positive integer or a non-empty array/);
    expect(() => new nn.GELU({ approximate: "fast" as never })).to.throw(/GELU: approximate must be "none" or "tanh"/);
  });

  it("bad inputs name the layer, the expectation and the shape", () => {
    expect(() => new nn.Linear(4, 2).call(zeros([2, 3]))).to.throw("Linear: expected input with last dim 4, got shape [2,3]");
    expect(() => new nn.Conv2d(3, 2, 3).call(zeros([1, 2, 5, 5]))).to.throw("Conv2d: expected 4-D NCHW input with 3 channels, got [1,2,5,5]");
    expect(() => new nn.Conv2d(3, 2, 3).call(zeros([3, 5, 5]))).to.throw("Conv2d: expected 4-D NCHW input with 3 channels, got [3,5,5]");
    expect(() => new nn.Conv2d(1, 2, 5).call(zeros([1, 1, 3, 3]))).to.throw(
      /Conv2d: input \[1,1,3,3\] with padding \[0,0\] is smaller than the kernel \[5,5\]/,
    );
    expect(() => new nn.MaxPool2d(3).call(zeros([1, 1, 2, 2]))).to.throw(/MaxPool2d: expected 4-D NCHW input at least 3x3/);
    expect(() => new nn.BatchNorm2d(3).call(zeros([2, 4, 2, 2]))).to.throw("BatchNorm2d: expected 4-D NCHW input with 3 channels, got [2,4,2,2]");
    expect(() => new nn.BatchNorm2d(3).call(zeros([1, 3, 1, 1]))).to.throw(/more than 1 value per channel when training/);
    expect(() => new nn.LayerNorm([2, 3]).call(zeros([2, 3, 2]))).to.throw("LayerNorm: expected input ending in [2,3], got [2,3,2]");
    expect(() => new nn.Linear(2, 2).call(zeros([1, 2], { dtype: "float64" }))).to.throw(
      /Linear: input is float64 \[1,2\] but the layer's parameters are float32/,
    );
    expect(() => new nn.ReLU().call([1, 2] as never)).to.throw("ReLU: input must be a Tensor, got [1,2]");
  });

  it("loadStateDict is strict and leaves the model unchanged on error", () => {
    const m = new nn.Sequential(new nn.Linear(2, 3, { seed: 1 }), new nn.ReLU(), new nn.Linear(3, 1, { seed: 2 }));
    const before = Array.from(m.parameters()[0].values);
    const other = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 2));
    expect(() => m.loadStateDict(other.stateDict())).to.throw(/"2.weight" has shape \[2,3\] in the state dict but \[1,3\] in the model/);
    const sd = { ...other.stateDict(), extra: zeros([1]) };
    delete (sd as Record<string, Tensor>)["2.bias"];
    expect(() => m.loadStateDict(sd)).to.throw(/missing keys \[2.bias\], unexpected keys \[extra\]/);
    expect(Array.from(m.parameters()[0].values)).to.deep.equal(before);
  });
});

describe("nn.init", () => {
  it("fans follow the PyTorch layouts", () => {
    expect(nn.init.computeFans([5, 16])).to.deep.equal([16, 5]);
    expect(nn.init.computeFans([8, 3, 3, 3])).to.deep.equal([27, 72]);
    expect(nn.init.computeFans([7])).to.deep.equal([7, 7]);
  });

  it("bounds and spreads match the formulas; seeds reproduce", () => {
    const gu = nn.init.glorotUniform([200, 100], { seed: 1 });
    expect(maxAbs(gu))
      .to.be.at.most(Math.sqrt(6 / 300))
      .and.above(0.95 * Math.sqrt(6 / 300));
    const hu = nn.init.heUniform([64, 4, 3, 3], { seed: 1 });
    expect(maxAbs(hu)).to.be.at.most(Math.sqrt(6 / 36));
    const std = (t: Tensor) => Math.sqrt(Array.from(t.values).reduce((s, v) => s + v * v, 0) / t.size);
    expect(std(nn.init.glorotNormal([300, 200], { seed: 2 }))).to.be.closeTo(Math.sqrt(2 / 500), 0.002);
    expect(std(nn.init.heNormal([300, 200], { seed: 3 }))).to.be.closeTo(Math.sqrt(2 / 200), 0.003);
    expect(Array.from(nn.init.heNormal([4], { seed: 5 }).values)).to.deep.equal(Array.from(nn.init.heNormal([4], { seed: 5 }).values));
    expect(nn.init.zeros([2, 2], { dtype: "float64" }).dtype).to.equal("float64");
    expect(Array.from(nn.init.ones([3]).values)).to.deep.equal([1, 1, 1]);
    expect(() => nn.init.heUniform([3, 0])).to.throw(/init.heUniform: shape \[3,0\] has a zero fan/);
    expect(() => nn.init.zeros([-1])).to.throw(/init.zeros: shape must be an array of non-negative integers/);
  });
});

describe("nn.losses: validation", () => {
  const logits = tensor([
    [1, 2, 3],
    [0, 0, 0],
  ]);
  it("crossEntropy rejects bad labels naming the label and the range", () => {
    expect(() => nn.losses.crossEntropy(logits, [0, 3])).to.throw("crossEntropy: label 3 at index 1 is not an integer class in [0, 2] (logits [2,3])");
    expect(() => nn.losses.crossEntropy(logits, [0.5, 1])).to.throw(/label 0.5 at index 0 is not an integer class in \[0, 2\]/);
    expect(() => nn.losses.crossEntropy(logits, [-1, 1])).to.throw(/label -1 at index 0/);
    expect(() => nn.losses.crossEntropy(logits, [0])).to.throw("crossEntropy: got 1 labels for 2 rows of logits [2,3]");
    expect(() => nn.losses.crossEntropy(tensor([1, 2]), [0])).to.throw(/crossEntropy: logits must be 2-D/);
    expect(() => nn.losses.crossEntropy(logits, [0, 1], { reduction: "avg" as never })).to.throw(/reduction must be "mean", "sum" or "none", got "avg"/);
    expect(nn.losses.crossEntropy(logits, Int32Array.from([2, 1]), { reduction: "none" }).shape).to.deep.equal([2]);
    expect(nn.losses.crossEntropy(logits, tensor([2, 1])).shape).to.deep.equal([]);
  });
  it("mse and binaryCrossEntropy reject shape mismatches and bad probabilities", () => {
    expect(() => nn.losses.mse(zeros([2, 3]), zeros([3, 2]))).to.throw("mse: prediction [2,3] and target [3,2] must have the same shape");
    expect(() => nn.losses.binaryCrossEntropy(zeros([2]), zeros([2, 1]))).to.throw(/binaryCrossEntropy: prediction \[2\] and target \[2,1\]/);
    expect(() => nn.losses.binaryCrossEntropy(tensor([1.5]), tensor([1]))).to.throw(
      /probabilities must be in \[0, 1\], got 1.5 at index 0 \(pass \{ fromLogits: true \}/,
    );
    expect(nn.losses.binaryCrossEntropy(tensor([0, 1]), tensor([1, 0]), { reduction: "sum" }).item()).to.equal(200);
    expect(nn.losses.binaryCrossEntropy(tensor([-200, 200]), tensor([1, 0]), { fromLogits: true, reduction: "sum" }).item()).to.equal(400);
  });
});

describe("layers reject misspelled options", () => {
  // imported lazily so this block stands alone at the end of the file
  const nnm = require("../../nn") as typeof import("../../nn");
  const cases: [string, () => unknown, RegExp][] = [
    ["Linear", () => new nnm.Linear(2, 3, { biass: false } as never), /Linear: unknown option "biass" \(allowed: seed, dtype, bias\)/],
    ["Conv2d", () => new nnm.Conv2d(1, 2, 3, { strides: 2 } as never), /Conv2d: unknown option "strides"/],
    ["MaxPool2d", () => new nnm.MaxPool2d(2, { strides: 2 } as never), /MaxPool2d: unknown option "strides"/],
    ["BatchNorm2d", () => new nnm.BatchNorm2d(3, { epsilon: 1e-3 } as never), /BatchNorm2d: unknown option "epsilon"/],
    ["LayerNorm", () => new nnm.LayerNorm(3, { affine: false } as never), /LayerNorm: unknown option "affine"/],
    ["Dropout", () => new nnm.Dropout(0.5, { sed: 1 } as never), /Dropout: unknown option "sed"/],
  ];
  for (const [name, call, message] of cases) it(name, () => require("chai").expect(call).to.throw(message));
});
