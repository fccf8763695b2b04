/**
 * Every core op against PyTorch: forward values and the gradient of every input, for the
 * cases in `test/fixtures/torch-ops.json` (written by `test/fixtures/gen_torch_fixtures.py`,
 * see its header for the format and how to regenerate; PyTorch is not needed here).
 *
 * Each case builds float32 inputs (requiresGrad as the fixture says), runs the op through its
 * `core` function, compares the output, then calls `out.backward(gradOutput)` and compares each
 * input's `.grad` with `torch.autograd.grad(out, inputs, gradOutput)`.
 * Values match when |actual - expected| <= atol + rtol * |expected| (1e-5 each unless the case
 * says otherwise); the generator guarantees the float32 reference itself is within a quarter
 * of that of the float64 result.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as core from "../../core";
import { FixtureArgs, FixtureCall, OP_TABLE } from "../support/op-table";
import { onEachBackend } from "../support/backends";

type Tensor = core.Tensor;

interface Blob {
  shape: number[];
  values: number[];
}
interface Input extends Blob {
  requiresGrad: boolean;
}
interface Tol {
  atol: number;
  rtol: number;
}
interface Case {
  op: string;
  label: string;
  args: FixtureArgs;
  inputs: Input[];
  output: Blob;
  gradOutput: Blob;
  grads: (Blob | null)[];
  tol?: Tol;
}
interface Fixtures {
  torchVersion: string;
  tolerance: Tol;
  cases: Case[];
}

const fixtures: Fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "torch-ops.json"), "utf8"));

/** The ops listed under `core` in API.md that the fixtures must cover (dropout is random: not here). */
const CORE_OPS = [
  "add",
  "sub",
  "mul",
  "div",
  "neg",
  "pow",
  "exp",
  "log",
  "sqrt",
  "abs",
  "square",
  "tanh",
  "sigmoid",
  "relu",
  "gelu",
  "softplus",
  "clip",
  "maximum",
  "minimum",
  "where",
  "matmul",
  "sum",
  "mean",
  "max",
  "min",
  "logsumexp",
  "reshape",
  "transpose",
  "flatten",
  "squeeze",
  "unsqueeze",
  "concat",
  "stack",
  "slice",
  "broadcastTo",
  "softmax",
  "logSoftmax",
  "conv2d",
  "maxPool2d",
  "avgPool2d",
];

/** How each fixture op is called: the `fixture` column of the op table. */
const OPS: Record<string, FixtureCall> = Object.fromEntries(OP_TABLE.filter((r) => r.fixture !== null).map((r) => [r.op, r.fixture as FixtureCall]));

function toTensor(b: Blob, requiresGrad = false): Tensor {
  return core.tensor(Float32Array.from(b.values), { shape: b.shape.slice(), requiresGrad });
}

function indexOf(flat: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/** Shape, dtype and every value of `actual` against the fixture, with a message naming what is off. */
function expectClose(actual: Tensor | null, expected: Blob, what: string, tol: Tol): void {
  expect(actual, `${what} is null`).to.not.equal(null);
  const t = actual as Tensor;
  expect(Array.from(t.shape), `${what}: shape`).to.deep.equal(expected.shape);
  expect(t.dtype, `${what}: dtype`).to.equal("float32");
  const got = t.values;
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.values.length; i++) {
    const e = expected.values[i];
    const diff = Math.abs(got[i] - e);
    if (!(diff <= tol.atol + tol.rtol * Math.abs(e))) {
      count++;
      if (bad.length < 4) bad.push(`[${indexOf(i, expected.shape).join(",")}] got ${got[i]} expected ${e} (|diff| ${diff.toExponential(2)})`);
    }
  }
  if (count > 0) {
    throw new Error(
      `${what}: ${count} of ${expected.values.length} values differ from PyTorch beyond ` + `${tol.atol} + ${tol.rtol}*|expected|: ${bad.join("; ")}`,
    );
  }
}

onEachBackend(`PyTorch fixtures for core ops (torch ${fixtures.torchVersion})`, () => {
  it("cover every core op of API.md, and only known ops", () => {
    const ops = new Set(fixtures.cases.map((c) => c.op));
    expect(
      CORE_OPS.filter((op) => !ops.has(op)),
      "core ops without a fixture",
    ).to.deep.equal([]);
    expect(
      [...ops].filter((op) => !(op in OPS)),
      "fixture ops without a mapping",
    ).to.deep.equal([]);
  });

  for (const c of fixtures.cases) {
    it(`${c.op}: ${c.label}`, () => {
      const call = OPS[c.op];
      if (call === undefined) throw new Error(`no mapping for fixture op "${c.op}"`);
      const tol = c.tol ?? fixtures.tolerance;
      const inputs = c.inputs.map((b) => toTensor(b, b.requiresGrad));

      const out = call(inputs, c.args);
      expectClose(out, c.output, "output", tol);

      out.backward(toTensor(c.gradOutput));
      c.inputs.forEach((b, i) => {
        const expected = c.grads[i];
        if (expected === null) {
          expect(inputs[i].grad, `input ${i} has no grad (requiresGrad false)`).to.equal(null);
        } else {
          expectClose(inputs[i].grad, expected, `grad of input ${i}`, tol);
        }
      });
    });
  }
});
