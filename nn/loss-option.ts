/**
 * The `loss` option of fit/evaluate: a function `(pred, y) => scalar Tensor`, or the name of one
 * of `nn.losses` (mean reduction). For the named regression losses ("mse",
 * "binaryCrossEntropy") the targets are converted to a tensor of the prediction's dtype and,
 * when they hold as many values as the prediction, given its shape: y of shape [N] against a
 * prediction of shape [N, 1] would otherwise broadcast to [N, N] and silently train on the
 * wrong thing.
 */
import { Tensor, tensor, reshape } from "../core";
import { sameShape } from "../core/shape";
import { crossEntropy, mse, binaryCrossEntropy } from "./losses";
import type { Labels } from "./data";
import { show } from "../core/check";

/** A loss function: prediction and targets → a one-element tensor (the batch mean). */
export type LossFn = (pred: Tensor, y: Labels) => Tensor;

/** A loss function or the name of one of `nn.losses`. */
export type LossOption = LossFn | "crossEntropy" | "mse" | "binaryCrossEntropy";

/** Targets as a tensor shaped like `pred` where the element counts agree. */
export function targetsLike(pred: Tensor, y: Labels): Tensor {
  let t = y instanceof Tensor ? y : tensor(Array.from(y), { dtype: pred.dtype });
  if (t.dtype !== pred.dtype) t = tensor(t.values, { dtype: pred.dtype, shape: t.shape.slice() });
  if (t.size === pred.size && !sameShape(t.shape, pred.shape)) t = reshape(t, pred.shape);
  return t;
}

/** Resolves the `loss` option; `where` names the caller in errors. */
export function resolveLoss(loss: unknown, where: string): LossFn {
  if (typeof loss === "function") return loss as LossFn;
  switch (loss) {
    case "crossEntropy":
      return (pred, y) => crossEntropy(pred, y);
    case "mse":
      return (pred, y) => mse(pred, targetsLike(pred, y));
    case "binaryCrossEntropy":
      return (pred, y) => binaryCrossEntropy(pred, targetsLike(pred, y));
    default:
      throw new Error(`${where}: loss must be a function (pred, y) => Tensor or one of "crossEntropy", "mse", "binaryCrossEntropy", got ${show(loss)}`);
  }
}
