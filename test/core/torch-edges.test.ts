/**
 * Recorded backward passes at their edges against PyTorch (`test/fixtures/torch-edges.json`,
 * written by `test/fixtures/gen_torch_edges.py`), in float64: x ** p at x = 0 up to the third
 * derivative (PyTorch's 0 where the exponent is 0, not 0·∞ = NaN), and binary cross-entropy on
 * probabilities at p = 0 and 1, where the forward clamps its logs at −100 and the first and
 * second derivatives follow PyTorch's closed forms. Non-finite values are "Infinity", "-Infinity"
 * and "NaN" in the file; null is PyTorch's "does not depend on it", which ndgrad's zeros must match.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as nd from "../../core";
import { binaryCrossEntropyProbs } from "../../core/ops/cross-entropy";

type Tensor = nd.Tensor;
type Num = number | "Infinity" | "-Infinity" | "NaN" | null;
interface PowCase {
  p: number;
  x: number;
  value: Num;
  d1: Num;
  d2: Num;
  d3: Num;
}
interface BceCase {
  p: number;
  y: number;
  value: Num;
  dp: Num;
  dy: Num;
  dpdp: Num;
  dpdy: Num;
  dydp: Num;
  dydy: Num;
}
const fixtures: { tolerance: { rtol: number }; pow: PowCase[]; binaryCrossEntropy: BceCase[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "fixtures", "torch-edges.json"), "utf8"),
);

function expected(v: Num): number {
  if (v === null) return 0;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (v === "NaN") return NaN;
  return v;
}

function expectSame(actual: number, want: Num, what: string): void {
  const e = expected(want);
  const ok = Number.isFinite(e)
    ? Math.abs(actual - e) <= fixtures.tolerance.rtol * Math.max(1, Math.abs(e))
    : Object.is(actual, e) || (Number.isNaN(e) && Number.isNaN(actual));
  expect(ok, `${what}: ndgrad ${actual}, PyTorch ${e}`).to.equal(true);
}

const scalar = (v: number) => nd.tensor([v], { dtype: "float64" });
/** d/dx of a scalar function, recorded (so it can be differentiated again); zeros where f does not depend on x. */
const d = (f: (x: Tensor) => Tensor) => (x: Tensor) => nd.grad((t) => f(t).sum(), { allowUnused: true })(x)[0];

describe("recorded backward at the edges, against PyTorch (float64)", () => {
  it("has the cases (x ** p for 9 exponents at 3 points, BCE at 15 (p, y) pairs)", () => {
    expect(fixtures.pow.length).to.equal(27);
    expect(fixtures.binaryCrossEntropy.length).to.equal(15);
  });

  for (const c of fixtures.pow) {
    it(`x ** ${c.p} at x = ${c.x}: value and three derivatives`, () => {
      const f0 = (x: Tensor) => nd.pow(x, c.p);
      const f1 = d(f0),
        f2 = d(f1),
        f3 = d(f2);
      const x = scalar(c.x);
      expectSame(f0(x).item(), c.value, "value");
      expectSame(f1(x).item(), c.d1, "d1");
      expectSame(f2(x).item(), c.d2, "d2");
      expectSame(f3(x).item(), c.d3, "d3");
    });
  }

  for (const c of fixtures.binaryCrossEntropy) {
    it(`binaryCrossEntropy at p = ${c.p}, y = ${c.y}: value, first and second derivatives`, () => {
      const loss = (p: Tensor, y: Tensor) => binaryCrossEntropyProbs(p, y).sum();
      const first = (p: Tensor, y: Tensor) => nd.grad(loss)(p, y);
      const p = scalar(c.p),
        y = scalar(c.y);
      expectSame(loss(p, y).item(), c.value, "value");
      const [dp, dy] = first(p, y);
      expectSame(dp.item(), c.dp, "dL/dp");
      expectSame(dy.item(), c.dy, "dL/dy");
      const second = (k: number) => nd.grad((a: Tensor, b: Tensor) => first(a, b)[k].sum(), { allowUnused: true })(p, y);
      const [dpdp, dpdy] = second(0);
      const [dydp, dydy] = second(1);
      expectSame(dpdp.item(), c.dpdp, "d(dL/dp)/dp");
      expectSame(dpdy.item(), c.dpdy, "d(dL/dp)/dy");
      expectSame(dydp.item(), c.dydp, "d(dL/dy)/dp");
      expectSame(dydy.item(), c.dydy, "d(dL/dy)/dy");
    });
  }

  it("first order (the raw kernels) agrees with the recorded path at the edges", () => {
    for (const c of fixtures.binaryCrossEntropy) {
      const p = nd.tensor([c.p], { dtype: "float64", requiresGrad: true });
      const y = nd.tensor([c.y], { dtype: "float64", requiresGrad: true });
      binaryCrossEntropyProbs(p, y).sum().backward();
      expectSame((p.grad as Tensor).item(), c.dp, `raw dL/dp at p = ${c.p}, y = ${c.y}`);
      expectSame((y.grad as Tensor).item(), c.dy, `raw dL/dy at p = ${c.p}, y = ${c.y}`);
    }
    for (const c of fixtures.pow) {
      const x = nd.tensor([c.x], { dtype: "float64", requiresGrad: true });
      nd.pow(x, c.p).sum().backward();
      expectSame((x.grad as Tensor).item(), c.d1, `raw d(x ** ${c.p})/dx at ${c.x}`);
    }
  });
});
