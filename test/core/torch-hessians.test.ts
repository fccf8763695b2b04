/**
 * Hessians and Hessian-vector products against PyTorch (`test/fixtures/torch-hessians.json`,
 * written by `test/fixtures/gen_torch_hessians.py`; PyTorch is not needed here), in float64:
 * elementwise ops, broadcasting, reductions, matmul, softmax and logSoftmax, LayerNorm, the
 * cross-entropies, two 2-layer MLPs, conv2d on each of its kernels, both pools (max with ties),
 * batch norm's training op and two small CNNs. Each function below is the generator's, by name.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as nd from "../../core";
import * as nn from "../../nn";
import { losses } from "../../nn";
import { batchNorm2dTrain } from "../../core/ops/batchnorm";

type Tensor = nd.Tensor;
interface Blob {
  shape: number[];
  values: number[];
}
interface Case {
  name: string;
  x: Blob;
  consts: Record<string, Blob>;
  labels?: number[];
  value: number;
  hessian: Blob;
  v: Blob;
  hvp: Blob;
}
const fixtures: { tolerance: { atol: number; rtol: number }; cases: Case[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "fixtures", "torch-hessians.json"), "utf8"),
);

const t64 = (b: Blob): Tensor => new nd.Tensor(Float64Array.from(b.values), b.shape);

type Fn = (x: Tensor, c: Record<string, Tensor>, labels: number[]) => Tensor;
const FUNCTIONS: Record<string, Fn> = {
  "tanh times x": (x) => x.tanh().mul(x).sum(),
  "sigmoid times softplus": (x) => nd.sigmoid(x).mul(nd.softplus(x)).sum(),
  "exp log sqrt": (x) =>
    nd
      .exp(x.div(3))
      .mul(nd.log(x.mul(x).add(1)))
      .add(nd.sqrt(x.mul(x).add(1)))
      .sum(),
  "gelu squared": (x) => nd.gelu(x).pow(2).sum(),
  "gelu tanh squared": (x) => nd.gelu(x, { approximate: "tanh" }).pow(2).sum(),
  "pow and div": (x) => x.pow(3).div(x.mul(x).add(1)).sum(),
  "broadcast mul and mean": (x, c) => x.mul(c.b).pow(2).mean(),
  "logsumexp and max": (x) =>
    nd
      .logsumexp(x, { axis: 1 })
      .sum()
      .add(nd.max(x, { axis: 0 }).pow(2).sum()),
  "matmul tanh": (x, c) => nd.matmul(c.a, x).tanh().sum(),
  "matmul both sides": (x) => nd.matmul(x, x).pow(2).sum(),
  "softmax weighted": (x, c) => nd.softmax(x).mul(c.w).sum(),
  "logSoftmax weighted": (x, c) => nd.logSoftmax(x).mul(c.w).sum(),
  "layerNorm weighted": (x, c) => {
    const ln = new nn.LayerNorm(4, { dtype: "float64" });
    ln.weight!.values.set(c.g.values);
    ln.bias!.values.set(c.b.values);
    return ln.forward(x).mul(c.w).sum();
  },
  crossEntropy: (x, _c, y) => losses.crossEntropy(x, y),
  "binaryCrossEntropy logits": (x, c) => losses.binaryCrossEntropy(x, nd.sigmoid(c.t), { fromLogits: true }),
  "binaryCrossEntropy probs": (x, c) => losses.binaryCrossEntropy(nd.sigmoid(x), nd.sigmoid(c.t)),
  "mlp tanh crossEntropy wrt W1": (w1, c, y) => losses.crossEntropy(nd.linear(nd.linear(c.x, w1, c.b1).tanh(), c.w2, c.b2), y),
  "mlp relu mse wrt W2": (w2, c) =>
    nd
      .matmul(nd.relu(nd.matmul(c.x, nd.transpose(c.w1))), nd.transpose(w2))
      .sub(c.t)
      .pow(2)
      .mean(),
  "conv2d direct wrt input": (x, c) => nd.conv2d(x, c.w, c.b, { padding: 1 }).tanh().mul(c.m).sum(),
  "conv2d gemm wrt weight": (w, c) =>
    nd
      .sigmoid(nd.conv2d(c.x, w, null, { stride: 2, padding: [1, 0] }))
      .mul(c.m)
      .sum(),
  "conv2d 1x1 wrt input": (x, c) => nd.conv2d(x, c.w, c.b).pow(3).sum(),
  "maxPool2d weighted squares": (x, c) => nd.maxPool2d(x, 2).pow(2).mul(c.m).sum(),
  "maxPool2d ties overlapping": (x, c) => nd.maxPool2d(x, 2, { stride: 1 }).tanh().mul(c.m).sum(),
  "avgPool2d tanh": (x, c) =>
    nd
      .avgPool2d(x, [2, 3], { stride: [1, 2] })
      .tanh()
      .mul(c.m)
      .sum(),
  "batchNorm2d training wrt input": (x, c) => batchNorm(x, c.g, c.b).tanh().mul(c.m).sum(),
  "batchNorm2d training wrt weight": (g, c) => batchNorm(c.x, g, c.b).tanh().mul(c.m).sum(),
  "cnn maxPool crossEntropy wrt conv weight": (w1, c, y) =>
    losses.crossEntropy(nd.linear(nd.flatten(nd.maxPool2d(nd.relu(nd.conv2d(c.x, w1, c.b1, { padding: 1 })), 2), 1), c.w2, c.b2), y),
  "cnn avgPool crossEntropy wrt input": (x, c, y) =>
    losses.crossEntropy(nd.linear(nd.flatten(nd.avgPool2d(nd.tanh(nd.conv2d(x, c.w1, c.b1, { padding: 1 })), 2), 1), c.w2, c.b2), y),
};

/** Batch norm's training op (what nn.BatchNorm2d runs in train mode) with scale g and shift b, as F.batch_norm(training=True). */
function batchNorm(x: Tensor, g: Tensor, b: Tensor): Tensor {
  return batchNorm2dTrain(x, g, b, 1e-5).out;
}

function expectClose(actual: Tensor, expected: Blob, what: string): void {
  const { atol, rtol } = fixtures.tolerance;
  expect(actual.shape, `${what} shape`).to.deep.equal(expected.shape);
  expected.values.forEach((e, i) => {
    const a = actual.values[i];
    expect(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${a} vs PyTorch ${e}`).to.equal(true);
  });
}

describe("Hessians and HVPs against PyTorch (float64)", () => {
  it("covers every function of the generator", () => {
    expect(fixtures.cases.map((c) => c.name)).to.have.members(Object.keys(FUNCTIONS));
  });
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const consts: Record<string, Tensor> = {};
      for (const [k, b] of Object.entries(c.consts)) consts[k] = t64(b);
      const f = (x: Tensor) => FUNCTIONS[c.name](x, consts, c.labels ?? []);
      const x = t64(c.x);
      expect(Math.abs(f(x).item() - c.value)).to.be.lessThan(1e-10);
      expectClose(nd.hessian(f)(x), c.hessian, "hessian");
      expectClose(nd.hvp(f)(x, t64(c.v)), c.hvp, "hvp");
    });
  }
});
