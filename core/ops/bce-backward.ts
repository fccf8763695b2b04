/**
 * The gradient of binary cross-entropy on probabilities with respect to p, as an op of its own
 * with PyTorch's derivatives, so a recorded backward pass (higher order) gives PyTorch's numbers
 * at the edges too. The forward clamps each log at −100 (p = 0 or 1 stays finite); like
 * PyTorch, the gradients are not those of the clamped function but the closed forms below, kept
 * finite by their own epsilons:
 *
 *   ∂L/∂p = g·(p − y) / max(p(1 − p), ε₁)                 (ε₁ = 1e-12 rounded to float32, PyTorch's `EPSILON`)
 *   ∂²L/∂p² = g·(p² − 2py + y) / ((p + ε)²·(1 − p + ε)²)   (ε = 1e-12, PyTorch's double backward)
 *   ∂²L/∂p∂y = −g / max(p(1 − p), ε)
 *
 * The gradient with respect to the target, log(1 − p) − log(p), is unclamped (±∞ at p = 0 or 1,
 * as PyTorch) and differentiates as the ops it is made of.
 */
import { allocate } from "../dtype";
import { Tensor } from "../tensor";
import { record } from "../autograd";
import { add, div, maximum, mul, sub } from "./binary";
import { neg, square } from "./unary";

/** PyTorch's first-derivative epsilon: a float constant, so 1e-12 rounded to float32. */
export const BCE_GRAD_EPS = Math.fround(1e-12);
/** PyTorch's double-backward epsilon (a double). */
const BCE_DOUBLE_EPS = 1e-12;

/**
 * ∂L/∂p of elementwise BCE on probabilities for upstream gradient g: g·(p − y)/max(p(1 − p), ε₁).
 * Recorded, with PyTorch's second derivatives (see the header).
 * @example binaryCrossEntropyBackward(ones([1]), tensor([0.5]), tensor([1])) // [-2]
 */
export function binaryCrossEntropyBackward(g: Tensor, p: Tensor, y: Tensor): Tensor {
  const gv = g.values,
    pv = p.values,
    yv = y.values;
  const d = allocate(p.dtype, pv.length);
  for (let i = 0; i < d.length; i++) d[i] = (gv[i] * (pv[i] - yv[i])) / Math.max(pv[i] * (1 - pv[i]), BCE_GRAD_EPS);
  return record(
    "binaryCrossEntropyBackward",
    [g, p, y],
    new Tensor(d, p.shape),
    (h) => {
      const hg = mul(h, g);
      return [
        g.requiresGrad ? binaryCrossEntropyBackward(h, p, y) : null, // linear in g
        p.requiresGrad
          ? mul(div(add(sub(mul(p, p), mul(mul(p, 2), y)), y), mul(square(add(p, BCE_DOUBLE_EPS)), square(add(sub(1, p), BCE_DOUBLE_EPS)))), hg)
          : null,
        y.requiresGrad ? neg(div(hg, maximum(mul(sub(1, p), p), BCE_DOUBLE_EPS))) : null,
      ];
    },
    true,
  );
}
