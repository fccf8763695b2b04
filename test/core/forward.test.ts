/**
 * Forward values against naive references written independently here (index arithmetic per
 * element, no shared kernels), for broadcasting, reductions and layout ops.
 */
import { expect } from "chai";
import * as nd from "../../core";
import { Tensor } from "../../core";
import { OP_TABLE } from "../support/op-table";

function strides(shape: number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}
function unravel(i: number, shape: number[]): number[] {
  const st = strides(shape);
  return shape.map((_, d) => Math.floor(i / st[d]) % shape[d]);
}
function ravel(idx: number[], shape: number[]): number {
  const st = strides(shape);
  return idx.reduce((s, v, d) => s + v * st[d], 0);
}
function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) {
  expect(a.length).to.equal(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `index ${i}: ${a[i]} vs ${b[i]}`).to.be.at.most(tol * (1 + Math.abs(b[i])));
}
const r = (shape: number[], seed: number) => nd.randn(shape, { dtype: "float64", seed });

/** naive broadcast: for each output index, read each input at the index clamped to its dims */
function naiveBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number, outShape: number[]): number[] {
  const n = outShape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  const read = (t: Tensor, idx: number[]) => {
    const lead = idx.length - t.rank;
    return t.values[
      ravel(
        t.shape.map((d, k) => (d === 1 ? 0 : idx[lead + k])),
        t.shape.slice(),
      )
    ];
  };
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, outShape);
    out.push(f(read(a, idx), read(b, idx)));
  }
  return out;
}

