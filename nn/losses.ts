/**
 * Loss functions (PyTorch semantics and defaults). Each takes `{ reduction }`:
 * "mean" (default) averages the per-element (per-sample for crossEntropy) losses, "sum" adds
 * them, "none" returns them unreduced.
 */
import { Tensor, logSoftmax, tensor } from "../core";
import { record } from "../core/autograd";
import { allocate } from "../core/dtype";
import { fmt, sameShape } from "../core/shape";
import { show } from "../core/check";
import { checkTensor } from "../core/ops/operand";

export type Reduction = "mean" | "sum" | "none";

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
    throw new Error(`crossEntropy: labels must be an Int32Array, a number[] or a Tensor, got ${labels === null ? "null" : typeof labels}`);
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
  return reduce(nllFromLogits(logits, labelIdx), opts.reduction, "crossEntropy");
}

/**
 * Per-row softmax cross-entropy [N] for integer labels, fused: one pass per row computes the
 * stable log-sum-exp (max subtracted first), loss_i = lse_i − x[i, y_i]; backward is
 * g_i · (softmax_i − onehot(y_i)), recomputing softmax from the saved lse instead of building
 * logSoftmax, a one-hot matrix and three more graph nodes.
 */
function nllFromLogits(logits: Tensor, labels: Int32Array): Tensor {
  const [N, C] = logits.shape;
  const xv = logits.values;
  const lse = new Float64Array(N);
  const out = allocate(logits.dtype, N);
  for (let i = 0; i < N; i++) {
    const row = i * C;
    let m = -Infinity;
    for (let j = 0; j < C; j++) if (xv[row + j] > m) m = xv[row + j];
    if (m === -Infinity) m = 0; // an all −∞ row: keep exp() NaN-free, as logSoftmax does
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(xv[row + j] - m);
    lse[i] = Math.log(s) + m;
    out[i] = lse[i] - xv[row + labels[i]];
  }
  return record("crossEntropy", [logits], new Tensor(out, [N]), (g) => {
    const gv = g.values;
    const d = allocate(logits.dtype, N * C);
    for (let i = 0; i < N; i++) {
      const row = i * C;
      const gi = gv[i];
      const l = lse[i];
      for (let j = 0; j < C; j++) d[row + j] = gi * Math.exp(xv[row + j] - l);
      d[row + labels[i]] -= gi;
    }
    return [new Tensor(d, logits.shape)];
  });
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

export interface BCEOptions extends LossOptions {
  /** true: the input holds logits (stable sigmoid form); false (default): probabilities in [0, 1]. */
  fromLogits?: boolean;
}

/** Element-wise BCE on probabilities: logs clamped to >= -100 as PyTorch, so p = 0 or 1 stays finite. */
function bceProbs(p: Tensor, y: Tensor): Tensor {
  const pv = p.values;
  const yv = y.values;
  const n = pv.length;
  const logP = allocate(p.dtype, n);
  const log1mP = allocate(p.dtype, n);
  const out = allocate(p.dtype, n);
  for (let i = 0; i < n; i++) {
    if (!(pv[i] >= 0 && pv[i] <= 1)) {
      throw new Error(`binaryCrossEntropy: probabilities must be in [0, 1], got ${pv[i]} at index ${i} (pass { fromLogits: true } for logits)`);
    }
    logP[i] = Math.max(Math.log(pv[i]), -100);
    log1mP[i] = Math.max(Math.log(1 - pv[i]), -100);
    out[i] = -(yv[i] * logP[i] + (1 - yv[i]) * log1mP[i]);
  }
  return record("binaryCrossEntropy", [p, y], new Tensor(out, p.shape), (g) => {
    const gv = g.values;
    const dp = allocate(p.dtype, n);
    const dy = allocate(p.dtype, n);
    for (let i = 0; i < n; i++) {
      // PyTorch's backward: (p − y) / max(p(1 − p), 1e-12), finite even at p = 0 or 1.
      dp[i] = (gv[i] * (pv[i] - yv[i])) / Math.max(pv[i] * (1 - pv[i]), 1e-12);
      dy[i] = gv[i] * (log1mP[i] - logP[i]);
    }
    return [new Tensor(dp, p.shape), new Tensor(dy, y.shape)];
  });
}

/** Element-wise BCE on logits: max(x, 0) − x·y + log1p(e^−|x|), gradient σ(x) − y. */
function bceLogits(x: Tensor, y: Tensor): Tensor {
  const xv = x.values;
  const yv = y.values;
  const n = xv.length;
  const out = allocate(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = Math.max(xv[i], 0) - xv[i] * yv[i] + Math.log1p(Math.exp(-Math.abs(xv[i])));
  return record("binaryCrossEntropyWithLogits", [x, y], new Tensor(out, x.shape), (g) => {
    const gv = g.values;
    const dx = allocate(x.dtype, n);
    const dy = allocate(x.dtype, n);
    for (let i = 0; i < n; i++) {
      const v = xv[i];
      const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      dx[i] = gv[i] * (s - yv[i]);
      dy[i] = -gv[i] * v;
    }
    return [new Tensor(dx, x.shape), new Tensor(dy, y.shape)];
  });
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
  const loss = fromLogits ? bceLogits(probsOrLogits, t) : bceProbs(probsOrLogits, t);
  return reduce(loss, opts.reduction, "binaryCrossEntropy");
}
