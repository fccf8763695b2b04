/**
 * Higher-order autodiff through the public API: grad of grad (the f = Σx³ at 2 → 12),
 * any order by nesting, createGraph on backward and grad, hvp/hessian/jacobian shapes and
 * values, allowUnused, and the errors: ops without a recorded backward, non-scalar outputs,
 * a wrong-shaped v, graph creation in noGrad, mixed dtypes.
 */
import { expect } from "chai";
import * as nd from "../../core";
import * as nn from "../../nn";
import { record } from "../../core/autograd";

type Tensor = nd.Tensor;
const f64 = (v: number[] | number[][], requiresGrad = false) => nd.tensor(v, { dtype: "float64", requiresGrad });
const cube = (x: Tensor) => x.pow(3).sum();

describe("higher-order gradients", () => {
  it("grad of grad differentiates the gradient: d²(Σx³)/dx² at 2 is 12, not 0", () => {
    const [d2] = nd.grad((x) => nd.grad(cube)(x)[0].sum())(f64([2]));
    expect(d2.toArray()).to.deep.equal([12]);
  });

  it("nests to any order without flags (third and fourth derivatives of x⁴ at 1.5)", () => {
    const f = (x: Tensor) => x.pow(4).sum();
    const d = (g: (x: Tensor) => Tensor) => (x: Tensor) =>
      nd
        .grad((y) => g(y))(x)[0]
        .sum();
    const x = f64([1.5]);
    expect(
      nd
        .grad(d(d(f)))(x)[0]
        .item(),
    ).to.be.closeTo(24 * 1.5, 1e-12);
    expect(
      nd
        .grad(d(d(d(f))))(x)[0]
        .item(),
    ).to.be.closeTo(24, 1e-12);
  });

  it("the second derivative of tanh matches −2·tanh·(1 − tanh²)", () => {
    const x = f64([-1.3, 0.2, 0.9]);
    const [d2] = nd.grad((y) =>
      nd
        .grad((z) => z.tanh().sum())(y)[0]
        .sum(),
    )(x);
    Array.from(x.values).forEach((v, i) => {
      const t = Math.tanh(v);
      expect(d2.values[i]).to.be.closeTo(-2 * t * (1 - t * t), 1e-14);
    });
  });

  it("backward({ createGraph: true }) leaves a .grad that can be differentiated", () => {
    const w = f64([1, 2], true);
    cube(w).backward({ createGraph: true });
    const g = w.grad as Tensor;
    expect(g.toArray()).to.deep.equal([3, 12]);
    expect(g.requiresGrad).to.equal(true);
    w.grad = null;
    g.sum().backward();
    expect((w.grad as unknown as Tensor).toArray()).to.deep.equal([6, 12]);
  });

  it("grad(f, { createGraph: true }) returns recorded gradients", () => {
    const x = f64([3], true);
    const [g] = nd.grad(cube, { createGraph: true })(x);
    expect(g.requiresGrad).to.equal(true);
    g.sum().backward();
    expect((x.grad as Tensor).toArray()).to.deep.equal([18]);
  });

  it("a top-level grad on a parameter stays first order (no recorded backward)", () => {
    const w = f64([1, 2], true);
    const [g] = nd.grad(cube)(w);
    expect(g.requiresGrad).to.equal(false);
  });

  it("hvp, hessian and jacobian: shapes and values", () => {
    const f = (x: Tensor) => x.pow(3).sum().add(x.sum().square());
    const x = f64([
      [1, 2],
      [3, 4],
    ]);
    const h = nd.hessian(f)(x);
    expect(h.shape).to.deep.equal([2, 2, 2, 2]);
    // H = diag(6x) + 2·11ᵀ
    const xs = [1, 2, 3, 4];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(h.values[i * 4 + j]).to.be.closeTo((i === j ? 6 * xs[i] : 0) + 2, 1e-12);
    const v = f64([
      [1, 0],
      [0, -1],
    ]);
    const hv = nd.hvp(f)(x, v);
    expect(hv.shape).to.deep.equal([2, 2]);
    expect(hv.toArray()).to.deep.equal([
      [6, 0],
      [0, -24],
    ]);
    const j = nd.jacobian((t) => t.mul(t).sum({ axis: 1 }))(x);
    expect(j.shape).to.deep.equal([2, 2, 2]);
    expect(Array.from(j.values)).to.deep.equal([2, 4, 0, 0, 0, 0, 6, 8]);
  });

  it("hvp composes: the gradient of ⟨v, H v⟩ for a cubic is 6·v² (elementwise)", () => {
    const v = f64([1, -2]);
    const [g] = nd.grad((x) => nd.hvp(cube)(x, v).mul(v).sum())(f64([0.5, 0.25]));
    expect(g.toArray()).to.deep.equal([6, 24]);
  });

  it("an unused input throws naming it, or gives zeros with allowUnused", () => {
    const x = f64([1]),
      y = f64([2, 3]);
    expect(() => nd.grad((a: Tensor, _b: Tensor) => a.square().sum())(x, y)).to.throw(/^grad: input 1 \(shape \[2\]\) is not used/);
    const [, dy] = nd.grad((a: Tensor, _b: Tensor) => a.square().sum(), { allowUnused: true })(x, y);
    expect(dy.toArray()).to.deep.equal([0, 0]);
    expect(() => nd.jacobian(() => f64([1, 2]))(x)).to.throw(/^jacobian: the output does not depend on x/);
  });

  it("an op without a recorded backward refuses by name, never a zero", () => {
    // every core op records its backward now; the engine's rule still guards any that does not
    // (a custom op recorded without `differentiable`)
    const rawOnly = (t: Tensor): Tensor => {
      const out = new nd.Tensor(
        Float64Array.from(t.values, (v) => v * v),
        t.shape,
      );
      return record("rawSquare", [t], out, (g) => [
        new nd.Tensor(
          Float64Array.from(g.values, (v, i) => 2 * t.values[i] * v),
          t.shape,
        ),
      ]);
    };
    const x = f64([1.5, -2]);
    const f = (t: Tensor) => rawOnly(t).sum();
    expect(nd.grad(f)(x)[0].toArray()).to.deep.equal([3, -4]); // first order is fine
    expect(() => nd.hessian(f)(x)).to.throw(/^rawSquare: second-order gradient not implemented/);
    expect(() => nd.grad((t) => nd.grad(f)(t)[0].sum())(x)).to.throw(/^rawSquare: second-order gradient not implemented/);
    expect(() => nd.hvp(f)(x, x)).to.throw(/^rawSquare: second-order gradient not implemented/);
  });

  it("conv2d, both pools and batch norm's training op have second derivatives (a small CNN's Hessian is symmetric)", () => {
    const x = nd.randn([2, 1, 6, 6], { dtype: "float64", seed: 3 });
    const w2 = nd.randn([3, 2 * 2 * 2], { dtype: "float64", seed: 5 });
    const bn = new nn.BatchNorm2d(2, { dtype: "float64" });
    const f = (k: Tensor) => {
      const h = bn.forward(nd.conv2d(x, k, null, { padding: 1 })).relu();
      const pooled = nd.avgPool2d(nd.maxPool2d(h, 2, { stride: 1 }), 2, { stride: 2 });
      return nd.linear(nd.flatten(pooled, 1), w2).tanh().square().sum();
    };
    const k = nd.randn([2, 1, 3, 3], { dtype: "float64", seed: 4 });
    const h = nd.hessian(f)(k);
    expect(h.shape).to.deep.equal([2, 1, 3, 3, 2, 1, 3, 3]);
    let asym = 0,
      norm = 0;
    for (let i = 0; i < 18; i++) {
      for (let j = 0; j < 18; j++) {
        asym = Math.max(asym, Math.abs(h.values[i * 18 + j] - h.values[j * 18 + i]));
        norm = Math.max(norm, Math.abs(h.values[i * 18 + j]));
      }
    }
    expect(norm).to.be.greaterThan(0.1);
    expect(asym).to.be.lessThan(1e-10 * norm);
    // and the hvp agrees with the Hessian's product
    const v = nd.randn([2, 1, 3, 3], { dtype: "float64", seed: 6 });
    const hv = nd.hvp(f)(k, v);
    for (let i = 0; i < 18; i++) {
      let s = 0;
      for (let j = 0; j < 18; j++) s += h.values[i * 18 + j] * v.values[j];
      expect(hv.values[i]).to.be.closeTo(s, 1e-10 * norm);
    }
  });

  it("rejects bad input with messages naming the op and the value", () => {
    const x = f64([1, 2]);
    expect(() => nd.grad((t) => t.mul(2))(x)).to.throw(/^grad: f must return a one-element tensor, got shape \[2\]/);
    expect(() => nd.hessian((t) => t.mul(2))(x)).to.throw(/^hessian: f must return a one-element tensor, got shape \[2\]/);
    expect(() => nd.hvp((t) => t.mul(2))(x, x)).to.throw(/^hvp: f must return a one-element tensor, got shape \[2\]/);
    expect(() => nd.hvp(cube)(x, f64([1, 2, 3]))).to.throw(/^hvp: v must have x's shape \[2\], got \[3\]/);
    expect(() => nd.hvp(cube)(x, nd.tensor([1, 2]))).to.throw(/^hvp: v is float32 but x is float64/);
    expect(() => nd.grad((a: Tensor, b: Tensor) => a.sum().add(b.sum()))(x, nd.tensor([1]))).to.throw(
      /^grad: inputs have mixed dtypes: input 0 is float64, input 1 is float32/,
    );
    expect(() => nd.grad(cube, { createGraph: 1 as unknown as boolean })).to.throw(/^grad: createGraph must be true or false, got 1/);
    expect(() => nd.grad(cube, { creatGraph: true } as never)).to.throw(/grad/);
  });

  it("graph creation inside noGrad is an error; plain grad inside noGrad still works", () => {
    const x = f64([2], true);
    expect(() => nd.noGrad(() => nd.grad(cube, { createGraph: true })(x))).to.throw(/^grad: createGraph: true inside noGrad/);
    expect(() => nd.noGrad(() => cube(f64([1], true)))).to.not.throw();
    const y = f64([1], true);
    const loss = cube(y);
    expect(() => nd.noGrad(() => loss.backward({ createGraph: true }))).to.throw(/^backward: createGraph: true inside noGrad/);
    expect(y.grad).to.equal(null); // the rejected call changed nothing
    expect(nd.noGrad(() => nd.grad(cube)(x))[0].toArray()).to.deep.equal([12]);
  });
});
