/**
 * Jacobian-vector products (`jvp`, the double-vjp trick) and the Jacobian by columns
 * (`jacobian(f, { mode: "forward" })`, chosen by "auto" when f(x) is the larger): the same numbers
 * as the Jacobian by rows and as finite differences, through conv2d and pooling too; a closed
 * form; nesting in an outer grad; and bad input.
 */
import { expect } from "chai";
import * as nd from "../../core";

type Tensor = nd.Tensor;
const r = (shape: number[], seed: number) => nd.randn(shape, { dtype: "float64", seed });

/** Functions with outputs larger, equal and smaller than their input. */
const CASES: { label: string; f: (x: Tensor) => Tensor; shape: number[] }[] = [
  { label: "matmul then tanh (out 5×2, in 3×2)", f: (x) => nd.matmul(r([5, 3], 1), x).tanh(), shape: [3, 2] },
  { label: "softmax (same size)", f: (x) => nd.softmax(x.mul(2)), shape: [4, 3] },
  { label: "outer product then exp (out 2×50, in 2)", f: (x) => nd.mul(nd.reshape(x, [2, 1]), r([1, 50], 3)).exp(), shape: [2] },
  { label: "sum of squares (scalar out)", f: (x) => x.square().sum(), shape: [3] },
  {
    label: "conv2d, relu, maxPool2d, avgPool2d",
    f: (x) => nd.avgPool2d(nd.maxPool2d(nd.conv2d(x, r([2, 1, 3, 3], 2), null, { padding: 1 }).relu(), 2, { stride: 1 }), 3),
    shape: [1, 1, 4, 4],
  },
];

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).to.deep.equal(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.values[i] - b.values[i]));
  return m;
}

