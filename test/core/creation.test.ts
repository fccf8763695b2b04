/** Creating and printing tensors, seeded randomness, Parameter. */
import { expect } from "chai";
import ndarray from "ndarray";
import { inspect } from "util";
import * as nd from "../../core";

describe("creation", () => {
  it("reads nested arrays row-major, float32 by default", () => {
    const t = nd.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).to.deep.equal([2, 3]);
    expect(t.dtype).to.equal("float32");
    expect(t.values).to.be.instanceOf(Float32Array);
    expect(t.toArray()).to.deep.equal([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.data.get(1, 2)).to.equal(6);
  });

  it("reshapes flat values with the shape option, including a scalar", () => {
    expect(nd.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).to.deep.equal([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const s = nd.tensor([5], { shape: [] });
    expect(s.shape).to.deep.equal([]);
    expect(s.item()).to.equal(5);
    expect(() => nd.tensor([1, 2, 3], { shape: [2, 2] })).to.throw(/tensor: 3 values cannot fill shape \[2,2\]/);
  });

  it("copies typed arrays and ndarrays (strided views too)", () => {
    const src = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = nd.tensor(src);
    src[0] = 100;
    expect(t.values[0]).to.equal(1);
    expect(t.dtype).to.equal("float64");
    const view = ndarray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]).transpose(1, 0);
    expect(nd.tensor(view).toArray()).to.deep.equal([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it("rejects ragged and non-numeric input", () => {
    expect(() => nd.tensor([[1, 2], [3]])).to.throw(/ragged/);
    expect(() => nd.tensor([1, "a" as unknown as number])).to.throw(/tensor: expected a number/);
    expect(() => nd.tensor([1], { dtype: "int8" as never })).to.throw(/dtype must be "float32" or "float64"/);
  });

  it("zeros, ones, full, arange", () => {
    expect(Array.from(nd.zeros([2]).values)).to.deep.equal([0, 0]);
    expect(nd.ones([2, 1], { dtype: "float64" }).dtype).to.equal("float64");
    expect(Array.from(nd.full([3], 7).values)).to.deep.equal([7, 7, 7]);
    expect(Array.from(nd.arange(4).values)).to.deep.equal([0, 1, 2, 3]);
    expect(Array.from(nd.arange(1, 2, 0.25).values)).to.deep.equal([1, 1.25, 1.5, 1.75]);
    expect(() => nd.zeros([2, -1])).to.throw(/shape must be an array of non-negative integers/);
  });

  it("randn and rand are reproducible from a seed and from manualSeed", () => {
    expect(Array.from(nd.randn([5], { seed: 3 }).values)).to.deep.equal(Array.from(nd.randn([5], { seed: 3 }).values));
    nd.manualSeed(9);
    const a = nd.rand([4]);
    nd.manualSeed(9);
    expect(Array.from(nd.rand([4]).values)).to.deep.equal(Array.from(a.values));
    const big = Array.from(nd.randn([20000], { seed: 1, dtype: "float64" }).values);
    const mean = big.reduce((s, v) => s + v, 0) / big.length;
    const variance = big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length;
    expect(Math.abs(mean)).to.be.lessThan(0.03);
    expect(Math.abs(variance - 1)).to.be.lessThan(0.05);
    const u = nd.rand([10000], { seed: 2 }).values;
    expect(Math.min(...u)).to.be.at.least(0);
    expect(Math.max(...u)).to.be.lessThan(1);
  });

  it("prints like numpy, with shape and dtype, elided when large", () => {
    const s = inspect(
      nd.tensor([
        [1, 2.5],
        [3, 4],
      ]),
    );
    expect(s).to.contain("tensor([[ 1., 2.5],\n        [ 3.,  4.]]");
    expect(s).to.contain("shape=[2,2], dtype=float32");
    const big = String(nd.arange(5000));
    expect(big).to.contain("...");
    expect(big.length).to.be.lessThan(200);
    expect(String(nd.tensor([1], { requiresGrad: true }).mul(2))).to.contain("grad_fn=mul");
  });

  it("Parameter is a named leaf that requires grad and can be assigned in place", () => {
    const p = new nd.Parameter([[1, 2]], { name: "w" });
    expect(p.requiresGrad).to.equal(true);
    expect(p.isLeaf).to.equal(true);
    const data = p.values;
    p.assign([[3, 4]]);
    expect(p.values).to.equal(data);
    expect(Array.from(p.values)).to.deep.equal([3, 4]);
    expect(() => p.assign([1, 2, 3])).to.throw(/Parameter.assign \(w\): shape \[3\] does not match \[1,2\]/);
    expect(new nd.Parameter(nd.zeros([2]), { trainable: false }).requiresGrad).to.equal(false);
    const src = nd.ones([2]);
    const q = new nd.Parameter(src);
    q.assign([5, 5]);
    expect(src.values[0]).to.equal(1); // a Parameter owns its storage
  });
});
