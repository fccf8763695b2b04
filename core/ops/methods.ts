/**
 * Every op as a Tensor method (x.add(y), x.sum({ axis: 1 }), ...): one name-to-function map,
 * from which both the methods' types (module augmentation) and the prototype entries are made,
 * so that tensor.ts needs no op imports (the TF.js chained-ops pattern). A method is its op
 * with the tensor as the first argument. Imported for its side effect by core/index.ts.
 */
import { Tensor } from "../tensor";
import * as unary from "./unary";
import * as binary from "./binary";
import * as select from "./select";
import * as reduce from "./reduce";
import * as layout from "./layout";
import * as sm from "./softmax";
import { dropout } from "./dropout";
import { matmul } from "./matmul";
import { conv2d, Conv2dOptions } from "./conv";
import { maxPool2d, avgPool2d, Pool2dOptions } from "./pool";

/** Method name → op; `x.name(...args)` is `op(x, ...args)`. */
const METHODS = {
  ...pick(binary, ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]),
  ...pick(unary, ["neg", "exp", "log", "sqrt", "abs", "square", "tanh", "sigmoid", "relu", "softplus", "gelu"]),
  ...pick(select, ["clip", "equal", "notEqual", "greater", "greaterEqual", "less", "lessEqual"]),
  ...pick(reduce, ["sum", "mean", "max", "min", "logsumexp"]),
  ...pick(layout, ["reshape", "transpose", "flatten", "squeeze", "unsqueeze", "slice", "broadcastTo"]),
  ...pick(sm, ["softmax", "logSoftmax"]),
  dropout,
  matmul,
  // PyTorch accepts a null bias here; the function form takes undefined.
  conv2d: (x: Tensor, w: Tensor, b?: Tensor | null, opts?: Conv2dOptions): Tensor => conv2d(x, w, b ?? undefined, opts),
  maxPool2d,
  avgPool2d,
};

function pick<M, K extends keyof M>(module: M, names: readonly K[]): Pick<M, K> {
  const out = {} as Pick<M, K>;
  for (const n of names) out[n] = module[n];
  return out;
}

type Rest<F> = F extends (x: Tensor, ...rest: infer R) => Tensor ? R : never;
/** The methods' types, derived from the ops' own signatures. */
type TensorMethods = { [K in keyof typeof METHODS]: (...args: Rest<(typeof METHODS)[K]>) => Tensor };

declare module "../tensor" {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface Tensor extends TensorMethods {}
}

for (const [name, op] of Object.entries(METHODS) as [string, (x: Tensor, ...rest: unknown[]) => Tensor][]) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...rest: unknown[]): Tensor {
      return op(this, ...rest);
    },
    writable: true,
    configurable: true,
  });
}

/** @internal The method names, for tests. */
export const TENSOR_METHOD_NAMES: readonly string[] = Object.keys(METHODS);
