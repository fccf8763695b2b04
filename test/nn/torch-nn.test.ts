/**
 * nn layers and losses against PyTorch (test/fixtures/torch-nn.json, written by
 * test/fixtures/gen_torch_nn_fixtures.py; see its header). References are torch float64 results
 * from float32-exact inputs; ndgrad is checked in float32 (atol = rtol = 1e-5) and in float64
 * (1e-9): output, input gradient, every parameter gradient, and BatchNorm's running statistics.
 */
import { expect } from "chai";
import { Tensor } from "../../core";
import { DType } from "../../core/dtype";
import * as nn from "../../nn";
import { Blob, expectClose, fromBlob, loadFixtures } from "./nn-fixtures";

interface LayerCase {
  layer: string;
  label: string;
  args: Record<string, any>;
  training: boolean;
  input: Blob;
  state: Record<string, Blob>;
  output: Blob;
  gradOutput: Blob;
  inputGrad: Blob;
  paramGrads: Record<string, Blob>;
  stateAfter?: Record<string, Blob>;
}
interface LossCase {
  loss: "crossEntropy" | "mse" | "binaryCrossEntropy";
  label: string;
  args: { reduction: nn.Reduction; fromLogits?: boolean };
  input: Blob;
  target: Blob;
  output: Blob;
  gradOutput: Blob;
  inputGrad: Blob;
  /** float64 tolerance when 1e-9 cannot hold (the generator says why). */
  tol64?: number;
}
interface Fixtures {
  layers: LayerCase[];
  losses: LossCase[];
}

const fixtures = loadFixtures<Fixtures>();

function build(c: LayerCase, dtype: DType): nn.Module {
  const a = c.args;
  switch (c.layer) {
    case "Linear":
      return new nn.Linear(a.inFeatures, a.outFeatures, { bias: a.bias, dtype });
    case "Conv2d":
      return new nn.Conv2d(a.inChannels, a.outChannels, a.kernelSize, { stride: a.stride, padding: a.padding, bias: a.bias, dtype });
    case "MaxPool2d":
      return new nn.MaxPool2d(a.k, { stride: a.stride });
    case "AvgPool2d":
      return new nn.AvgPool2d(a.k, { stride: a.stride });
    case "BatchNorm2d":
      return new nn.BatchNorm2d(a.numFeatures, { eps: a.eps, momentum: a.momentum, dtype });
    case "LayerNorm":
      return new nn.LayerNorm(a.features, { eps: a.eps, dtype });
    case "GELU":
      return new nn.GELU({ approximate: a.approximate });
    default:
      throw new Error(`unknown layer ${c.layer}`);
  }
}

const precisions: [DType, number][] = [
  ["float32", 1e-5],
  ["float64", 1e-9],
];

describe("nn layers vs PyTorch", () => {
  for (const c of fixtures.layers) {
    for (const [dtype, tol] of precisions) {
      it(`${c.layer} (${c.label}, ${c.training ? "train" : "eval"}) ${dtype}`, () => {
        const m = build(c, dtype);
        m.train(c.training);
        const state: Record<string, Tensor> = {};
        for (const [k, b] of Object.entries(c.state)) state[k] = fromBlob(b, dtype);
        m.loadStateDict(state, { strict: false });
        const x = fromBlob(c.input, dtype, true);
        const y = m.call(x);
        expectClose(y, c.output, "output", tol, tol);
        y.backward(fromBlob(c.gradOutput, dtype));
        expectClose(x.grad, c.inputGrad, "input grad", tol, tol);
        const params = Object.fromEntries(m.namedParameters());
        expect(Object.keys(params).sort()).to.deep.equal(Object.keys(c.paramGrads).sort());
        for (const [k, g] of Object.entries(c.paramGrads)) expectClose(params[k].grad, g, `${k} grad`, tol, tol);
        const sd = m.stateDict();
        for (const [k, b] of Object.entries(c.stateAfter ?? {})) expectClose(sd[k], b, `${k} after the call`, tol, tol);
      });
    }
  }
});

describe("nn.losses vs PyTorch", () => {
  for (const c of fixtures.losses) {
    for (const [dtype, defaultTol] of precisions) {
      const tol = dtype === "float64" && c.tol64 !== undefined ? c.tol64 : defaultTol;
      it(`${c.loss} (${c.label}) ${dtype}`, () => {
        const x = fromBlob(c.input, dtype, true);
        let out: Tensor;
        if (c.loss === "crossEntropy") {
          const labels = c.target.shape.length === 1 ? c.target.values : fromBlob(c.target, dtype);
          out = nn.losses.crossEntropy(x, labels, { reduction: c.args.reduction });
        } else if (c.loss === "mse") {
          out = nn.losses.mse(x, fromBlob(c.target, dtype), { reduction: c.args.reduction });
        } else {
          out = nn.losses.binaryCrossEntropy(x, fromBlob(c.target, dtype), c.args);
        }
        expectClose(out, c.output, "loss", tol, tol);
        out.backward(fromBlob(c.gradOutput, dtype));
        expectClose(x.grad, c.inputGrad, "input grad", tol, tol);
      });
    }
  }
});
