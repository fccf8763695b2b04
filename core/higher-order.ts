/**
 * Higher-order derivatives built on the recording backward pass (see autograd.ts): the
 * Hessian-vector product, the full Hessian and the Jacobian, single-input forms as in JAX.
 * All of them compose: each records its own result when an outer grad is differentiating it.
 */
import { Tensor } from "./tensor";
import { computeGradients, withGrad } from "./autograd";
import { innerInput, isNested, traced, valueAndGradFor } from "./grad";
import { show } from "./check";
import { fmt, sameShape } from "./shape";
import { mul } from "./ops/binary";
import { sum } from "./ops/reduce";
import { reshape, stack } from "./ops/layout";
import { allocate } from "./dtype";

function checkInput(owner: string, f: unknown, x: unknown): asserts x is Tensor {
  if (typeof f !== "function") throw new Error(`${owner}: f must be a function, got ${show(f)}`);
  if (!(x instanceof Tensor)) throw new Error(`${owner}: x must be a Tensor, got ${show(x)}`);
}

/**
 * The Hessian of a scalar `f` at `x` times `v`, shaped like `x`: the gradient of ⟨∇f(x), v⟩,
 * two reverse passes (no Hessian is ever formed), about 2–4 gradients' cost.
 * @example hvp((x) => x.pow(3).sum())(tensor([2]), tensor([1])) // [12]
 */
export function hvp(f: (x: Tensor) => Tensor): (x: Tensor, v: Tensor) => Tensor {
  return (x, v) => {
    checkInput("hvp", f, x);
    if (!(v instanceof Tensor)) throw new Error(`hvp: v must be a Tensor, got ${show(v)}`);
    if (!sameShape(v.shape, x.shape)) throw new Error(`hvp: v must have x's shape ${fmt(x.shape)}, got ${fmt(v.shape)}`);
    if (v.dtype !== x.dtype) throw new Error(`hvp: v is ${v.dtype} but x is ${x.dtype} (convert one)`);
    const inner = valueAndGradFor("hvp", f, { createGraph: true });
    const outer = valueAndGradFor("hvp", (y) => sum(mul(inner(y)[1][0], v.detach())));
    return outer(x)[1][0];
  };
}

/**
 * The Jacobian of `f` at `x`, of shape `[...f(x).shape, ...x.shape]`: one reverse pass per
 * output element over a single recorded forward pass.
 * @example jacobian((x) => x.mul(x))(tensor([1, 2])) // [[2, 0], [0, 4]]
 */
export function jacobian(f: (x: Tensor) => Tensor, opts: { allowUnused?: boolean } = {}): (x: Tensor) => Tensor {
  return jacobianFor("jacobian", f, opts);
}

function jacobianFor(owner: string, f: (x: Tensor) => Tensor, opts: { allowUnused?: boolean }): (x: Tensor) => Tensor {
  return (x) => {
    checkInput(owner, f, x);
    // nested in a recording grad: the rows are recorded and stacked with differentiable ops
    const nested = isNested([x]);
    const input = innerInput(x, nested);
    const y = traced(() => f(input));
    if (!(y instanceof Tensor)) throw new Error(`${owner}: f must return a Tensor, got ${show(y)}`);
    if (y.dtype !== x.dtype) throw new Error(`${owner}: f returned ${y.dtype} for a ${x.dtype} input; ops keep the input dtype`);
    const shape = [...y.shape, ...x.shape];
    if (!y.requiresGrad) {
      if (opts.allowUnused !== true) {
        throw new Error(`${owner}: the output does not depend on x (shape ${fmt(x.shape)}); pass { allowUnused: true } to get zeros`);
      }
      return new Tensor(allocate(x.dtype, y.size * x.size), shape);
    }
    const rows: Tensor[] = [];
    const targets = new Set([input]);
    for (let i = 0; i < y.size; i++) {
      const seed = new Tensor(allocate(y.dtype, y.size), y.shape);
      seed.values[i] = 1;
      const g = computeGradients(y, seed, targets, { createGraph: nested }).get(input);
      rows.push(g ?? new Tensor(allocate(x.dtype, x.size), x.shape));
    }
    if (nested) return withGrad(() => reshape(stack(rows, 0), shape));
    const out = allocate(x.dtype, y.size * x.size);
    rows.forEach((r, i) => out.set(r.values, i * x.size));
    return new Tensor(out, shape);
  };
}

/**
 * The Hessian of a scalar `f` at `x`, of shape `[...x.shape, ...x.shape]`: the Jacobian of the
 * recorded gradient (x.size reverse passes over it).
 * @example hessian((x) => x.pow(3).sum())(tensor([1, 2])) // [[6, 0], [0, 12]]
 */
export function hessian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x) => {
    checkInput("hessian", f, x);
    const gradient = valueAndGradFor("hessian", f, { createGraph: true });
    return jacobianFor("hessian", (y) => gradient(y)[1][0], { allowUnused: true })(x);
  };
}
