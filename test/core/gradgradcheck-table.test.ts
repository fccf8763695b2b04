/**
 * Second order over the op table: every row's gradCheck cases through `gradGradCheck` in
 * float64 (the recorded backward against finite differences of the first-order gradient). Every
 * op has a recorded backward now; the refusal of one that has not ("<op>: second-order gradient
 * not implemented") is checked in higher-order.test.ts.
 */
import { expect } from "chai";
import * as nd from "../../core";
import { OP_TABLE } from "../support/op-table";

function inputsFor(shapes: number[][], k: number, domain?: (v: number) => number): nd.Tensor[] {
  return shapes.map((s, i) => {
    const t = nd.randn(s, { dtype: "float64", seed: 500 * k + i });
    if (domain) for (let j = 0; j < t.size; j++) t.values[j] = domain(t.values[j]);
    return t;
  });
}

describe("gradGradCheck over the op table (float64)", () => {
  OP_TABLE.forEach((row, r) => {
    row.grad.forEach((c, j) => {
      const inputs = () => inputsFor(c.shapes, 10 * r + j, c.domain);
      it(c.label, () => {
        const res = nd.gradGradCheck(c.f, inputs());
        expect(res.ok, `maxError ${res.maxError} worst ${JSON.stringify(res.worst)}`).to.equal(true);
      });
    });
  });

  it("can fail: a backward recorded with a wrong derivative is caught", () => {
    // x³ whose recorded backward claims 3x·g (the true slope is 3x²): first order is wrong too,
    // so break only the recorded path by going through a custom op
    const cubeWrongSecond = (x: nd.Tensor) => {
      const out = nd.mul(nd.mul(x, x), x);
      return out;
    };
    const ok = nd.gradGradCheck(cubeWrongSecond, [nd.randn([3], { dtype: "float64", seed: 1 })]);
    expect(ok.ok).to.equal(true);
    const wrong = (x: nd.Tensor) => {
      const out = nd.square(x);
      // keep first order right on the raw path, make the recorded path's slope 3x instead of 2x
      if (out.node) {
        const first = out.node.backward;
        out.node.backward = (g) => (nd.isGradEnabled() ? [nd.mul(g, nd.mul(x, 3))] : first(g));
      }
      return out;
    };
    expect(nd.gradGradCheck(wrong, [nd.randn([3], { dtype: "float64", seed: 2 })]).ok).to.equal(false);
  });
});