describe("forward values against naive references", () => {
  // The elementwise rows of the op table, each with its scalar reference.
  const binaries: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [];
  const unaries: [string, (x: Tensor) => Tensor, (x: number) => number][] = [];
  for (const row of OP_TABLE) {
    if (row.naive === undefined || row.fixture === null) continue;
    const call = row.fixture;
    if ("binary" in row.naive) binaries.push([row.op, (a, b) => call([a, b], {}), row.naive.binary]);
    else unaries.push([row.op, (x) => call([x], { min: -0.5, max: 0.7 }), row.naive.unary]);
  }
  const shapePairs: [number[], number[], number[]][] = [
    [
      [2, 3],
      [2, 3],
      [2, 3],
    ],
    [[2, 3], [3], [2, 3]],
    [
      [4, 1, 3],
      [2, 1],
      [4, 2, 3],
    ],
    [[1], [3, 2], [3, 2]],
    [[], [2, 2], [2, 2]],
  ];
  for (const [name, op, f] of binaries) {
    it(`${name} broadcasts like NumPy`, () => {
      shapePairs.forEach(([sa, sb, so], k) => {
        const a = r(sa, k),
          b = r(sb, 10 + k);
        const out = op(a, b);
        expect(out.shape).to.deep.equal(so);
        close(out.values, naiveBinary(a, b, f, so));
      });
    });
  }

  it("every elementwise row of the op table has a reference checked here", () => {
    expect(binaries.map((b) => b[0])).to.deep.equal(["add", "sub", "mul", "div", "maximum", "minimum"]);
    expect(unaries.length).to.be.greaterThan(10);
  });

  for (const [name, op, f] of unaries) {
    it(`${name} against its scalar reference`, () => {
      const x = r([3, 5], 40);
      for (let i = 0; i < x.size; i++) if (name === "log" || name === "sqrt") x.values[i] = Math.abs(x.values[i]) + 0.1;
      const out = op(x);
      expect(out.shape).to.deep.equal([3, 5]);
      close(out.values, Array.from(x.values, f));
    });
  }

  it("where and comparisons", () => {
    const a = r([3, 4], 1),
      b = r([4], 2);
    const c = nd.greater(a, b);
    close(
      c.values,
      naiveBinary(a, b, (x, y) => (x > y ? 1 : 0), [3, 4]),
    );
    close(
      nd.where(c, a, b).values,
      naiveBinary(a, b, (x, y) => (x > y ? x : y), [3, 4]),
    );
    expect(Array.from(nd.lessEqual(nd.tensor([1, 2, 3]), 2).values)).to.deep.equal([1, 1, 0]);
  });

  it("reductions over every axis combination", () => {
    const x = r([3, 4, 5], 3);
    const combos: (number | number[] | undefined)[] = [undefined, 0, 1, 2, -1, [0, 1], [0, 2], [1, 2]];
    for (const axis of combos) {
      for (const keepDims of [false, true]) {
        const axes = axis === undefined ? [0, 1, 2] : (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + 3 : a));
        const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const n = kept.reduce((p, d) => p * d, 1);
        const sums = new Array(n).fill(0),
          maxs = new Array(n).fill(-Infinity),
          mins = new Array(n).fill(Infinity),
          counts = new Array(n).fill(0);
        for (let i = 0; i < x.size; i++) {
          const idx = unravel(i, x.shape.slice());
          const o = ravel(
            idx.map((v, d) => (axes.includes(d) ? 0 : v)),
            kept,
          );
          sums[o] += x.values[i];
          maxs[o] = Math.max(maxs[o], x.values[i]);
          mins[o] = Math.min(mins[o], x.values[i]);
          counts[o]++;
        }
        const lse = new Array(n).fill(0);
        for (let i = 0; i < x.size; i++) {
          const idx = unravel(i, x.shape.slice());
          const o = ravel(
            idx.map((v, d) => (axes.includes(d) ? 0 : v)),
            kept,
          );
          lse[o] += Math.exp(x.values[i]);
        }
        const shape = keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
        const opts = { axis, keepDims };
        expect(nd.sum(x, opts).shape).to.deep.equal(shape);
        close(nd.sum(x, opts).values, sums);
        close(
          nd.mean(x, opts).values,
          sums.map((s, i) => s / counts[i]),
        );
        close(nd.max(x, opts).values, maxs);
        close(nd.min(x, opts).values, mins);
        close(nd.logsumexp(x, opts).values, lse.map(Math.log));
      }
    }
  });

  it("logsumexp and softmax stay finite for huge logits", () => {
    const x = nd.tensor([1000, 1000, -1000], { dtype: "float64" });
    close(nd.logsumexp(x).values, [1000 + Math.log(2)]);
    close(nd.softmax(x).values, [0.5, 0.5, 0]);
    close(nd.logSoftmax(x).values, [-Math.log(2), -Math.log(2), -2000 - Math.log(2)]);
  });

  it("softmax and logSoftmax along any axis", () => {
    const x = r([2, 3, 4], 4);
    for (const axis of [0, 1, 2, -1]) {
      const a = axis < 0 ? axis + 3 : axis;
      const ref = new Array(x.size).fill(0);
      for (let i = 0; i < x.size; i++) {
        const idx = unravel(i, [2, 3, 4]);
        let s = 0;
        for (let k = 0; k < x.shape[a]; k++) {
          const j = idx.slice();
          j[a] = k;
          s += Math.exp(x.values[ravel(j, [2, 3, 4])]);
        }
        ref[i] = Math.exp(x.values[i]) / s;
      }
      close(nd.softmax(x, axis).values, ref);
      close(nd.logSoftmax(x, axis).values, ref.map(Math.log));
    }
  });

  it("transpose with any permutation", () => {
    const x = r([2, 3, 4], 5);
    for (const perm of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 0, 2],
      [0, 2, 1],
      [2, 0, 1],
    ]) {
      const out = nd.transpose(x, perm);
      const outShape = perm.map((p) => x.shape[p]);
      expect(out.shape).to.deep.equal(outShape);
      const ref = [];
      for (let i = 0; i < out.size; i++) {
        const oi = unravel(i, outShape);
        const ii = new Array(3);
        perm.forEach((p, d) => (ii[p] = oi[d]));
        ref.push(x.values[ravel(ii, [2, 3, 4])]);
      }
      close(out.values, ref);
    }
  });

  it("slice, concat, stack, squeeze, unsqueeze, flatten, broadcastTo", () => {
    const x = nd.arange(24, { dtype: "float64" }).reshape([2, 3, 4]);
    const s = nd.slice(x, [1, 1, 2], [1, -1, 2]);
    expect(s.toArray()).to.deep.equal([
      [
        [18, 19],
        [22, 23],
      ],
    ]);
    const c = nd.concat(
      [
        nd.tensor([[1, 2]]),
        nd.tensor([
          [3, 4],
          [5, 6],
        ]),
      ],
      0,
    );
    expect(c.toArray()).to.deep.equal([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const c1 = nd.concat(
      [
        nd.tensor([[1], [2]]),
        nd.tensor([
          [3, 4],
          [5, 6],
        ]),
      ],
      1,
    );
    expect(c1.toArray()).to.deep.equal([
      [1, 3, 4],
      [2, 5, 6],
    ]);
    expect(nd.stack([nd.tensor([1, 2]), nd.tensor([3, 4])], 1).toArray()).to.deep.equal([
      [1, 3],
      [2, 4],
    ]);
    expect(nd.squeeze(nd.zeros([1, 2, 1]), 0).shape).to.deep.equal([2, 1]);
    expect(nd.unsqueeze(nd.zeros([2, 3]), -1).shape).to.deep.equal([2, 3, 1]);
    expect(nd.flatten(x).shape).to.deep.equal([24]);
    expect(nd.broadcastTo(nd.tensor([[1], [2]]), [2, 3]).toArray()).to.deep.equal([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(x.reshape([4, -1]).shape).to.deep.equal([4, 6]);
  });

  it("unary ops against Math", () => {
    const x = nd.tensor([-2, -0.5, 0.3, 1.7], { dtype: "float64" });
    const v = Array.from(x.values);
    close(nd.exp(x).values, v.map(Math.exp));
    close(nd.tanh(x).values, v.map(Math.tanh));
    close(
      nd.sigmoid(x).values,
      v.map((t) => 1 / (1 + Math.exp(-t))),
    );
    close(
      nd.softplus(x).values,
      v.map((t) => Math.log(1 + Math.exp(t))),
    );
    close(
      nd.relu(x).values,
      v.map((t) => Math.max(t, 0)),
    );
    // gelu(1) = 0.5 * (1 + erf(1/sqrt 2)), erf(0.70710678) = 0.6826894921370859
    close(nd.gelu(nd.tensor([1], { dtype: "float64" })).values, [0.5 * (1 + 0.6826894921370859)]);
    close(nd.sigmoid(nd.tensor([-800, 800], { dtype: "float64" })).values, [0, 1]);
    close(nd.softplus(nd.tensor([-800, 800], { dtype: "float64" })).values, [0, 800]);
  });

  it("float32 in, float32 out; numbers adopt the tensor's dtype", () => {
    const a = nd.tensor([1, 2]);
    expect(a.add(1).dtype).to.equal("float32");
    expect(nd.tensor([1], { dtype: "float64" }).mul(2).dtype).to.equal("float64");
    expect(nd.sum(a).shape).to.deep.equal([]);
  });

  it("dropout is identity in eval, scales survivors in training, and is seeded", () => {
    const x = nd.ones([1000]);
    expect(nd.dropout(x, 0.5, false)).to.equal(x);
    const y = nd.dropout(x, 0.25, true, { seed: 3 });
    const kept = Array.from(y.values).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).to.equal(true);
    expect(Math.abs(kept.length / 1000 - 0.75)).to.be.lessThan(0.05);
    expect(Array.from(nd.dropout(x, 0.25, true, { seed: 3 }).values)).to.deep.equal(Array.from(y.values));
  });
});
