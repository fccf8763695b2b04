/**
 * Elementwise unary ops. Each is declared once with its forward and its derivative side by side:
 * `derivative(x, y, g)` gets the input, the output and the upstream gradient of one element.
 */
import { allocate } from "../dtype";
import { Tensor } from "../tensor";
import { record } from "../autograd";
import { erf } from "./erf";

type Fwd = (x: number) => number;
type Deriv = (x: number, y: number, g: number) => number;

function unaryOp(name: string, forward: Fwd, derivative: Deriv): (x: Tensor) => Tensor {
  const op = (x: Tensor): Tensor => {
    if (!(x instanceof Tensor)) throw new Error(`${name}: expected a Tensor, got ${typeof x}`);
    const xv = x.values;
    const yv = allocate(x.dtype, xv.length);
    for (let i = 0; i < xv.length; i++) yv[i] = forward(xv[i]);
    const y = new Tensor(yv, x.shape);
    return record(name, [x], y, (g) => {
      const gv = g.values;
      const dx = allocate(x.dtype, xv.length);
      for (let i = 0; i < xv.length; i++) dx[i] = derivative(xv[i], yv[i], gv[i]);
      return [new Tensor(dx, x.shape)];
    });
  };
  Object.defineProperty(op, "name", { value: name });
  return op;
}

/** -x. @example neg(tensor([1, -2])) // [-1, 2] */
export const neg = unaryOp("neg", (x) => -x, (_x, _y, g) => -g);
/** e^x. @example exp(tensor([0, 1])) // [1, 2.718...] */
export const exp = unaryOp("exp", Math.exp, (_x, y, g) => g * y);
/** Natural log; log(0) = -Infinity, log(<0) = NaN as in PyTorch. @example log(tensor([1])) // [0] */
export const log = unaryOp("log", Math.log, (x, _y, g) => g / x);
/** @example sqrt(tensor([4])) // [2] */
export const sqrt = unaryOp("sqrt", Math.sqrt, (_x, y, g) => g / (2 * y));
/** |x|; the derivative at 0 is 0 (PyTorch's sign convention). @example abs(tensor([-3])) // [3] */
export const abs = unaryOp("abs", Math.abs, (x, _y, g) => (x > 0 ? g : x < 0 ? -g : 0));
/** x². @example square(tensor([3])) // [9] */
export const square = unaryOp("square", (x) => x * x, (x, _y, g) => 2 * x * g);
/** @example tanh(tensor([0])) // [0] */
export const tanh = unaryOp("tanh", Math.tanh, (_x, y, g) => g * (1 - y * y));
/** 1 / (1 + e^-x), computed without overflow for large |x|. @example sigmoid(tensor([0])) // [0.5] */
export const sigmoid = unaryOp(
  "sigmoid",
  (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  (_x, y, g) => g * y * (1 - y),
);
/** max(x, 0); the derivative at 0 is 0, as in PyTorch. @example relu(tensor([-1, 2])) // [0, 2] */
export const relu = unaryOp("relu", (x) => (x > 0 ? x : 0), (x, _y, g) => (x > 0 ? g : 0));
/**
 * log(1 + e^x), written as max(x,0) + log1p(e^-|x|) so it neither overflows nor loses precision.
 * @example softplus(tensor([0])) // [0.693...]
 */
export const softplus = unaryOp(
  "softplus",
  (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  (x, _y, g) => g * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
);

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = Math.sqrt(2 / Math.PI);

const geluExact = unaryOp(
  "gelu",
  (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
  (x, _y, g) => g * (0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x)),
);

const geluTanh = unaryOp(
  "gelu_tanh",
  (x) => 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x))),
  (x, _y, g) => {
    const t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
    const dInner = GELU_C * (1 + 3 * 0.044715 * x * x);
    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner);
  },
);

/**
 * Gaussian error linear unit. "none" (default, as PyTorch) is x·Φ(x) with the exact erf;
 * "tanh" is the tanh approximation.
 * @example gelu(tensor([1])) // [0.8413]
 */
export function gelu(x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  const mode = opts.approximate ?? "none";
  if (mode === "none") return geluExact(x);
  if (mode === "tanh") return geluTanh(x);
  throw new Error(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(mode)}`);
}
