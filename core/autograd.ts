/**
 * The tape. Define-by-run, as in PyTorch: whenever grad mode is on and an input of an op
 * requires a gradient, the op's result gets a `TapeNode` that remembers the op name, its inputs
 * and a backward closure. The nodes hang off the tensors they produced, so the "tape" of a
 * computation is exactly the graph reachable from its result: nothing global grows, and a graph
 * is garbage-collected with its last tensor.
 *
 * `backward()` orders that graph topologically with an explicit stack (no recursion, so a
 * 100,000-op chain is fine), then walks it in reverse, shape-checking every gradient.
 *
 * Higher order: every backward closure has two paths in one place. With recording off (normal
 * training) it runs its raw loops; with recording on it computes the same gradient with
 * differentiable ops. The engine runs closures with recording on only under graph creation
 * (`createGraph`, or a `grad` nested inside a recording `grad`), so the gradients it returns are
 * themselves on the tape. A node whose closure has no differentiable path says so
 * (`differentiable: false`) and the engine throws rather than return a constant.
 */
import { Tensor } from "./tensor";
import type { BackwardOptions, TapeNode } from "./tensor";
import { fmt, sameShape } from "./shape";
import { allocate } from "./dtype";
import { checkOptionKeys, show } from "./check";
import { withGradientBuffers } from "./gradient-buffer";

export type { BackwardOptions, TapeNode } from "./tensor";

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
export function withGrad<T>(f: () => T): T {
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
 * Every op ends with `return record("name", [inputs], out, backward)`. `differentiable` declares
 * that `backward`, run with recording on, computes its gradients with recorded ops (see the header).
 */
export function record(op: string, inputs: Tensor[], out: Tensor, backward: TapeNode["backward"], differentiable = false): Tensor {
  if (!gradEnabled) return out;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      out.requiresGrad = true;
      out.node = { op, inputs, backward, differentiable };
      return out;
    }
  }
  return out;
}

/**
 * A backward step that multiplies `g` elementwise by a constant mask (relu's, clip's, where's,
 * dropout's, a tie-split...): `apply` computes it on raw values. Such a map is its own adjoint, so
 * recorded it is an op whose backward is itself (PyTorch's threshold_backward); the mask is
 * piecewise constant in the op's input, whose contribution is zero almost everywhere.
 * @example record("relu", [x], y, (g) => [maskedGradient("reluBackward", g, mask)], true)
 */
export function maskedGradient(op: string, g: Tensor, apply: (g: Tensor) => Tensor): Tensor {
  return record(op, [g], apply(g), (gg) => [maskedGradient(op, gg, apply)], true);
}

/**
 * Tensors reachable from `root` through nodes, inputs before the ops that use them. The walk
 * stops at `stops` (a nested grad's inputs: what lies behind them belongs to the outer graph).
 */
export function topologicalOrder(root: Tensor, stops?: Set<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative post-order DFS: each stack entry is a tensor and the index of its next input.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top[0].node && !(stops && stops.has(top[0])) ? top[0].node.inputs : [];
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

/** a + b of one shape, recorded when grad mode is on (gradient accumulation under graph creation). */
function accumulate(a: Tensor, b: Tensor): Tensor {
  return record("add", [a, b], addInto(a, b), (g) => [g, g], true);
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
 * Options of the reverse pass.
 * @example computeGradients(loss, undefined, new Set([x]), { createGraph: true })
 */
export interface GradientOptions {
  /** Record the pass, so the gradients are differentiable (see the header). */
  createGraph?: boolean;
}

/**
 * The reverse pass. Returns the gradient of every leaf reached (when `targets` is given, only
 * theirs, and the pass stops at them: they may be inner nodes of an outer graph). Intermediate
 * gradients live only in this function's map and are dropped as soon as their node has been processed.
 */
export function computeGradients(root: Tensor, seed: Tensor | undefined, targets?: Set<Tensor>, opts: GradientOptions = {}): Map<Tensor, Tensor> {
  if (!root.requiresGrad) {
    throw new Error("backward: this tensor does not require grad (no input of the computation had requiresGrad: true, or it ran under noGrad)");
  }
  const createGraph = opts.createGraph === true;
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
    start = createGraph ? seed : seed.detach();
  }
  const order = topologicalOrder(root, targets);
  const grads = new Map<Tensor, Tensor>([[root, start]]);
  const leaves = new Map<Tensor, Tensor>();
  const pass = (): void => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      if (t.node === null || (targets && targets.has(t))) {
        if (!targets || targets.has(t)) leaves.set(t, g);
        continue;
      }
      if (createGraph && !t.node.differentiable) {
        throw new Error(
          `${t.node.op}: second-order gradient not implemented (its backward cannot be recorded; use createGraph: false or an op with a differentiable backward)`,
        );
      }
      const inputGrads = t.node.backward(g);
      const inputs = t.node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i];
        const gi = inputGrads[i];
        if (!x.requiresGrad || gi === null || gi === undefined) continue;
        checkGradient(gi, x, t.node.op, i);
        const prev = grads.get(x);
        grads.set(x, prev === undefined ? gi : createGraph ? accumulate(prev, gi) : addInto(prev, gi));
      }
    }
  };
  if (createGraph) withGrad(pass);
  else noGrad(pass);
  return leaves;
}

/** `tensor.backward()`: the reverse pass, accumulating into each reached leaf's `.grad`. */
export function runBackward(root: Tensor, seed?: Tensor, opts: GradientOptions = {}): void {
  // Parameters' gradients may land in their wasm-heap buffers (./gradient-buffer.ts), not under graph creation.
  const pass = () => computeGradients(root, seed, undefined, opts);
  const leaves = opts.createGraph ? pass() : withGradientBuffers(pass);
  for (const [leaf, g] of leaves) {
    // under graph creation the sum is recorded too, so `.grad` stays differentiable
    leaf.grad = leaf.grad === null ? g : opts.createGraph ? withGrad(() => accumulate(leaf.grad as Tensor, g)) : addInto(leaf.grad, g);
  }
}

// `Tensor.backward` is the tape's entry point. It is attached here rather than written in
// tensor.ts so that the Tensor module does not import the tape (no tensor <-> autograd cycle).
Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor | BackwardOptions, opts?: BackwardOptions): void {
  let seed: Tensor | undefined;
  let options: BackwardOptions = opts ?? {};
  if (gradient instanceof Tensor) seed = gradient;
  else if (gradient !== undefined && gradient !== null && typeof gradient === "object" && opts === undefined) options = gradient;
  else if (gradient !== undefined) throw new Error(`backward: gradient must be a Tensor or an options object, got ${show(gradient)}`);
  checkOptionKeys("backward", options, ["createGraph"]);
  if (options.createGraph === true && !gradEnabled) {
    throw new Error("backward: createGraph: true inside noGrad (the recorded backward would be dropped); call it outside noGrad");
  }
  runBackward(this, seed, { createGraph: options.createGraph === true });
};
