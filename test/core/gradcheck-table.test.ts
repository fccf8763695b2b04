/**
 * The op table: every differentiable op, with broadcasting cases, through `gradCheck` in float64
 * (tinygrad's helper_test_op + minitorch's MathTest, with finite differences as the oracle).
 */
import { expect } from "chai";
import * as nd from "../../core";
import { Tensor } from "../../core";

interface Case {
  name: string;
  f: (...xs: Tensor[]) => Tensor;
  shapes: number[][];
  /** maps a standard normal sample into the op's domain */
  domain?: (v: number) => number;
}

const positive = (v: number) => Math.abs(v) + 0.5;
const awayFromZero = (v: number) => (v >= 0 ? v + 0.1 : v - 0.1);

const cases: Case[] = [
  // unary
  { name: "neg", f: (x) => nd.neg(x), shapes: [[3, 4]] },
  { name: "exp", f: (x) => nd.exp(x), shapes: [[3, 4]] },
  { name: "log", f: (x) => nd.log(x), shapes: [[3, 4]], domain: positive },
  { name: "sqrt", f: (x) => nd.sqrt(x), shapes: [[5]], domain: positive },
  { name: "abs", f: (x) => nd.abs(x), shapes: [[2, 3]], domain: awayFromZero },
  { name: "square", f: (x) => nd.square(x), shapes: [[2, 3]] },
  { name: "tanh", f: (x) => nd.tanh(x), shapes: [[2, 3]] },
  { name: "sigmoid", f: (x) => nd.sigmoid(x), shapes: [[2, 3]] },
  { name: "relu", f: (x) => nd.relu(x), shapes: [[2, 3]], domain: awayFromZero },
  { name: "softplus", f: (x) => nd.softplus(x), shapes: [[2, 3]] },
  { name: "gelu", f: (x) => nd.gelu(x), shapes: [[2, 3]] },
  { name: "gelu tanh", f: (x) => nd.gelu(x, { approximate: "tanh" }), shapes: [[2, 3]] },
  { name: "clip", f: (x) => nd.clip(x, -0.5, 0.7), shapes: [[4, 3]], domain: (v) => (Math.abs(v - 0.7) < 0.05 || Math.abs(v + 0.5) < 0.05 ? v + 0.2 : v) },
  // binary, same shape and broadcast
  { name: "add", f: (a, b) => nd.add(a, b), shapes: [[2, 3], [2, 3]] },
  { name: "add broadcast row", f: (a, b) => nd.add(a, b), shapes: [[2, 3], [3]] },
  { name: "add broadcast both", f: (a, b) => nd.add(a, b), shapes: [[2, 1, 4], [3, 1]] },
  { name: "add scalar tensor", f: (a, b) => nd.add(a, b), shapes: [[2, 3], []] },
  { name: "sub broadcast", f: (a, b) => nd.sub(a, b), shapes: [[4, 1], [1, 3]] },
  { name: "mul broadcast", f: (a, b) => nd.mul(a, b), shapes: [[2, 3, 4], [3, 1]] },
  { name: "mul number", f: (a) => nd.mul(a, 2.5), shapes: [[3]] },
  { name: "div broadcast", f: (a, b) => nd.div(a, b), shapes: [[2, 3], [2, 1]], domain: positive },
  { name: "pow number", f: (a) => nd.pow(a, 3), shapes: [[2, 3]] },
  { name: "pow tensor", f: (a, b) => nd.pow(a, b), shapes: [[2, 3], [3]], domain: positive },
  { name: "maximum", f: (a, b) => nd.maximum(a, b), shapes: [[3, 4], [4]] },
  { name: "minimum", f: (a, b) => nd.minimum(a, b), shapes: [[3, 4], [3, 1]] },
  { name: "where", f: (a, b) => nd.where(nd.greater(a, 0), a, b), shapes: [[3, 4], [4]], domain: awayFromZero },
  // reductions
  { name: "sum all", f: (x) => nd.sum(x), shapes: [[3, 4]] },
  { name: "sum axis 1", f: (x) => nd.sum(x, { axis: 1 }), shapes: [[3, 4, 2]] },
  { name: "sum axes keepDims", f: (x) => nd.sum(x, { axis: [0, 2], keepDims: true }), shapes: [[3, 4, 2]] },
  { name: "mean axis -1", f: (x) => nd.mean(x, { axis: -1 }), shapes: [[3, 4]] },
  { name: "mean all", f: (x) => nd.mean(x), shapes: [[2, 5]] },
  { name: "max axis 0", f: (x) => nd.max(x, { axis: 0 }), shapes: [[4, 3]] },
  { name: "min all", f: (x) => nd.min(x), shapes: [[4, 3]] },
  { name: "logsumexp axis 1", f: (x) => nd.logsumexp(x, { axis: 1 }), shapes: [[3, 5]] },
  { name: "logsumexp all keepDims", f: (x) => nd.logsumexp(x, { keepDims: true }), shapes: [[2, 3]] },
  // matmul
  { name: "matmul 2-D", f: (a, b) => nd.matmul(a, b), shapes: [[3, 4], [4, 5]] },
  { name: "matmul batched", f: (a, b) => nd.matmul(a, b), shapes: [[2, 3, 4], [2, 4, 2]] },
  { name: "matmul broadcast batch", f: (a, b) => nd.matmul(a, b), shapes: [[2, 3, 4], [4, 2]] },
  // layout
  { name: "reshape", f: (x) => nd.reshape(x, [4, -1]), shapes: [[2, 6]] },
  { name: "transpose", f: (x) => nd.transpose(x), shapes: [[2, 3, 4]] },
  { name: "transpose perm", f: (x) => nd.transpose(x, [1, 0, 2]), shapes: [[2, 3, 4]] },
  { name: "flatten", f: (x) => nd.flatten(x, 1), shapes: [[2, 3, 2]] },
  { name: "squeeze", f: (x) => nd.squeeze(x), shapes: [[1, 3, 1]] },
  { name: "unsqueeze", f: (x) => nd.unsqueeze(x, 1), shapes: [[3, 2]] },
  { name: "concat", f: (a, b) => nd.concat([a, b], 1), shapes: [[2, 3], [2, 2]] },
  { name: "stack", f: (a, b) => nd.stack([a, b], 1), shapes: [[2, 3], [2, 3]] },
  { name: "slice", f: (x) => nd.slice(x, [1, 0], [2, -1]), shapes: [[4, 3]] },
  { name: "broadcastTo", f: (x) => nd.broadcastTo(x, [2, 3, 4]), shapes: [[3, 1]] },
  // softmax family
  { name: "softmax", f: (x) => nd.softmax(x), shapes: [[3, 5]] },
  { name: "softmax axis 0", f: (x) => nd.softmax(x, 0), shapes: [[3, 5]] },
  { name: "logSoftmax", f: (x) => nd.logSoftmax(x), shapes: [[3, 5]] },
  { name: "logSoftmax axis 1 of 3", f: (x) => nd.logSoftmax(x, 1), shapes: [[2, 3, 4]] },
  // conv and pooling
  { name: "conv2d", f: (x, w, b) => nd.conv2d(x, w, b), shapes: [[2, 2, 5, 5], [3, 2, 3, 3], [3]] },
  { name: "conv2d stride 2 padding 1", f: (x, w) => nd.conv2d(x, w, undefined, { stride: 2, padding: 1 }), shapes: [[1, 2, 6, 5], [2, 2, 3, 2]] },
  { name: "maxPool2d", f: (x) => nd.maxPool2d(x, 2), shapes: [[2, 2, 4, 4]] },
  { name: "maxPool2d k3 s1", f: (x) => nd.maxPool2d(x, 3, { stride: 1 }), shapes: [[1, 2, 5, 5]] },
  { name: "avgPool2d", f: (x) => nd.avgPool2d(x, 2), shapes: [[2, 2, 4, 4]] },
  // dropout with a fixed seed is a fixed linear map
  { name: "dropout", f: (x) => nd.dropout(x, 0.3, true, { seed: 7 }), shapes: [[4, 5]] },
  // compositions
  { name: "mlp-like chain", f: (x, w, b) => nd.tanh(nd.add(nd.matmul(x, w), b)).sum({ axis: 1 }), shapes: [[4, 3], [3, 2], [2]] },
  { name: "value used twice", f: (x) => nd.mul(x, nd.exp(x)).add(x), shapes: [[3]] },
];

