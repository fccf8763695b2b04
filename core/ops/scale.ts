/**
 * `scaleLoss(loss, factor)`: the loss multiplied by a constant factor, as the loss-scaling
 * optimizers use it (`optimizer.scaleLoss`). An op of its own, not `mul` by a scalar tensor, so
 * it records under its name and its backward multiplies the incoming gradient by the same
 * factor in the loss's dtype (no broadcast, no second operand).
 *
 * @example scaleLoss(loss, 1024).backward() // every gradient is 1024× larger
 */
import { Tensor } from "../tensor";
import { allocate } from "../dtype";
import { isGradEnabled, maskedGradient, record } from "../autograd";
import { checkTensor } from "./operand";
import { show } from "../check";

/** `x · factor`, elementwise, in x's dtype; the gradient is `g · factor`. */
function scaled(x: Tensor, factor: number): Tensor {
  const v = x.values;
  const out = allocate(x.dtype, v.length);
  for (let k = 0; k < v.length; k++) out[k] = v[k] * factor;
  return new Tensor(out, x.shape.slice());
}

/**
 * The loss times `factor` (a recorded op: `backward()` flows through it).
 * @example const scaled = scaleLoss(loss, 2 ** 15); scaled.backward();
 */
export function scaleLoss(loss: Tensor, factor: number): Tensor {
  checkTensor("scaleLoss", "loss", loss);
  if (typeof factor !== "number") throw new Error(`scaleLoss: factor must be a number, got ${show(factor)}`);
  return record(
    "scaleLoss",
    [loss],
    scaled(loss, factor),
    (g) => [isGradEnabled() ? maskedGradient("scaleLossBackward", g, (t) => scaled(t, factor)) : scaled(g, factor)],
    true,
  );
}
