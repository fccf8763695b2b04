/**
 * Elementwise unary ops. Each is declared once with its forward and its derivative side by side:
 * `derivative(x, y, g)` gets the input, the output and the upstream gradient of one element.
 *
 * The ops that sit on every training step's path (relu, exp, tanh, sigmoid, neg, square) have
 * their loops written out by hand instead: a loop that calls `forward`/`derivative` through a
 * variable is shared by all ops, so V8 sees a megamorphic call per element and cannot inline
 * it (about 4x slower for relu, measured in bench/experiments/relu.ts).
 *
 * Higher order: each op also gives its derivative dy/dx as a tensor built from differentiable
 * ops (`slope`), used instead of the raw loop when the backward pass is being recorded; an op
 * without one refuses graph creation (autograd.ts).
 */
import { FloatArray, allocate } from "../dtype";
import { Tensor } from "../tensor";
import { isGradEnabled, maskedGradient, record } from "../autograd";
import { add, mul, pow, sub } from "./binary";
import { erf } from "./erf";
import { checkOptionKeys, show } from "../check";
import { checkTensor } from "./operand";
import { wasmOpKernels } from "../kernels/op-kernels";

type Fwd = (x: number) => number;
type Deriv = (x: number, y: number, g: number) => number;
/** dy/dx as a differentiable tensor function of the input and the output. */
type Slope = (x: Tensor, y: Tensor) => Tensor;

function unaryOp(name: string, forward: Fwd, derivative: Deriv, slope?: Slope): (x: Tensor) => Tensor {
  const op = (x: Tensor): Tensor => {
    checkTensor(name, "x", x);
    const xv = x.values;
    const yv = allocate(x.dtype, xv.length);
    for (let i = 0; i < xv.length; i++) yv[i] = forward(xv[i]);
    const y = new Tensor(yv, x.shape);
    return record(
      name,
      [x],
      y,
      (g) => {
        if (slope && isGradEnabled()) return [mul(g, slope(x, y))];
        const gv = g.values;
        const dx = allocate(x.dtype, xv.length);
        for (let i = 0; i < xv.length; i++) dx[i] = derivative(xv[i], yv[i], gv[i]);
        return [new Tensor(dx, x.shape)];
      },
      slope !== undefined,
    );
  };
  Object.defineProperty(op, "name", { value: name });
  return op;
}

/** Wraps a hand-written forward result and backward loop as a recorded op. */
function finish(name: string, x: Tensor, yv: FloatArray, backward: (gv: FloatArray, dx: FloatArray) => void, slope: Slope): Tensor {
  const y = new Tensor(yv, x.shape);
  return record(
    name,
    [x],
    y,
    (g) => {
      if (isGradEnabled()) return [mul(g, slope(x, y))];
      const dx = allocate(x.dtype, yv.length);
      backward(g.values, dx);
      return [new Tensor(dx, x.shape)];
    },
    true,
  );
}

/** A constant (no tape node) of x's shape and dtype filled with `value`. */
function constant(x: Tensor, value: number): Tensor {
  return new Tensor(allocate(x.dtype, x.size).fill(value), x.shape);
}

/** The constant sign of x, with sign(0) = 0 (abs's slope; its own derivative is 0 almost everywhere). */
function signOf(x: Tensor): Tensor {
  const xv = x.values;
  const s = allocate(x.dtype, xv.length);
  for (let i = 0; i < s.length; i++) s[i] = xv[i] > 0 ? 1 : xv[i] < 0 ? -1 : 0;
  return new Tensor(s, x.shape);
}

/** 1 / x as differentiable ops (log's and sqrt's slopes). */
function reciprocal(x: Tensor): Tensor {
  return pow(x, -1);
}

/** -x. @example neg(tensor([1, -2])) // [-1, 2] */
export function neg(x: Tensor): Tensor {
  checkTensor("neg", "x", x);
  const xv = x.values;
  const yv = allocate(x.dtype, xv.length);
  for (let i = 0; i < xv.length; i++) yv[i] = -xv[i];
  return finish(
    "neg",
    x,
    yv,
    (gv, dx) => {
      for (let i = 0; i < dx.length; i++) dx[i] = -gv[i];
    },
    () => constant(x, -1),
  );
}

/** e^x. @example exp(tensor([0, 1])) // [1, 2.718...] */
export function exp(x: Tensor): Tensor {
  checkTensor("exp", "x", x);
  const xv = x.values;
  const yv = allocate(x.dtype, xv.length);
  for (let i = 0; i < xv.length; i++) yv[i] = Math.exp(xv[i]);
  return finish(
    "exp",
    x,
    yv,
    (gv, dx) => {
      for (let i = 0; i < dx.length; i++) dx[i] = gv[i] * yv[i];
    },
    (_x, y) => y,
  );
}

/** x². @example square(tensor([3])) // [9] */
export function square(x: Tensor): Tensor {
  checkTensor("square", "x", x);
  const xv = x.values;
  const yv = allocate(x.dtype, xv.length);
  for (let i = 0; i < xv.length; i++) yv[i] = xv[i] * xv[i];
  return finish(
    "square",
    x,
    yv,
    (gv, dx) => {
      for (let i = 0; i < dx.length; i++) dx[i] = 2 * xv[i] * gv[i];
    },
    (x) => mul(x, 2),
  );
}

