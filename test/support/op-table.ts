/**
 * The op table: one row per differentiable core op, feeding every op test —
 * - `grad`: the gradCheck cases in float64 (test/core/gradcheck-table.test.ts),
 * - `fixture`: how a case of test/fixtures/torch-ops.json calls the op (test/core/torch-fixtures.test.ts;
 *   the cases themselves come from one `gen_torch_fixtures.py` line per op),
 * - `naive`: an independent scalar reference for elementwise ops (test/core/forward.test.ts).
 * A new op is its file, its export, one row here and one generator line.
 */
import * as core from "../../core";
import { batchNorm2dTrain } from "../../core/ops/batchnorm";

type Tensor = core.Tensor;

/** The non-tensor arguments of a fixture case, named as in the public API (see the generator's header). */
export interface FixtureArgs {
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

/** Runs the op on a fixture case's input tensors and arguments. */
export type FixtureCall = (inputs: Tensor[], args: FixtureArgs) => Tensor;

/** One gradCheck case: the function of the inputs, their shapes, and a map of N(0, 1) samples into the op's domain. */
export interface GradCase {
  label: string;
  f: (...xs: Tensor[]) => Tensor;
  shapes: number[][];
  domain?: (v: number) => number;
}

export interface OpRow {
  /** The op's name in core and in the fixtures. */
  op: string;
  grad: GradCase[];
  /** null: no PyTorch fixture (a random op, or one PyTorch has no single function for). */
  fixture: FixtureCall | null;
  naive?: { unary: (x: number) => number } | { binary: (x: number, y: number) => number };
}

const positive = (v: number) => Math.abs(v) + 0.5;
const awayFromZero = (v: number) => (v >= 0 ? v + 0.1 : v - 0.1);
const awayFromClipEdges = (v: number) => (Math.abs(v - 0.7) < 0.05 || Math.abs(v + 0.5) < 0.05 ? v + 0.2 : v);

/** [N, C, H, W] → [N, C, H, 2W] with every column twice: max-pooling windows then hold exact ties. */
function twinColumns(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape;
  return core.reshape(core.broadcastTo(core.unsqueeze(x, 4), [n, c, h, w, 2]), [n, c, h, 2 * w]);
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`fixture is missing args.${what}`);
  return v;
}

function axisNumber(a: FixtureArgs, op: string): number {
  if (typeof a.axis !== "number") throw new Error(`fixture for ${op} needs a numeric axis, got ${String(a.axis)}`);
  return a.axis;
}

/** Reduction options exactly as the fixture gives them (none at all for a plain full reduction). */
function reduceCall(f: (x: Tensor, opts?: { axis?: number | number[]; keepDims?: boolean }) => Tensor): FixtureCall {
  return ([x], a) => {
    if (a.axis === undefined && a.keepDims === undefined) return f(x);
    const opts: { axis?: number | number[]; keepDims?: boolean } = {};
    if (a.axis !== undefined) opts.axis = a.axis;
    if (a.keepDims !== undefined) opts.keepDims = a.keepDims;
    return f(x, opts);
  };
}

/** A binary op whose second operand is either the second input or the JS number args.b. */
function binaryCall(f: (x: Tensor | number, y: Tensor | number) => Tensor): FixtureCall {
  return (ins, a) => f(ins[0], a.b !== undefined ? a.b : ins[1]);
}

function poolCall(f: (x: Tensor, k: number, opts?: { stride?: number }) => Tensor): FixtureCall {
  return ([x], a) => (a.stride === undefined ? f(x, need(a.k, "k")) : f(x, need(a.k, "k"), { stride: a.stride as number }));
}

/** A unary op: its gradCheck cases, its fixture call and its Math reference. */
function unary(op: string, fn: (x: Tensor) => Tensor, shapes: number[], ref: (x: number) => number, domain?: (v: number) => number): OpRow {
  return { op, grad: [{ label: op, f: (x) => fn(x), shapes: [shapes], domain }], fixture: ([x]) => fn(x), naive: { unary: ref } };
}