describe("jvp and the Jacobian by columns", () => {
  for (const c of CASES) {
    it(`${c.label}: forward and reverse Jacobians agree, jvp is J·v, and both match finite differences`, () => {
      const x = r(c.shape, 9);
      const rev = nd.jacobian(c.f, { mode: "reverse" })(x);
      const fwd = nd.jacobian(c.f, { mode: "forward" })(x);
      expect(maxDiff(fwd, rev)).to.be.lessThan(1e-12);
      expect(maxDiff(nd.jacobian(c.f)(x), rev)).to.be.lessThan(1e-12); // auto
      const v = r(c.shape, 10);
      const jv = nd.jvp(c.f)(x, v);
      const y = c.f(x);
      expect(jv.shape).to.deep.equal(y.shape);
      // J·v from the rows, and (f(x + εv) − f(x − εv)) / 2ε
      const eps = 1e-6;
      const plus = c.f(nd.add(x, nd.mul(v, eps))),
        minus = c.f(nd.sub(x, nd.mul(v, eps)));
      for (let i = 0; i < y.size; i++) {
        let s = 0;
        for (let j = 0; j < x.size; j++) s += rev.values[i * x.size + j] * v.values[j];
        expect(jv.values[i]).to.be.closeTo(s, 1e-12);
        expect(jv.values[i]).to.be.closeTo((plus.values[i] - minus.values[i]) / (2 * eps), 1e-6);
      }
    });
  }

  it("matches the closed form of d tanh(A·x) along v", () => {
    // A = [[1, 2], [3, -1], [0.5, 0]], x = [0.1, -0.2], v = [1, 2]
    const a = nd.tensor(
      [
        [1, 2],
        [3, -1],
        [0.5, 0],
      ],
      { dtype: "float64" },
    );
    const jv = nd.jvp((x) => nd.matmul(a, nd.reshape(x, [2, 1])).tanh())(nd.tensor([0.1, -0.2], { dtype: "float64" }), nd.tensor([1, 2], { dtype: "float64" }));
    // d tanh(z) = (1 − tanh² z)·A·v, z = A·x = [−0.3, 0.5, 0.05], A·v = [5, 1, 0.5]
    const z = [-0.3, 0.5, 0.05],
      av = [5, 1, 0.5];
    expect(jv.shape).to.deep.equal([3, 1]);
    z.forEach((zi, i) => expect(jv.values[i]).to.be.closeTo((1 - Math.tanh(zi) ** 2) * av[i], 1e-15));
  });

  it("nests: the gradient of a jvp is the second derivative along v (finite differences)", () => {
    const f = (x: Tensor) => x.pow(3).mul(x.sum());
    const x = r([3], 1),
      v = r([3], 2);
    const [g] = nd.grad((t) => nd.jvp(f)(t, v).sum())(x);
    const eps = 1e-6;
    for (let j = 0; j < 3; j++) {
      const shifted = (d: number) => {
        const p = Float64Array.from(x.values);
        p[j] += d;
        return nd
          .jvp(f)(new nd.Tensor(p, [3]), v)
          .sum()
          .item();
      };
      expect(g.values[j]).to.be.closeTo((shifted(eps) - shifted(-eps)) / (2 * eps), 1e-6);
    }
    // and a forward-mode Jacobian inside grad records its columns
    const [h] = nd.grad((t) =>
      nd
        .jacobian((s) => nd.mul(nd.reshape(s, [3, 1]), nd.reshape(s, [1, 3])).exp(), { mode: "forward" })(t)
        .sum(),
    )(x);
    const [hr] = nd.grad((t) =>
      nd
        .jacobian((s) => nd.mul(nd.reshape(s, [3, 1]), nd.reshape(s, [1, 3])).exp(), { mode: "reverse" })(t)
        .sum(),
    )(x);
    expect(maxDiff(h, hr)).to.be.lessThan(1e-12);
  });

  it("an output that does not depend on x: jvp and jacobian throw unless allowUnused (then zeros)", () => {
    const x = r([2], 1);
    const constant = () => nd.tensor([1, 2, 3], { dtype: "float64" });
    expect(() => nd.jvp(constant)(x, x)).to.throw(/^jvp: the output does not depend on x \(shape \[2\]\); pass \{ allowUnused: true \}/);
    expect(nd.jvp(constant, { allowUnused: true })(x, x).toArray()).to.deep.equal([0, 0, 0]);
    // an output on the tape through a parameter f closes over, not through x: still unused
    const w = nd.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const viaW = () => w.mul(2);
    expect(() => nd.jvp(viaW)(x, x)).to.throw(/^jvp: the output does not depend on x/);
    for (const mode of ["forward", "reverse"] as const) {
      expect(() => nd.jacobian(viaW, { mode })(x), mode).to.throw(/^jacobian: the output does not depend on x/);
      expect(nd.jacobian(viaW, { mode, allowUnused: true })(x).shape).to.deep.equal([3, 2]);
    }
    expect(() => nd.jvp(constant, { allowUnsed: true } as never)).to.throw(/jvp.*allowUnsed/);
    expect(() => nd.jacobian(() => nd.tensor([1, 2, 3], { dtype: "float64" }), { mode: "forward" })(x)).to.throw(/^jacobian: the output does not depend on x/);
    expect(nd.jacobian(() => nd.tensor([1, 2, 3], { dtype: "float64" }), { mode: "forward", allowUnused: true })(x).shape).to.deep.equal([3, 2]);
  });

  it("rejects bad input naming the argument and the value", () => {
    const x = r([2], 1);
    expect(() => nd.jvp((t) => t)(x, r([3], 2))).to.throw(/^jvp: v must have x's shape \[2\], got \[3\]/);
    expect(() => nd.jvp((t) => t)(x, nd.tensor([1, 2]))).to.throw(/^jvp: v is float32 but x is float64/);
    expect(() => nd.jvp((t) => t)(x, [1, 2] as unknown as Tensor)).to.throw(/^jvp: v must be a Tensor, got \[1,2\]/);
    expect(() => nd.jvp(42 as unknown as (t: Tensor) => Tensor)(x, x)).to.throw(/^jvp: f must be a function, got 42/);
    expect(() => nd.jacobian((t) => t, { mode: "sideways" as "forward" })).to.throw(/^jacobian: mode must be "auto", "reverse" or "forward", got "sideways"/);
    expect(() => nd.jacobian((t) => t, { allowUnsed: true } as never)).to.throw(/jacobian.*allowUnsed/);
  });
});
