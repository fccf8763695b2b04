/**
 * The tape. Define-by-run, as in PyTorch: whenever grad mode is on and an input of an op
 * requires a gradient, the op's result gets a `TapeNode` that remembers the op name, its inputs
 * and a backward closure. The nodes hang off the tensors they produced, so the "tape" of a
 * computation is exactly the graph reachable from its result: nothing global grows, and a graph
 * is garbage-collected with its last tensor.
 *
 * `backward()` orders that graph topologically with an explicit stack (no recursion, so a
 * 100,000-op chain is fine), then walks it in reverse, shape-checking every gradient.
 */
import { Tensor } from "./tensor";
import type { TapeNode } from "./tensor";
import { fmt, sameShape } from "./shape";
import { allocate } from "./dtype";

export type { TapeNode } from "./tensor";

let gradEnabled = true;

/** Whether ops currently record onto the tape. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `f` with recording off: results need no gradient and nothing is kept for backward.
 * @example const y = noGrad(() => model.forward(x)); // inference, no graph
 */
export function noGrad<T>(f: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return f();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `f` with recording on (used by grad(f) so it works inside noGrad too). */
function withGrad<T>(f: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return f();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Attaches a tape node to `out` when grad mode is on and some input requires grad; returns `out`.
 * Every op ends with `return record("name", [inputs], out, backward)`.
 */
export function record(op: string, inputs: Tensor[], out: Tensor, backward: TapeNode["backward"]): Tensor {
  if (!gradEnabled) return out;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      out.requiresGrad = true;
      out.node = { op, inputs, backward };
      return out;
    }
  }
  return out;
}

/** Tensors reachable from `root` through nodes, inputs before the ops that use them. */
export function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative post-order DFS: each stack entry is a tensor and the index of its next input.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top[0].node ? top[0].node.inputs : [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

function addInto(a: Tensor, b: Tensor): Tensor {
  const out = allocate(a.dtype, a.size); // not slice(): big gradients stay shared (dtype.ts)
  out.set(a.values);
  const bv = b.values;
  for (let i = 0; i < out.length; i++) out[i] += bv[i];
  return new Tensor(out, a.shape);
}

function checkGradient(g: Tensor, target: Tensor, op: string, index: number): void {
  if (!sameShape(g.shape, target.shape)) {
    throw new Error(`${op} backward: gradient for input ${index} has shape ${fmt(g.shape)}, but the input has shape ${fmt(target.shape)}`);
  }
  if (g.dtype !== target.dtype) {
    throw new Error(`${op} backward: gradient for input ${index} is ${g.dtype}, but the input is ${target.dtype}`);
  }
}

/**
 * The reverse pass. Returns the gradient of every leaf reached (when `targets` is given, only
 * theirs). Intermediate gradients live only in this function's map and are dropped as soon as
 * their node has been processed.
 */
export function computeGradients(root: Tensor, seed: Tensor | undefined, targets?: Set<Tensor>): Map<Tensor, Tensor> {
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad (no input of the computation had requiresGrad: true, or it ran under noGrad)");
  }
  let start: Tensor;
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: a non-scalar tensor of shape ${fmt(root.shape)} needs a gradient argument of the same shape`);
    }
    const one = root.dtype === "float64" ? new Float64Array(1) : new Float32Array(1);
    one[0] = 1;
    start = new Tensor(one, root.shape);
  } else {
    checkGradient(seed, root, "backward", 0);
    start = seed.detach();
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, start]]);
  const leaves = new Map<Tensor, Tensor>();
  noGrad(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (t.node === null) {
        if (!targets || targets.has(t)) leaves.set(t, g);
        continue;
      }
      const inputGrads = t.node.backward(g);
      const inputs = t.node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i];
        const gi = inputGrads[i];
        if (!x.requiresGrad || gi === null || gi === undefined) continue;
        checkGradient(gi, x, t.node.op, i);
        const prev = grads.get(x);
        grads.set(x, prev === undefined ? gi : addInto(prev, gi));
      }
    }
  });
  return leaves;
}

/** `tensor.backward()`: the reverse pass, accumulating into each reached leaf's `.grad`. */
export function runBackward(root: Tensor, seed?: Tensor): void {
  const leaves = computeGradients(root, seed);
  for (const [leaf, g] of leaves) {
    leaf.grad = leaf.grad === null ? g : addInto(leaf.grad, g);
  }
}

/** A function of tensors to one tensor, as `grad` and `valueAndGrad` take it. @example const f: Fn = (x) => x.square().sum(); */
export type Fn = (...xs: Tensor[]) => Tensor;

/**
 * The gradient function of a scalar-valued `f`: `grad(f)(x, y)` returns `[df/dx, df/dy]`.
 * It does not touch any `.grad` (inputs are re-wrapped as fresh leaves sharing their data).
 * @example const [dx] = grad((x) => x.mul(x).sum())(tensor([1, 2])); // [2, 4]
 */
export function grad(f: Fn): (...xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f);
  return (...xs) => vg(...xs)[1];
}

/**
 * Like `grad(f)` but also returns the value: `[f(x...), [df/dx...]]`.
 * @example const [loss, [dw]] = valueAndGrad((w) => w.square().sum())(tensor([3])); // 9, [6]
 */
export function valueAndGrad(f: Fn): (...xs: Tensor[]) => [Tensor, Tensor[]] {
  return (...xs) => {
    const leaves = xs.map((x) => new Tensor(x.values, x.shape, { requiresGrad: true }));
    const value = withGrad(() => f(...leaves));
    if (value.size !== 1) {
      throw new Error(`grad: f must return a one-element tensor, got shape ${fmt(value.shape)}`);
    }
    const got = value.requiresGrad ? computeGradients(value, undefined, new Set(leaves)) : new Map<Tensor, Tensor>();
    const grads = leaves.map((leaf) => {
      const g = got.get(leaf);
      if (g) return g;
      return new Tensor(leaf.dtype === "float64" ? new Float64Array(leaf.size) : new Float32Array(leaf.size), leaf.shape);
    });
    return [value.detach(), grads];
  };
}

// `Tensor.backward` is the tape's entry point. It is attached here rather than written in
// tensor.ts so that the Tensor module does not import the tape (no tensor <-> autograd cycle).
Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor): void {
  runBackward(this, gradient);
};