export const OP_TABLE: OpRow[] = [
  // unary
  unary("neg", core.neg, [3, 4], (x) => -x),
  unary("exp", core.exp, [3, 4], Math.exp),
  unary("log", core.log, [3, 4], Math.log, positive),
  unary("sqrt", core.sqrt, [5], Math.sqrt, positive),
  unary("abs", core.abs, [2, 3], Math.abs, awayFromZero),
  unary("square", core.square, [2, 3], (x) => x * x),
  unary("tanh", core.tanh, [2, 3], Math.tanh),
  unary("sigmoid", core.sigmoid, [2, 3], (x) => 1 / (1 + Math.exp(-x))),
  unary("relu", core.relu, [2, 3], (x) => Math.max(x, 0), awayFromZero),
  unary("softplus", core.softplus, [2, 3], (x) => Math.log(1 + Math.exp(x))),
  {
    op: "gelu",
    grad: [
      { label: "gelu", f: (x) => core.gelu(x), shapes: [[2, 3]] },
      { label: "gelu tanh", f: (x) => core.gelu(x, { approximate: "tanh" }), shapes: [[2, 3]] },
    ],
    fixture: ([x], a) => (a.approximate === undefined ? core.gelu(x) : core.gelu(x, { approximate: a.approximate })),
  },
  {
    op: "clip",
    grad: [{ label: "clip", f: (x) => core.clip(x, -0.5, 0.7), shapes: [[4, 3]], domain: awayFromClipEdges }],
    fixture: ([x], a) => core.clip(x, need(a.min, "min"), need(a.max, "max")),
    naive: { unary: (x) => Math.min(Math.max(x, -0.5), 0.7) },
  },
  // binary, same shape and broadcast
  {
    op: "add",
    grad: [
      {
        label: "add",
        f: (a, b) => core.add(a, b),
        shapes: [
          [2, 3],
          [2, 3],
        ],
      },
      { label: "add broadcast row", f: (a, b) => core.add(a, b), shapes: [[2, 3], [3]] },
      {
        label: "add broadcast both",
        f: (a, b) => core.add(a, b),
        shapes: [
          [2, 1, 4],
          [3, 1],
        ],
      },
      { label: "add scalar tensor", f: (a, b) => core.add(a, b), shapes: [[2, 3], []] },
    ],
    fixture: binaryCall(core.add),
    naive: { binary: (x, y) => x + y },
  },
  {
    op: "sub",
    grad: [
      {
        label: "sub broadcast",
        f: (a, b) => core.sub(a, b),
        shapes: [
          [4, 1],
          [1, 3],
        ],
      },
    ],
    fixture: binaryCall(core.sub),
    naive: { binary: (x, y) => x - y },
  },
  {
    op: "mul",
    grad: [
      {
        label: "mul broadcast",
        f: (a, b) => core.mul(a, b),
        shapes: [
          [2, 3, 4],
          [3, 1],
        ],
      },
      { label: "mul number", f: (a) => core.mul(a, 2.5), shapes: [[3]] },
    ],
    fixture: binaryCall(core.mul),
    naive: { binary: (x, y) => x * y },
  },
  {
    op: "div",
    grad: [
      {
        label: "div broadcast",
        f: (a, b) => core.div(a, b),
        shapes: [
          [2, 3],
          [2, 1],
        ],
        domain: positive,
      },
    ],
    fixture: binaryCall(core.div),
    naive: { binary: (x, y) => x / y },
  },
  {
    op: "pow",
    grad: [
      { label: "pow number", f: (a) => core.pow(a, 3), shapes: [[2, 3]] },
      { label: "pow tensor", f: (a, b) => core.pow(a, b), shapes: [[2, 3], [3]], domain: positive },
    ],
    fixture: ([x, e], a) => core.pow(x, a.exponent !== undefined ? a.exponent : e),
  },
  {
    op: "maximum",
    grad: [{ label: "maximum", f: (a, b) => core.maximum(a, b), shapes: [[3, 4], [4]] }],
    fixture: binaryCall(core.maximum),
    naive: { binary: Math.max },
  },
  {
    op: "minimum",
    grad: [
      {
        label: "minimum",
        f: (a, b) => core.minimum(a, b),
        shapes: [
          [3, 4],
          [3, 1],
        ],
      },
    ],
    fixture: binaryCall(core.minimum),
    naive: { binary: Math.min },
  },
  {
    op: "where",
    grad: [{ label: "where", f: (a, b) => core.where(core.greater(a, 0), a, b), shapes: [[3, 4], [4]], domain: awayFromZero }],
    fixture: ([c, x, y]) => core.where(c, x, y),
  },
  // reductions
  {
    op: "sum",
    grad: [
      { label: "sum all", f: (x) => core.sum(x), shapes: [[3, 4]] },
      { label: "sum axis 1", f: (x) => core.sum(x, { axis: 1 }), shapes: [[3, 4, 2]] },
      { label: "sum axes keepDims", f: (x) => core.sum(x, { axis: [0, 2], keepDims: true }), shapes: [[3, 4, 2]] },
    ],
    fixture: reduceCall(core.sum),
  },
  {
    op: "mean",
    grad: [
      { label: "mean axis -1", f: (x) => core.mean(x, { axis: -1 }), shapes: [[3, 4]] },
      { label: "mean all", f: (x) => core.mean(x), shapes: [[2, 5]] },
    ],
    fixture: reduceCall(core.mean),
  },
  { op: "max", grad: [{ label: "max axis 0", f: (x) => core.max(x, { axis: 0 }), shapes: [[4, 3]] }], fixture: reduceCall(core.max) },
  { op: "min", grad: [{ label: "min all", f: (x) => core.min(x), shapes: [[4, 3]] }], fixture: reduceCall(core.min) },
  {
    op: "logsumexp",
    grad: [
      { label: "logsumexp axis 1", f: (x) => core.logsumexp(x, { axis: 1 }), shapes: [[3, 5]] },
      { label: "logsumexp all keepDims", f: (x) => core.logsumexp(x, { keepDims: true }), shapes: [[2, 3]] },
    ],
    fixture: reduceCall(core.logsumexp),
  },
  // matmul
  {
    op: "matmul",
    grad: [
      {
        label: "matmul 2-D",
        f: (a, b) => core.matmul(a, b),
        shapes: [
          [3, 4],
          [4, 5],
        ],
      },
      {
        label: "matmul batched",
        f: (a, b) => core.matmul(a, b),
        shapes: [
          [2, 3, 4],
          [2, 4, 2],
        ],
      },
      {
        label: "matmul broadcast batch",
        f: (a, b) => core.matmul(a, b),
        shapes: [
          [2, 3, 4],
          [4, 2],
        ],
      },
    ],
    fixture: ([x, y]) => core.matmul(x, y),
  },
  // layout
  {
    op: "reshape",
    grad: [{ label: "reshape", f: (x) => core.reshape(x, [4, -1]), shapes: [[2, 6]] }],
    fixture: ([x], a) => core.reshape(x, need(a.shape, "shape")),
  },
  {
    op: "transpose",
    grad: [
      { label: "transpose", f: (x) => core.transpose(x), shapes: [[2, 3, 4]] },
      { label: "transpose perm", f: (x) => core.transpose(x, [1, 0, 2]), shapes: [[2, 3, 4]] },
    ],
    fixture: ([x], a) => (a.perm === undefined ? core.transpose(x) : core.transpose(x, a.perm)),
  },
  {
    op: "flatten",
    grad: [{ label: "flatten", f: (x) => core.flatten(x, 1), shapes: [[2, 3, 2]] }],
    fixture: ([x], a) => (a.startAxis === undefined ? core.flatten(x) : core.flatten(x, a.startAxis)),
  },
  {
    op: "squeeze",
    grad: [{ label: "squeeze", f: (x) => core.squeeze(x), shapes: [[1, 3, 1]] }],
    fixture: ([x], a) => (a.axis === undefined ? core.squeeze(x) : core.squeeze(x, axisNumber(a, "squeeze"))),
  },
  {
    op: "unsqueeze",
    grad: [{ label: "unsqueeze", f: (x) => core.unsqueeze(x, 1), shapes: [[3, 2]] }],
    fixture: ([x], a) => core.unsqueeze(x, axisNumber(a, "unsqueeze")),
  },
  {
    op: "concat",
    grad: [
      {
        label: "concat",
        f: (a, b) => core.concat([a, b], 1),
        shapes: [
          [2, 3],
          [2, 2],
        ],
      },
    ],
    fixture: (xs, a) => core.concat(xs, axisNumber(a, "concat")),
  },
  {
    op: "stack",
    grad: [
      {
        label: "stack",
        f: (a, b) => core.stack([a, b], 1),
        shapes: [
          [2, 3],
          [2, 3],
        ],
      },
    ],
    fixture: (xs, a) => core.stack(xs, axisNumber(a, "stack")),
  },
  {
    op: "slice",
    grad: [{ label: "slice", f: (x) => core.slice(x, [1, 0], [2, -1]), shapes: [[4, 3]] }],
    fixture: ([x], a) => core.slice(x, need(a.begin, "begin"), need(a.size, "size")),
  },
  {
    op: "broadcastTo",
    grad: [{ label: "broadcastTo", f: (x) => core.broadcastTo(x, [2, 3, 4]), shapes: [[3, 1]] }],
    fixture: ([x], a) => core.broadcastTo(x, need(a.shape, "shape")),
  },
  // softmax family
  {
    op: "softmax",
    grad: [
      { label: "softmax", f: (x) => core.softmax(x), shapes: [[3, 5]] },
      { label: "softmax axis 0", f: (x) => core.softmax(x, 0), shapes: [[3, 5]] },
    ],
    fixture: ([x], a) => (a.axis === undefined ? core.softmax(x) : core.softmax(x, axisNumber(a, "softmax"))),
  },
  {
    op: "logSoftmax",
    grad: [
      { label: "logSoftmax", f: (x) => core.logSoftmax(x), shapes: [[3, 5]] },
      { label: "logSoftmax axis 1 of 3", f: (x) => core.logSoftmax(x, 1), shapes: [[2, 3, 4]] },
    ],
    fixture: ([x], a) => (a.axis === undefined ? core.logSoftmax(x) : core.logSoftmax(x, axisNumber(a, "logSoftmax"))),
  },
  // conv and pooling
  {
    op: "conv2d",
    grad: [
      { label: "conv2d", f: (x, w, b) => core.conv2d(x, w, b), shapes: [[2, 2, 5, 5], [3, 2, 3, 3], [3]] },
      {
        label: "conv2d stride 2 padding 1",
        f: (x, w) => core.conv2d(x, w, undefined, { stride: 2, padding: 1 }),
        shapes: [
          [1, 2, 6, 5],
          [2, 2, 3, 2],
        ],
      },
      // the GEMM kernels (inCh·kh·kw > 64), an uneven stride and padding, squared so the
      // gradient depends on the inputs (second order then runs the gradient ops' own backward)
      {
        label: "conv2d gemm path stride [2,1] padding [1,0] bias, squared",
        f: (x, w, b) => core.conv2d(x, w, b, { stride: [2, 1], padding: [1, 0] }).square(),
        shapes: [[2, 8, 5, 4], [2, 8, 3, 3], [2]],
      },
      { label: "conv2d 1x1 bias, squared", f: (x, w, b) => core.conv2d(x, w, b).square(), shapes: [[2, 3, 2, 3], [4, 3, 1, 1], [4]] },
      {
        label: "conv2d direct 3x3 padding 1, squared",
        f: (x, w) => core.conv2d(x, w, null, { padding: 1 }).square(),
        shapes: [
          [1, 2, 4, 4],
          [2, 2, 3, 3],
        ],
      },
    ],
    fixture: ([x, w, b], a) => {
      if (a.stride === undefined && a.padding === undefined) return b === undefined ? core.conv2d(x, w) : core.conv2d(x, w, b);
      const opts: { stride?: number | [number, number]; padding?: number | [number, number] } = {};
      if (a.stride !== undefined) opts.stride = a.stride;
      if (a.padding !== undefined) opts.padding = a.padding;
      return core.conv2d(x, w, b, opts);
    },
  },
  {
    op: "maxPool2d",
    grad: [
      { label: "maxPool2d", f: (x) => core.maxPool2d(x, 2), shapes: [[2, 2, 4, 4]] },
      { label: "maxPool2d k3 s1", f: (x) => core.maxPool2d(x, 3, { stride: 1 }), shapes: [[1, 2, 5, 5]] },
      { label: "maxPool2d k [2,3] stride [1,2], squared", f: (x) => core.maxPool2d(x, [2, 3], { stride: [1, 2] }).square(), shapes: [[1, 2, 4, 7]] },
      // every window holds each value twice (ties that survive any perturbation): the first copy takes the gradient
      { label: "maxPool2d ties, overlapping windows, squared", f: (x) => core.maxPool2d(twinColumns(x), 2, { stride: 1 }).square(), shapes: [[1, 2, 3, 3]] },
    ],
    fixture: poolCall(core.maxPool2d),
  },
  {
    op: "avgPool2d",
    grad: [
      { label: "avgPool2d", f: (x) => core.avgPool2d(x, 2), shapes: [[2, 2, 4, 4]] },
      { label: "avgPool2d k3 s2 (overlapping), squared", f: (x) => core.avgPool2d(x, 3, { stride: 2 }).square(), shapes: [[1, 2, 7, 6]] },
      { label: "avgPool2d k [2,3] stride [1,2], squared", f: (x) => core.avgPool2d(x, [2, 3], { stride: [1, 2] }).square(), shapes: [[2, 1, 3, 7]] },
    ],
    fixture: poolCall(core.avgPool2d),
  },
  // batch norm's training op (nn.BatchNorm2d in train mode); PyTorch's is checked in torch-nn.json
  {
    op: "batchNorm2d",
    grad: [
      { label: "batchNorm2d training, affine", f: (x, w, b) => batchNorm2dTrain(x, w, b, 1e-5).out, shapes: [[3, 2, 2, 3], [2], [2]] },
      { label: "batchNorm2d training, no affine, squared", f: (x) => batchNorm2dTrain(x, null, null, 1e-3).out.square(), shapes: [[2, 3, 2, 2]] },
    ],
    fixture: null,
  },
  // dropout with a fixed seed is a fixed linear map; random, so no PyTorch fixture
  { op: "dropout", grad: [{ label: "dropout", f: (x) => core.dropout(x, 0.3, true, { seed: 7 }), shapes: [[4, 5]] }], fixture: null },
  // the fused x·wᵀ + b (PyTorch's F.linear is matmul + add, checked by the forward test instead)
  {
    op: "linear",
    grad: [
      { label: "linear 2-D with bias", f: (x, w, b) => core.linear(x, w, b), shapes: [[5, 4], [3, 4], [3]] },
      { label: "linear 3-D input", f: (x, w, b) => core.linear(x, w, b), shapes: [[2, 3, 4], [6, 4], [6]] },
      {
        label: "linear no bias",
        f: (x, w) => core.linear(x, w),
        shapes: [
          [7, 9],
          [5, 9],
        ],
      },
    ],
    fixture: null,
  },
];

/** Core exports that are not differentiable ops (comparisons give 0/1 masks): no row needed. */
export const NOT_DIFFERENTIABLE = ["equal", "notEqual", "greater", "greaterEqual", "less", "lessEqual"];
