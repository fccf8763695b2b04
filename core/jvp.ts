/**
 * Jacobian-vector products by the double-vjp trick (what PyTorch's torch.autograd.functional.jvp
 * does), not a tangent-carrying forward tape: for y = f(x), the recorded backward pass from a
 * placeholder cotangent u gives g(u) = Jᵀu, linear in u; one more reverse pass, from g with seed
 * v, gives ∂⟨g(u), v⟩/∂u = J·v. So every op gets its JVP from its recorded backward, with no
 * second set of rules to keep in step. A JVP costs about what an hvp does (a recorded backward
 * and a reverse pass over it); a Jacobian's columns J·e_j share the first pass, so a Jacobian
 * with more outputs than inputs takes x.size reverse passes instead of y.size.
 */
import { Tensor } from "./tensor";
import { computeGradients } from "./autograd";
import { allocate } from "./dtype";

/**
 * The linearisation of `y` (recorded from `input`) as a map of tangents of `input`: returns
 * `tangent ↦ J·tangent` (shaped like y), each call one reverse pass over the recorded g(u) = Jᵀu.
 * `record` records those passes too (a jvp nested in an outer grad). `y` must require grad.
 * Null when y does not depend on `input` (the caller decides between an error and zeros).
 * @example const column = linearize(y, input, false); column?.(e) // J·e
 */
export function linearize(y: Tensor, input: Tensor, record: boolean): ((tangent: Tensor) => Tensor) | null {
  // the placeholder cotangent: its value never matters (g is linear in it), zeros keep g's value finite
  const u = new Tensor(allocate(y.dtype, y.size), y.shape, { requiresGrad: true });
  const g = computeGradients(y, u, new Set([input]), { createGraph: true }).get(input);
  const zero = (): Tensor => new Tensor(allocate(y.dtype, y.size), y.shape);
  if (g === undefined) return null; // y does not depend on input
  if (!g.requiresGrad) return zero; // y is affine in input: Jᵀu does not depend on u, so J = 0 (e.g. y = input·0 + c)
  const targets = new Set([u]);
  return (tangent) => computeGradients(g, tangent, targets, { createGraph: record }).get(u) ?? zero();
}