describe("gradCheck over the op table (float64)", () => {
  cases.forEach((c, k) => {
    it(c.name, () => {
      const inputs = c.shapes.map((s, i) => {
        const t = nd.randn(s, { dtype: "float64", seed: 100 * k + i });
        if (c.domain) for (let j = 0; j < t.size; j++) t.values[j] = c.domain(t.values[j]);
        return t;
      });
      const r = nd.gradCheck(c.f, inputs);
      expect(r.ok, `maxError ${r.maxError} worst ${JSON.stringify(r.worst)}`).to.equal(true);
      expect(r.maxError).to.be.lessThan(1e-5);
    });
  });

  it("reports a wrong gradient (the checker can fail)", () => {
    // an op whose backward is deliberately wrong: forward x², backward claims 3x
    const bad = (x: Tensor) => {
      const out = nd.square(x);
      if (out.node) out.node.backward = (g) => [nd.mul(g, nd.mul(x.detach(), 3))];
      return out;
    };
    const r = nd.gradCheck(bad, [nd.randn([3], { dtype: "float64", seed: 1 })]);
    expect(r.ok).to.equal(false);
  });
});

describe("linear (fused x·wᵀ + b)", () => {
  it("matches matmul + add forward", () => {
    const x = nd.randn([5, 4], { dtype: "float64", seed: 1 });
    const w = nd.randn([3, 4], { dtype: "float64", seed: 2 });
    const b = nd.randn([3], { dtype: "float64", seed: 3 });
    const ref = nd.add(nd.matmul(x, nd.transpose(w)), b);
    const out = nd.linear(x, w, b);
    out.values.forEach((v, i) => expect(Math.abs(v - ref.values[i])).to.be.lessThan(1e-12));
  });
  for (const [name, shapes] of [["2-D with bias", [[5, 4], [3, 4], [3]]], ["3-D input", [[2, 3, 4], [6, 4], [6]]], ["no bias", [[7, 9], [5, 9]]]] as const) {
    it(`gradCheck ${name}`, () => {
      const inputs = shapes.map((s, i) => nd.randn(s as unknown as number[], { dtype: "float64", seed: 10 + i }));
      const r = nd.gradCheck((x, w, b) => nd.linear(x, w, b), inputs);
      expect(r.ok, JSON.stringify(r.worst)).to.equal(true);
    });
  }
  it("rejects mismatched shapes", () => {
    expect(() => nd.linear(nd.zeros([2, 3]), nd.zeros([4, 5]))).to.throw(/linear: input \[2,3\] does not end in 5/);
    expect(() => nd.linear(nd.zeros([2, 5]), nd.zeros([4, 5]), nd.zeros([3]))).to.throw(/linear: bias must have shape \[4\], got \[3\]/);
  });
});
