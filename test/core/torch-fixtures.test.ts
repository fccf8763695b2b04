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
/** The non-tensor arguments, named as in API.md (see the generator's header). */
interface Args {
  axis?: number | number[];
  keepDims?: boolean;
  b?: number;
  exponent?: number;
  min?: number;
  max?: number;
  approximate?: "none" | "tanh";
  shape?: number[];
  perm?: number[];
  startAxis?: number;
  begin?: number[];
  size?: number[];
  stride?: number | [number, number];
  padding?: number | [number, number];
  k?: number;
}
interface Case {
  op: string;
  label: string;
  args: Args;
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
  "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "square", "tanh", "sigmoid",
  "relu", "gelu", "softplus", "clip", "maximum", "minimum", "where", "matmul", "sum", "mean", "max",
  "min", "logsumexp", "reshape", "transpose", "flatten", "squeeze", "unsqueeze", "concat", "stack",
  "slice", "broadcastTo", "softmax", "logSoftmax", "conv2d", "maxPool2d", "avgPool2d",
];

function axisNumber(a: Args, op: string): number {
  if (typeof a.axis !== "number") throw new Error(`fixture for ${op} needs a numeric axis, got ${JSON.stringify(a.axis)}`);
  return a.axis;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`fixture is missing args.${what}`);
  return v;
}

/** Reduction options exactly as the fixture gives them (none at all for a plain full reduction). */
function reduceCall(f: (x: Tensor, opts?: { axis?: number | number[]; keepDims?: boolean }) => Tensor) {
  return ([x]: Tensor[], a: Args): Tensor => {
    if (a.axis === undefined && a.keepDims === undefined) return f(x);
    const opts: { axis?: number | number[]; keepDims?: boolean } = {};
    if (a.axis !== undefined) opts.axis = a.axis;
    if (a.keepDims !== undefined) opts.keepDims = a.keepDims;
    return f(x, opts);
  };
}

/** A binary op whose second operand is either the second input or the JS number args.b. */
function binaryCall(f: (x: Tensor | number, y: Tensor | number) => Tensor) {
  return (ins: Tensor[], a: Args): Tensor => f(ins[0], a.b !== undefined ? a.b : ins[1]);
}

function poolOpts(a: Args): { stride?: number } | undefined {
  return a.stride === undefined ? undefined : { stride: a.stride as number };
}

type Call = (inputs: Tensor[], args: Args) => Tensor;

const OPS: Record<string, Call> = {
  add: binaryCall(core.add),
  sub: binaryCall(core.sub),
  mul: binaryCall(core.mul),
  div: binaryCall(core.div),
  maximum: binaryCall(core.maximum),
  minimum: binaryCall(core.minimum),
  pow: ([x, e], a) => core.pow(x, a.exponent !== undefined ? a.exponent : e),
  neg: ([x]) => core.neg(x),
  exp: ([x]) => core.exp(x),
  log: ([x]) => core.log(x),
  sqrt: ([x]) => core.sqrt(x),
  abs: ([x]) => core.abs(x),
  square: ([x]) => core.square(x),
  tanh: ([x]) => core.tanh(x),
  sigmoid: ([x]) => core.sigmoid(x),
  relu: ([x]) => core.relu(x),
  softplus: ([x]) => core.softplus(x),
  gelu: ([x], a) => (a.approximate === undefined ? core.gelu(x) : core.gelu(x, { approximate: a.approximate })),
  clip: ([x], a) => core.clip(x, need(a.min, "min"), need(a.max, "max")),
  where: ([c, x, y]) => core.where(c, x, y),
  matmul: ([x, y]) => core.matmul(x, y),
  sum: reduceCall(core.sum),
  mean: reduceCall(core.mean),
  max: reduceCall(core.max),
  min: reduceCall(core.min),
  logsumexp: reduceCall(core.logsumexp),
  reshape: ([x], a) => core.reshape(x, need(a.shape, "shape")),
  transpose: ([x], a) => (a.perm === undefined ? core.transpose(x) : core.transpose(x, a.perm)),
  flatten: ([x], a) => (a.startAxis === undefined ? core.flatten(x) : core.flatten(x, a.startAxis)),
  squeeze: ([x], a) => (a.axis === undefined ? core.squeeze(x) : core.squeeze(x, axisNumber(a, "squeeze"))),
  unsqueeze: ([x], a) => core.unsqueeze(x, axisNumber(a, "unsqueeze")),
  concat: (xs, a) => core.concat(xs, axisNumber(a, "concat")),
  stack: (xs, a) => core.stack(xs, axisNumber(a, "stack")),
  slice: ([x], a) => core.slice(x, need(a.begin, "begin"), need(a.size, "size")),
  broadcastTo: ([x], a) => core.broadcastTo(x, need(a.shape, "shape")),
  softmax: ([x], a) => (a.axis === undefined ? core.softmax(x) : core.softmax(x, axisNumber(a, "softmax"))),
  logSoftmax: ([x], a) => (a.axis === undefined ? core.logSoftmax(x) : core.logSoftmax(x, axisNumber(a, "logSoftmax"))),
  conv2d: ([x, w, b], a) => {
    if (a.stride === undefined && a.padding === undefined) return b === undefined ? core.conv2d(x, w) : core.conv2d(x, w, b);
    const opts: { stride?: number | [number, number]; padding?: number | [number, number] } = {};
    if (a.stride !== undefined) opts.stride = a.stride;
    if (a.padding !== undefined) opts.padding = a.padding;
    return core.conv2d(x, w, b, opts);
  },
  maxPool2d: ([x], a) => {
    const opts = poolOpts(a);
    return opts === undefined ? core.maxPool2d(x, need(a.k, "k")) : core.maxPool2d(x, need(a.k, "k"), opts);
  },
  avgPool2d: ([x], a) => {
    const opts = poolOpts(a);
    return opts === undefined ? core.avgPool2d(x, need(a.k, "k")) : core.avgPool2d(x, need(a.k, "k"), opts);
  },
};

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
    throw new Error(`${what}: ${count} of ${expected.values.length} values differ from PyTorch beyond ` +
      `${tol.atol} + ${tol.rtol}*|expected|: ${bad.join("; ")}`);
  }
}

describe(`PyTorch fixtures for core ops (torch ${fixtures.torchVersion})`, () => {
  it("cover every core op of API.md, and only known ops", () => {
    const ops = new Set(fixtures.cases.map((c) => c.op));
    expect(CORE_OPS.filter((op) => !ops.has(op)), "core ops without a fixture").to.deep.equal([]);
    expect([...ops].filter((op) => !(op in OPS)), "fixture ops without a mapping").to.deep.equal([]);
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
