/** Bad input: every op throws an Error naming the op and the offending shapes or values. */
import { expect } from "chai";
import * as nd from "../../core";

describe("bad input is rejected with a clear message", () => {
  const a23 = nd.zeros([2, 3]);
  const a45 = nd.zeros([4, 5]);
  for (const name of ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "equal", "greater", "less"] as const) {
    it(`${name}: shapes that do not broadcast`, () => {
      const op = nd[name] as (a: nd.Tensor, b: nd.Tensor) => nd.Tensor;
      expect(() => op(a23, a45)).to.throw(new RegExp(`^${name}: shapes \\[2,3\\] and \\[4,5\\] cannot be broadcast`));
    });
  }
  it("where: shapes that do not broadcast", () => {
    expect(() => nd.where(nd.zeros([3]), a23, a45)).to.throw(/where: shapes .* cannot be broadcast/);
  });
  it("binary ops refuse mixed dtypes", () => {
    expect(() => nd.add(nd.zeros([2]), nd.zeros([2], { dtype: "float64" }))).to.throw(/add: dtypes differ: float32 and float64/);
  });
  it("binary ops refuse non-tensors", () => {
    expect(() => nd.add(a23, "1" as never)).to.throw(`add: operand must be a Tensor or a number, got "1"`);
  });
  it("matmul: inner dimensions", () => {
    expect(() => nd.matmul(a23, a45)).to.throw(/matmul.*\[2,3\].*\[4,5\]/);
  });
  it("conv2d: channel mismatch and non-4-D input", () => {
    expect(() => nd.conv2d(nd.zeros([1, 3, 5, 5]), nd.zeros([2, 2, 3, 3]))).to.throw(/conv2d/);
    expect(() => nd.conv2d(nd.zeros([3, 5, 5]), nd.zeros([2, 3, 3, 3]))).to.throw(/conv2d.*\[3,5,5\]/);
  });
  it("reshape to a wrong size", () => {
    expect(() => nd.reshape(a23, [4, 2])).to.throw(/reshape: cannot reshape \[2,3\] \(6 elements\) into \[4,2\] \(8 elements\)/);
    expect(() => nd.reshape(a23, [-1, -1])).to.throw(/reshape: only one -1/);
    expect(() => nd.reshape(a23, [4, -1])).to.throw(/reshape: cannot reshape \[2,3\]/);
  });
  it("unknown axis", () => {
    expect(() => nd.sum(a23, { axis: 2 })).to.throw(/sum: axis 2 is out of range for a tensor of rank 2/);
    expect(() => nd.softmax(a23, -3)).to.throw(/softmax: axis -3 is out of range/);
    expect(() => nd.squeeze(a23, 0)).to.throw(/squeeze: axis 0 of shape \[2,3\] has size 2, not 1/);
    expect(() => nd.concat([a23, a23], 5)).to.throw(/concat: axis 5 is out of range/);
    expect(() => nd.max(nd.zeros([0, 2]), { axis: 0 })).to.throw(/max: cannot reduce over axis 0 of size 0/);
  });
  it("layout ops", () => {
    expect(() => nd.transpose(a23, [0, 0])).to.throw(/transpose: perm \[0,0\] is not a permutation/);
    expect(() => nd.concat([a23, a45], 0)).to.throw(/concat: shapes \[2,3\], \[4,5\] differ outside axis 0/);
    expect(() => nd.stack([a23, a45])).to.throw(/stack: all shapes must be equal/);
    expect(() => nd.slice(a23, [1, 0], [2, 3])).to.throw(/slice: begin \[1,0\] with size \[2,3\] is out of bounds for shape \[2,3\]/);
    expect(() => nd.broadcastTo(a23, [3, 3])).to.throw(/broadcastTo/);
  });
  it("backward on a non-scalar without a seed", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).to.throw(/backward: a non-scalar tensor of shape \[2\] needs a gradient/);
  });
  it("clip, dropout and gelu arguments", () => {
    expect(() => nd.clip(a23, 2, 1)).to.throw(/clip: need numbers min <= max, got min=2, max=1/);
    expect(() => nd.dropout(a23, 1.5, true)).to.throw(/dropout: p must be in \[0, 1\], got 1.5/);
    expect(() => nd.gelu(a23, { approximate: "fast" as never })).to.throw(/gelu: approximate must be "none" or "tanh"/);
  });
});

describe("misspelled options are rejected, not ignored", () => {
  const x = nd.zeros([1, 1, 4, 4]);
  const cases: [string, () => unknown, RegExp][] = [
    ["tensor", () => nd.tensor([1], { requiresgrad: true } as never), /tensor: unknown option "requiresgrad" \(allowed: shape, dtype, requiresGrad, name\)/],
    ["zeros", () => nd.zeros([2], { dtyp: "float64" } as never), /zeros: unknown option "dtyp"/],
    ["randn", () => nd.randn([2], { sed: 1 } as never), /randn: unknown option "sed"/],
    ["conv2d", () => nd.conv2d(x, nd.zeros([1, 1, 3, 3]), null, { strides: 2 } as never), /conv2d: unknown option "strides" \(allowed: stride, padding\)/],
    ["maxPool2d", () => nd.maxPool2d(x, 2, { strid: 1 } as never), /maxPool2d: unknown option "strid"/],
    ["dropout", () => nd.dropout(x, 0.5, true, { seeed: 1 } as never), /dropout: unknown option "seeed"/],
    ["gelu", () => nd.gelu(x, { approx: "tanh" } as never), /gelu: unknown option "approx"/],
    ["sum", () => nd.sum(x, { axes: 1 } as never), /sum: unknown option "axes"/],
    ["gradCheck", () => nd.gradCheck((t) => t.sum(), [nd.ones([2])], { epsilon: 1e-3 } as never), /gradCheck: unknown option "epsilon"/],
    ["Parameter", () => new nd.Parameter([1], { trainabel: false } as never), /Parameter: unknown option "trainabel"/],
  ];
  for (const [name, call, message] of cases) it(name, () => expect(call).to.throw(message));
});