/** @example tanh(tensor([0])) // [0] */
export function tanh(x: Tensor): Tensor {
  checkTensor("tanh", "x", x);
  const xv = x.values;
  const yv = allocate(x.dtype, xv.length);
  for (let i = 0; i < xv.length; i++) yv[i] = Math.tanh(xv[i]);
  return finish(
    "tanh",
    x,
    yv,
    (gv, dx) => {
      for (let i = 0; i < dx.length; i++) dx[i] = gv[i] * (1 - yv[i] * yv[i]);
    },
    (_x, y) => sub(1, mul(y, y)),
  );
}

/** 1 / (1 + e^-x), computed without overflow for large |x|. @example sigmoid(tensor([0])) // [0.5] */
export function sigmoid(x: Tensor): Tensor {
  checkTensor("sigmoid", "x", x);
  const xv = x.values;
  const yv = allocate(x.dtype, xv.length);
  for (let i = 0; i < xv.length; i++) {
    // e^-|x| never overflows; the two branches are the same function
    const e = Math.exp(-Math.abs(xv[i]));
    yv[i] = xv[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  return finish(
    "sigmoid",
    x,
    yv,
    (gv, dx) => {
      for (let i = 0; i < dx.length; i++) dx[i] = gv[i] * yv[i] * (1 - yv[i]);
    },
    (_x, y) => mul(y, sub(1, y)),
  );
}

/**
 * max(x, 0); the derivative at 0 is 0, as in PyTorch. NaN stays NaN. Branch-free loops: on
 * random-sign data a branch mispredicts half the time.
 * @example relu(tensor([-1, 2])) // [0, 2]
 */
export function relu(x: Tensor): Tensor {
  checkTensor("relu", "x", x);
  const xv = x.values;
  const yv = allocate(x.dtype, xv.length);
  // float32 on the wasm backend: the f32x4 kernels (same bits; the JS Math.max loop is ~7 ns an element)
  const wasm = x.dtype === "float32" ? wasmOpKernels() : null;
  if (wasm === null || !wasm.relu(xv as Float32Array, yv as Float32Array)) for (let i = 0; i < xv.length; i++) yv[i] = Math.max(xv[i], 0);
  const reluMask = (g: Tensor): Tensor => {
    const gv = g.values;
    const dx = allocate(x.dtype, gv.length);
    if (wasm !== null && wasm.reluBackward(xv as Float32Array, gv as Float32Array, dx as Float32Array)) return new Tensor(dx, x.shape);
    for (let i = 0; i < dx.length; i++) dx[i] = +(xv[i] > 0) * gv[i] + 0; // + 0 turns -0 into 0
    return new Tensor(dx, x.shape);
  };
  // reluBackward(x, g) is an op of its own (PyTorch's threshold_backward), differentiable in g
  return record("relu", [x], new Tensor(yv, x.shape), (g) => [isGradEnabled() ? maskedGradient("reluBackward", g, reluMask) : reluMask(g)], true);
}

/** Natural log; log(0) = -Infinity, log(<0) = NaN as in PyTorch. @example log(tensor([1])) // [0] */
export const log = unaryOp(
  "log",
  Math.log,
  (x, _y, g) => g / x,
  (x) => reciprocal(x),
);
/** @example sqrt(tensor([4])) // [2] */
export const sqrt = unaryOp(
  "sqrt",
  Math.sqrt,
  (_x, y, g) => g / (2 * y),
  (_x, y) => mul(reciprocal(y), 0.5),
);
/** |x|; the derivative at 0 is 0 (PyTorch's sign convention). @example abs(tensor([-3])) // [3] */
export const abs = unaryOp(
  "abs",
  Math.abs,
  (x, _y, g) => (x > 0 ? g : x < 0 ? -g : 0),
  (x) => signOf(x),
);
/**
 * log(1 + e^x), written as max(x,0) + log1p(e^-|x|) so it neither overflows nor loses precision.
 * @example softplus(tensor([0])) // [0.693...]
 */
export const softplus = unaryOp(
  "softplus",
  (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  (x, _y, g) => g * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  (x) => sigmoid(x),
);

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = Math.sqrt(2 / Math.PI);

/** The standard normal density φ(x), from differentiable ops. */
const normalPdf = (x: Tensor): Tensor => mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
/** Φ(x), the standard normal CDF (gelu's slope needs it); Φ' = φ. */
const normalCdf = unaryOp(
  "normalCdf",
  (x) => 0.5 * (1 + erf(x * SQRT1_2)),
  (x, _y, g) => g * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  (x) => normalPdf(x),
);

const geluExact = unaryOp(
  "gelu",
  (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
  (x, _y, g) => g * (0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x)),
  (x) => add(normalCdf(x), mul(x, normalPdf(x))),
);

const geluTanh = unaryOp(
  "gelu_tanh",
  (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x))),
  (x, _y, g) => {
    const t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
    const dInner = GELU_C * (1 + 3 * 0.044715 * x * x);
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner);
  },
  (x) => {
    const x2 = mul(x, x);
    const t = tanh(mul(add(x, mul(mul(x2, x), 0.044715)), GELU_C));
    const dInner = mul(add(mul(x2, 3 * 0.044715), 1), GELU_C);
    return add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), dInner));
  },
);

/**
 * Gaussian error linear unit. "none" (default, as PyTorch) is x·Φ(x) with the exact erf;
 * "tanh" is the tanh approximation.
 * @example gelu(tensor([1])) // [0.8413]
 */
export function gelu(x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  checkOptionKeys("gelu", opts, ["approximate"]);
  const mode = opts.approximate ?? "none";
  if (mode === "none") return geluExact(x);
  if (mode === "tanh") return geluTanh(x);
  throw new Error(`gelu: approximate must be "none" or "tanh", got ${show(mode)}`);
}
