/**
 * Loss functions (PyTorch semantics and defaults). Each takes `{ reduction }`:
 * "mean" (default) averages the per-element (per-sample for crossEntropy) losses, "sum" adds
 * them, "none" returns them unreduced. The fused kernels are core ops (core/ops/cross-entropy.ts);
 * this file checks the arguments and reduces.
 */
import { Tensor, logSoftmax, tensor } from "../core";
import { binaryCrossEntropyLogits, binaryCrossEntropyProbs, softmaxCrossEntropy } from "../core/ops/cross-entropy";
import { fmt, sameShape } from "../core/shape";
import { show } from "../core/check";
import { checkTensor } from "../core/ops/operand";

/** How a loss reduces over the batch: "mean" (default), "sum", or "none" (one value per sample). @example mse(pred, y, { reduction: "sum" }) */
export type Reduction = "mean" | "sum" | "none";

/** Options of every loss. @example crossEntropy(logits, labels, { reduction: "none" }) */
export interface LossOptions {
  reduction?: Reduction;
}

function reduce(loss: Tensor, reduction: Reduction | undefined, name: string): Tensor {
  const r = reduction ?? "mean";
  if (r === "mean") return loss.mean();
  if (r === "sum") return loss.sum();
  if (r === "none") return loss;
  throw new Error(`${name}: reduction must be "mean", "sum" or "none", got ${show(reduction)}`);
}

/** Target as a tensor of pred's dtype and exact shape (no broadcasting: a mismatch is a bug). */
function matchingTarget(pred: Tensor, target: Tensor | number[], name: string): Tensor {
  const t = target instanceof Tensor ? target : tensor(target as number[], { dtype: pred.dtype });
  if (!sameShape(pred.shape, t.shape)) {
    throw new Error(`${name}: prediction ${fmt(pred.shape)} and target ${fmt(t.shape)} must have the same shape`);
  }
  if (t.dtype !== pred.dtype) throw new Error(`${name}: prediction is ${pred.dtype} but target is ${t.dtype}`);
  return t;
}

/**
 * Softmax cross-entropy between logits [N, C] and integer class labels (N of them, in [0, C)),
 * computed stably (one fused log-sum-exp pass per row for class indices, logSoftmax for soft
 * targets). Labels may also be class probabilities: a Tensor of the logits' shape (PyTorch's
 * soft targets). "none" gives the [N] per-sample losses.
 * @example crossEntropy(tensor([[2, 0, -1], [0, 3, 0]]), [0, 1]) // ≈ 0.110
 */
export function crossEntropy(logits: Tensor, labels: Int32Array | number[] | Tensor, opts: LossOptions = {}): Tensor {
  checkTensor("crossEntropy", "logits", logits);
  if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be 2-D [batch, classes], got ${fmt(logits.shape)}`);
  const [N, C] = logits.shape;
  if (labels instanceof Tensor && labels.rank === 2) {
    const probs = matchingTarget(logits, labels, "crossEntropy");
    return reduce(logSoftmax(logits, 1).mul(probs).sum({ axis: 1 }).neg(), opts.reduction, "crossEntropy");
  }
  let idx: ArrayLike<number>;
  if (labels instanceof Tensor) {
    if (labels.rank !== 1) throw new Error(`crossEntropy: labels must be 1-D class indices [${N}] or probabilities [${N},${C}], got ${fmt(labels.shape)}`);
    idx = labels.values;
  } else if (Array.isArray(labels) || labels instanceof Int32Array) {
    idx = labels;
  } else {
    throw new Error(`crossEntropy: labels must be an Int32Array, a number[] or a Tensor, got ${show(labels)}`);
  }
  if (idx.length !== N) throw new Error(`crossEntropy: got ${idx.length} labels for ${N} rows of logits ${fmt(logits.shape)}`);
  const labelIdx = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const y = idx[i];
    if (typeof y !== "number" || !Number.isInteger(y) || y < 0 || y >= C) {
      throw new Error(`crossEntropy: label ${show(y)} at index ${i} is not an integer class in [0, ${C - 1}] (logits ${fmt(logits.shape)})`);
    }
    labelIdx[i] = y;
  }
  return reduce(softmaxCrossEntropy(logits, labelIdx), opts.reduction, "crossEntropy");
}

/**
 * Mean squared error (pred − target)², shapes must be equal.
 * @example mse(tensor([1, 2]), tensor([1, 4])) // 2
 */
export function mse(pred: Tensor, target: Tensor | number[], opts: LossOptions = {}): Tensor {
  checkTensor("mse", "pred", pred);
  const t = matchingTarget(pred, target, "mse");
  return reduce(pred.sub(t).square(), opts.reduction, "mse");
}

/** Options of `binaryCrossEntropy`: whether the input is logits (the stable fused form) or probabilities. @example binaryCrossEntropy(logits, y, { fromLogits: true }) */
export interface BCEOptions extends LossOptions {
  /** true: the input holds logits (stable sigmoid form); false (default): probabilities in [0, 1]. */
  fromLogits?: boolean;
}

/**
 * Binary cross-entropy against targets in [0, 1] of the same shape. With probabilities (the
 * default) each log is clamped to >= −100, as PyTorch's `binary_cross_entropy`; with
 * `fromLogits: true` the stable form of `binary_cross_entropy_with_logits` is used.
 * @example binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])) // ≈ 0.164
 * @example binaryCrossEntropy(tensor([2.2, -1.4]), tensor([1, 0]), { fromLogits: true })
 */
export function binaryCrossEntropy(probsOrLogits: Tensor, target: Tensor | number[], opts: BCEOptions = {}): Tensor {
  checkTensor("binaryCrossEntropy", "probsOrLogits", probsOrLogits);
  const t = matchingTarget(probsOrLogits, target, "binaryCrossEntropy");
  const fromLogits = opts.fromLogits ?? false;
  if (typeof fromLogits !== "boolean") throw new Error(`binaryCrossEntropy: fromLogits must be a boolean, got ${show(opts.fromLogits)}`);
  const loss = fromLogits ? binaryCrossEntropyLogits(probsOrLogits, t) : binaryCrossEntropyProbs(probsOrLogits, t);
  return reduce(loss, opts.reduction, "binaryCrossEntropy");
}
