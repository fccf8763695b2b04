/** The tape: recording rules, accumulation semantics, grad/valueAndGrad/noGrad/detach, deep graphs. */
import { expect } from "chai";
import * as nd from "../../core";

const arr = (t: nd.Tensor | null) => Array.from(t!.values);

describe("tape and backward", () => {
  it("computes the gradient of a scalar expression", () => {
    const x = nd.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(arr(x.grad)).to.deep.equal([2, 4, 6]);
  });

  it("accumulates into leaves across two backward() calls", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3).sum();
    y.backward();
    y.backward();
    expect(arr(x.grad)).to.deep.equal([6, 6]);
  });

  it("adds the gradients of a value used twice", () => {
    const x = nd.tensor([2], { requiresGrad: true });
    const y = x.mul(x).add(x); // dy/dx = 2x + 1
    y.sum().backward();
    expect(arr(x.grad)).to.deep.equal([5]);
  });

  it("gives no .grad to intermediate results", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true });
    const h = x.exp();
    h.sum().backward();
    expect(h.grad).to.equal(null);
    expect(h.isLeaf).to.equal(false);
    expect(x.isLeaf).to.equal(true);
  });

  it("records nothing under noGrad", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true });
    const y = nd.noGrad(() => x.mul(2).sum());
    expect(y.requiresGrad).to.equal(false);
    expect(y.node).to.equal(null);
    expect(() => y.backward()).to.throw(/does not require grad/);
    expect(nd.isGradEnabled()).to.equal(true);
  });

  it("restores grad mode after an exception inside noGrad", () => {
    expect(() =>
      nd.noGrad(() => {
        throw new Error("boom");
      }),
    ).to.throw("boom");
    expect(nd.isGradEnabled()).to.equal(true);
  });

  it("detach cuts the graph", () => {
    const x = nd.tensor([3], { requiresGrad: true });
    const y = x.mul(x.detach()); // d/dx of x * const(x) = x
    y.sum().backward();
    expect(arr(x.grad)).to.deep.equal([3]);
    expect(x.detach().requiresGrad).to.equal(false);
  });

  it("does not record when no input requires grad", () => {
    const y = nd.tensor([1]).add(nd.tensor([2]));
    expect(y.node).to.equal(null);
    expect(y.requiresGrad).to.equal(false);
  });

  it("handles a 100,000-node chain without overflowing the stack", () => {
    const x = nd.tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1);
    y.backward();
    expect(arr(x.grad)).to.deep.equal([1]);
    expect(y.item()).to.equal(100_001);
  });

  it("needs a seed for a non-scalar output, and checks its shape", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).to.throw(/non-scalar tensor of shape \[2\]/);
    expect(() => y.backward(nd.ones([3]))).to.throw(/backward.*\[3\].*\[2\]/);
    y.backward(nd.tensor([1, 10]));
    expect(arr(x.grad)).to.deep.equal([2, 20]);
  });

  it("names the op when a backward returns a wrongly shaped gradient", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true });
    const y = x.exp();
    y.node!.backward = () => [nd.ones([3])];
    expect(() => y.sum().backward()).to.throw(/exp backward: gradient for input 0 has shape \[3\], but the input has shape \[2\]/);
  });

  it("grad(f) returns gradients without touching .grad", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true });
    const [dx] = nd.grad((t) => t.square().sum())(x);
    expect(arr(dx)).to.deep.equal([2, 4]);
    expect(x.grad).to.equal(null);
  });

  it("grad(f) names an input f does not use, and gives zeros for it with allowUnused", () => {
    expect(() => nd.grad((a, _b) => a.sum())(nd.tensor([1]), nd.tensor([5, 6]))).to.throw(
      /grad: input 1 \(shape \[2\]\) is not used to compute the output.*allowUnused: true/,
    );
    const [, dy] = nd.grad((a, _b) => a.sum(), { allowUnused: true })(nd.tensor([1]), nd.tensor([5, 6]));
    expect(arr(dy)).to.deep.equal([0, 0]);
  });

  it("valueAndGrad returns the value too, and works inside noGrad", () => {
    const [v, [dw]] = nd.noGrad(() => nd.valueAndGrad((w) => w.square().sum())(nd.tensor([3])));
    expect(v.item()).to.equal(9);
    expect(arr(dw)).to.deep.equal([6]);
  });

  it("grad(f) rejects a non-scalar f", () => {
    expect(() => nd.grad((t) => t.mul(2))(nd.tensor([1, 2]))).to.throw(/grad: f must return a one-element tensor, got shape \[2\]/);
  });

  it("keeps no global tape: a graph is only reachable from its result", () => {
    const x = nd.tensor([1], { requiresGrad: true });
    const y = x.exp().log();
    expect(y.node!.op).to.equal("log");
    expect(y.node!.inputs[0].node!.op).to.equal("exp");
    expect(x.node).to.equal(null);
  });

  it("draws the graph with toDot", () => {
    const x = nd.tensor([1, 2], { requiresGrad: true, name: "x" });
    const dot = nd.toDot(x.mul(x).sum());
    expect(dot).to.match(/^digraph ndgrad \{/);
    expect(dot).to.contain('label="mul"');
    expect(dot).to.contain('label="sum"');
    expect(dot).to.contain("x\\n[2] float32");
    expect(dot.trim().endsWith("}")).to.equal(true);
  });
});
