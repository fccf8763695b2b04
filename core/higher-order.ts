/**
 * Higher-order derivatives built on the recording backward pass (see autograd.ts): the
 * Hessian-vector product, the Jacobian-vector product, the full Hessian and the Jacobian,
 * single-input forms as in JAX.
 * All of them compose: each records its own result when an outer grad is differentiating it.
 */
import { Tensor } from "./tensor";
import { computeGradients, withGrad } from "./autograd";
import { innerInput, isNested, traced, valueAndGradFor } from "./grad";
import { checkOptionKeys, show } from "./check";
import { fmt, sameShape, sizeOf } from "./shape";
import { mul } from "./ops/binary";
import { sum } from "./ops/reduce";
import { reshape, stack } from "./ops/layout";
import { allocate } from "./dtype";
import { linearize } from "./jvp";

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

/** An output that does not depend on x: an Error naming x, or zeros of `shape` with `allowUnused` (as `grad`). */
function unusedInput(owner: string, x: Tensor, shape: readonly number[], opts: { allowUnused?: boolean }): Tensor {
  if (opts.allowUnused !== true) {
    throw new Error(`${owner}: the output does not depend on x (shape ${fmt(x.shape)}); pass { allowUnused: true } to get zeros`);
  }
  return new Tensor(allocate(x.dtype, sizeOf(shape)), shape.slice());
}

/**
 * Options of `jvp`.
 * @example jvp(f, { allowUnused: true })
 */
export interface JvpOptions {
  /** Zeros instead of an error when f(x) does not depend on x. */
  allowUnused?: boolean;
}

/**
 * The Jacobian of `f` at `x` times `v` (shaped like x): J·v, shaped like f(x). Two reverse passes
 * (the double-vjp trick, see jvp.ts), about an hvp's cost; composes like the others. An f(x) that
 * does not depend on x is an Error (zeros with `{ allowUnused: true }`), as for `grad`.
 * @example jvp((x) => x.mul(x))(tensor([1, 2]), tensor([1, 0])) // [2, 0]
 */
export function jvp(f: (x: Tensor) => Tensor, opts: JvpOptions = {}): (x: Tensor, v: Tensor) => Tensor {
  checkOptionKeys("jvp", opts, ["allowUnused"]);
  return (x, v) => {
    checkInput("jvp", f, x);
    if (!(v instanceof Tensor)) throw new Error(`jvp: v must be a Tensor, got ${show(v)}`);
    if (!sameShape(v.shape, x.shape)) throw new Error(`jvp: v must have x's shape ${fmt(x.shape)}, got ${fmt(v.shape)}`);
    if (v.dtype !== x.dtype) throw new Error(`jvp: v is ${v.dtype} but x is ${x.dtype} (convert one)`);
    const nested = isNested([x]);
    const input = innerInput(x, nested);
    const y = traced(() => f(input));
    if (!(y instanceof Tensor)) throw new Error(`jvp: f must return a Tensor, got ${show(y)}`);
    if (y.dtype !== x.dtype) throw new Error(`jvp: f returned ${y.dtype} for a ${x.dtype} input; ops keep the input dtype`);
    if (!y.requiresGrad) return unusedInput("jvp", x, y.shape, opts);
    const along = withGrad(() => linearize(y, input, nested));
    return along === null ? unusedInput("jvp", x, y.shape, opts) : along(v.detach());
  };
}

/** Options of `jacobian`. @example jacobian(f, { mode: "forward" }) */
export interface JacobianOptions {
  /** Zeros instead of an error when f(x) does not depend on x. */
  allowUnused?: boolean;
  /**
   * "reverse": one reverse pass per output element (jacrev); "forward": one Jacobian-vector
   * product per input element (jacfwd, by the double-vjp trick of `jvp`, each about twice a row's
   * cost); "auto" (default): forward when f(x) has more than twice as many elements as x.
   */
  mode?: "auto" | "reverse" | "forward";
}

/**
 * The Jacobian of `f` at `x`, of shape `[...f(x).shape, ...x.shape]`, over a single recorded
 * forward pass: by rows (one reverse pass per output element) or, when f(x) has more than twice
 * as many elements as x, by columns (one JVP per input element); `mode` picks.
 * @example jacobian((x) => x.mul(x))(tensor([1, 2])) // [[2, 0], [0, 4]]
 */
export function jacobian(f: (x: Tensor) => Tensor, opts: JacobianOptions = {}): (x: Tensor) => Tensor {
  checkOptionKeys("jacobian", opts, ["allowUnused", "mode"]);
  if (opts.mode !== undefined && !["auto", "reverse", "forward"].includes(opts.mode)) {
    throw new Error(`jacobian: mode must be "auto", "reverse" or "forward", got ${show(opts.mode)}`);
  }
  return jacobianFor("jacobian", f, opts);
}

function jacobianFor(owner: string, f: (x: Tensor) => Tensor, opts: JacobianOptions): (x: Tensor) => Tensor {
  return (x) => {
    checkInput(owner, f, x);
    // nested in a recording grad: the rows are recorded and stacked with differentiable ops
    const nested = isNested([x]);
    const input = innerInput(x, nested);
    const y = traced(() => f(input));
    if (!(y instanceof Tensor)) throw new Error(`${owner}: f must return a Tensor, got ${show(y)}`);
    if (y.dtype !== x.dtype) throw new Error(`${owner}: f returned ${y.dtype} for a ${x.dtype} input; ops keep the input dtype`);
    const shape = [...y.shape, ...x.shape];
    const unused = (): Tensor => unusedInput(owner, x, shape, opts);
    if (!y.requiresGrad) return unused();
    const mode = opts.mode ?? "auto";
    // a column pass (over the recorded backward graph) costs about 2× a row pass (measured,
    // bench/experiments/jacobian-modes.ts), so auto takes columns past twice as many outputs
    if (mode === "forward" || (mode === "auto" && y.size > 2 * x.size)) {
      // by columns: J·e_j for each input element, over one recorded backward pass
      const column = withGrad(() => linearize(y, input, nested));
      if (column === null) return unused();
      const cols: Tensor[] = [];
      for (let j = 0; j < x.size; j++) {
        const e = new Tensor(allocate(x.dtype, x.size), x.shape);
        e.values[j] = 1;
        cols.push(column(e));
      }
      if (nested) return withGrad(() => reshape(stack(cols, y.rank), shape));
      const out = allocate(x.dtype, y.size * x.size);
      cols.forEach((c, j) => {
        for (let i = 0; i < y.size; i++) out[i * x.size + j] = c.values[i];
      });
      return new Tensor(out, shape);
    }
    const rows: Tensor[] = [];
    const targets = new Set([input]);
    let reached = false;
    for (let i = 0; i < y.size; i++) {
      const seed = new Tensor(allocate(y.dtype, y.size), y.shape);
      seed.values[i] = 1;
      const g = computeGradients(y, seed, targets, { createGraph: nested }).get(input);
      if (g !== undefined) reached = true;
      rows.push(g ?? new Tensor(allocate(x.dtype, x.size), x.shape));
    }
    // y requires grad through something else only (a parameter f closes over): x is unused
    if (!reached && y.size > 0) return unused();
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
