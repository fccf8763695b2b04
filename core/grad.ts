/**
 * `grad` and `valueAndGrad`: gradients as functions, as in JAX. They compose to any order
 * without flags: a `grad` evaluated while recording is on and one of its inputs is on an outer
 * graph (an outer `grad`, `hvp` or `jacobian` is differentiating through it) records its own
 * backward pass, so `grad((x) => grad(f)(x)[0].sum())` is the second derivative, not zero.
 */
import { Tensor } from "./tensor";
import { computeGradients, isGradEnabled, record, withGrad } from "./autograd";
import { checkOptionKeys, show } from "./check";
import { fmt } from "./shape";

/** A function of tensors to one tensor, as `grad` and `valueAndGrad` take it. @example const f: Fn = (x) => x.square().sum(); */
export type Fn = (...xs: Tensor[]) => Tensor;

/**
 * How many differentiating transforms (grad, valueAndGrad, jacobian) are evaluating their
 * function right now. A grad is nested, and records its backward, only inside one: a top-level
 * `grad(loss)(param)` on a parameter that requires grad stays on the fast first-order path.
 */
let activeTransforms = 0;

/** Whether a transform called now on `xs` is nested in a recording one (see activeTransforms). */
export function isNested(xs: readonly Tensor[]): boolean {
  return activeTransforms > 0 && isGradEnabled() && xs.some((x) => x.requiresGrad);
}

/** Evaluates a transform's function, counted in activeTransforms and with recording on. */
export function traced<T>(f: () => T): T {
  activeTransforms++;
  try {
    return withGrad(f);
  } finally {
    activeTransforms--;
  }
}

/**
 * Options of `grad` and `valueAndGrad`.
 * @example grad((x) => x.pow(3).sum(), { createGraph: true })
 */
export interface GradOptions {
  /** Record the backward pass so the returned gradients can be differentiated (PyTorch's create_graph). Implied when nested in a recording grad. */
  createGraph?: boolean;
  /** Return zeros for an input the output does not depend on, instead of throwing (PyTorch's allow_unused, with zeros for None). */
  allowUnused?: boolean;
}

function checkGradOptions(opts: GradOptions): void {
  checkOptionKeys("grad", opts, ["createGraph", "allowUnused"]);
  for (const key of ["createGraph", "allowUnused"] as const) {
    const v = opts[key];
    if (v !== undefined && typeof v !== "boolean") throw new Error(`grad: ${key} must be true or false, got ${show(v)}`);
  }
}

/**
 * The input as seen by the function being differentiated. Nested (graph creation with an input
 * on an outer graph) it is an identity node over that input, so the gradients recorded against
 * it reach the outer graph; otherwise a fresh leaf sharing the input's data.
 */
export function innerInput(x: Tensor, nested: boolean): Tensor {
  if (nested && x.requiresGrad) return record("gradInput", [x], new Tensor(x.values, x.shape), (g) => [g], true);
  return new Tensor(x.values, x.shape, { requiresGrad: true });
}

function checkInputs(xs: unknown[], owner: string): asserts xs is Tensor[] {
  if (xs.length === 0) throw new Error(`${owner}: needs at least one input tensor, got none`);
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`${owner}: input ${i} must be a Tensor, got ${show(x)}`);
  });
  for (let i = 1; i < xs.length; i++) {
    const a = xs[0] as Tensor,
      b = xs[i] as Tensor;
    if (a.dtype !== b.dtype) throw new Error(`${owner}: inputs have mixed dtypes: input 0 is ${a.dtype}, input ${i} is ${b.dtype} (convert one)`);
  }
}

/**
 * Like `grad(f)` but also returns the value: `[f(x...), [df/dx...]]`.
 * @example const [loss, [dw]] = valueAndGrad((w) => w.square().sum())(tensor([3])); // 9, [6]
 */
export function valueAndGrad(f: Fn, opts: GradOptions = {}): (...xs: Tensor[]) => [Tensor, Tensor[]] {
  return valueAndGradFor("grad", f, opts);
}

/** `valueAndGrad` whose messages name `owner` (hvp and hessian are built on it). */
export function valueAndGradFor(owner: string, f: Fn, opts: GradOptions = {}): (...xs: Tensor[]) => [Tensor, Tensor[]] {
  checkGradOptions(opts);
  if (typeof f !== "function") throw new Error(`${owner}: f must be a function, got ${show(f)}`);
  return (...xs) => {
    checkInputs(xs, owner);
    const recording = isGradEnabled();
    if (opts.createGraph === true && !recording) {
      throw new Error(`${owner}: createGraph: true inside noGrad (the recorded gradients would be dropped); call it outside noGrad`);
    }
    const nested = isNested(xs);
    const createGraph = opts.createGraph === true || nested;
    const inputs = xs.map((x) => innerInput(x, createGraph));
    const value = traced(() => f(...inputs));
    if (!(value instanceof Tensor)) throw new Error(`${owner}: f must return a Tensor, got ${show(value)}`);
    if (value.size !== 1) {
      throw new Error(`${owner}: f must return a one-element tensor, got shape ${fmt(value.shape)} (use jacobian for non-scalar outputs)`);
    }
    const got = value.requiresGrad ? computeGradients(value, undefined, new Set(inputs), { createGraph }) : new Map<Tensor, Tensor>();
    const grads = inputs.map((input, i) => {
      const g = got.get(input);
      if (g) return g;
      if (opts.allowUnused !== true) {
        throw new Error(
          `${owner}: input ${i} (shape ${fmt(input.shape)}) is not used to compute the output, so it has no gradient; pass { allowUnused: true } to get zeros`,
        );
      }
      return new Tensor(input.dtype === "float64" ? new Float64Array(input.size) : new Float32Array(input.size), input.shape);
    });
    return [createGraph ? value : value.detach(), grads];
  };
}

/**
 * The gradient function of a scalar-valued `f`: `grad(f)(x, y)` returns `[df/dx, df/dy]`.
 * It does not touch any `.grad`. Differentiable again with `{ createGraph: true }`, or simply by
 * nesting it in another `grad`.
 * @example const [dx] = grad((x) => x.mul(x).sum())(tensor([1, 2])); // [2, 4]
 * @example grad((x) => grad((y) => y.pow(3).sum())(x)[0].sum())(tensor([2]))[0] // [12]
 */
export function grad(f: Fn, opts: GradOptions = {}): (...xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f, opts);
  return (...xs) => vg(...xs)[1];
}
