/**
 * The op table (test/support/op-table.ts): every differentiable op, with broadcasting cases,
 * through `gradCheck` in float64 (tinygrad's helper_test_op + minitorch's MathTest, with finite
 * differences as the oracle), plus a few compositions.
 */
import { expect } from "chai";
import * as nd from "../../core";
import { Tensor } from "../../core";

import * as fs from "fs";
import * as path from "path";
import { GradCase, NOT_DIFFERENTIABLE, OP_TABLE } from "../support/op-table";
import { onEachBackend } from "../support/backends";

/** Cases that exercise the tape across ops rather than one op. */
const compositions: GradCase[] = [
  { label: "mlp-like chain", f: (x, w, b) => nd.tanh(nd.add(nd.matmul(x, w), b)).sum({ axis: 1 }), shapes: [[4, 3], [3, 2], [2]] },
  { label: "value used twice", f: (x) => nd.mul(x, nd.exp(x)).add(x), shapes: [[3]] },
];

const cases: GradCase[] = [...OP_TABLE.flatMap((row) => row.grad), ...compositions];

/** The op functions core exports from core/ops (read from core/index.ts). */
function exportedOps(): string[] {
  const src = fs.readFileSync(path.join(__dirname, "..", "..", "core", "index.ts"), "utf8");
  const names: string[] = [];
  for (const m of src.matchAll(/^export \{([^}]*)\} from "\.\/ops\/[^"]+";$/gm))
    names.push(
      ...m[1]
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean),
    );
  return names;
}

describe("the op table", () => {
  it("has a row for every differentiable op core exports, and every row has gradCheck cases", () => {
    const rows = new Set(OP_TABLE.map((r) => r.op));
    const ops = exportedOps();
    expect(ops.length).to.be.greaterThan(40);
    expect(
      ops.filter((op) => !rows.has(op) && !NOT_DIFFERENTIABLE.includes(op)),
      "exported ops without a row",
    ).to.deep.equal([]);
    expect(
      OP_TABLE.filter((r) => r.grad.length === 0).map((r) => r.op),
      "rows without gradCheck cases",
    ).to.deep.equal([]);
    expect(OP_TABLE.length, "one row per op").to.equal(rows.size);
  });
});

onEachBackend("gradCheck over the op table (float64)", () => {
  cases.forEach((c, k) => {
    it(c.label, () => {
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
  it("rejects mismatched shapes", () => {
    expect(() => nd.linear(nd.zeros([2, 3]), nd.zeros([4, 5]))).to.throw(/linear: input \[2,3\] does not end in 5/);
    expect(() => nd.linear(nd.zeros([2, 5]), nd.zeros([4, 5]), nd.zeros([3]))).to.throw(/linear: bias must have shape \[4\], got \[3\]/);
  });
});
