/**
 * The fused cross-entropies, as core ops (nn.losses checks the arguments and reduces):
 * softmax cross-entropy against class indices, and binary cross-entropy on probabilities or on
 * logits. Each is one forward pass with a closed-form backward, instead of a chain of
 * elementwise ops and their graph nodes.
 *
 * @example softmaxCrossEntropy(logits, Int32Array.of(0, 2)) // [N] per-row losses
 */
import { allocate } from "../dtype";
import { Tensor } from "../tensor";
import { isGradEnabled, record } from "../autograd";
import { mul, sub } from "./binary";
import { log, neg, sigmoid } from "./unary";
import { softmax } from "./softmax";
import { reshape } from "./layout";
import { expSum, laneMax } from "./logsumexp";
import { BCE_GRAD_EPS, binaryCrossEntropyBackward } from "./bce-backward";

/**
 * Per-row softmax cross-entropy [N] of logits [N, C] against integer labels (already checked
 * to be in [0, C)): one pass per row computes the stable log-sum-exp, loss_i = lse_i − x[i, y_i];
 * backward is g_i · (softmax_i − onehot(y_i)), recomputing softmax from the saved lse instead
 * of building logSoftmax, a one-hot matrix and three more graph nodes.
 * @example softmaxCrossEntropy(tensor([[2, 0], [0, 3]]), Int32Array.of(0, 1)).shape // [2]
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array): Tensor {
  const [N, C] = logits.shape;
  const xv = logits.values;
  const lse = new Float64Array(N);
  const out = allocate(logits.dtype, N);
  for (let i = 0; i < N; i++) {
    const row = i * C;
    const m = laneMax(xv, row, 1, C);
    lse[i] = Math.log(expSum(xv, row, 1, C, m, null)) + m;
    out[i] = lse[i] - xv[row + labels[i]];
  }
  return record(
    "crossEntropy",
    [logits],
    new Tensor(out, [N]),
    (g) => {
      if (isGradEnabled()) {
        // recorded (higher order): g_i · (softmax_i − onehot(y_i)) as ops
        const onehot = new Tensor(allocate(logits.dtype, N * C), logits.shape);
        for (let i = 0; i < N; i++) onehot.values[i * C + labels[i]] = 1;
        return [mul(reshape(g, [N, 1]), sub(softmax(logits, 1), onehot))];
      }
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
    },
    true,
  );
}

/**
 * Element-wise BCE on probabilities p against targets y (same shape and dtype): logs clamped
 * to >= −100 as PyTorch, so p = 0 or 1 stays finite. Throws for a p outside [0, 1].
 * @example binaryCrossEntropyProbs(tensor([0.9]), tensor([1])) // [0.105]
 */
export function binaryCrossEntropyProbs(p: Tensor, y: Tensor): Tensor {
  const pv = p.values;
  const yv = y.values;
  const n = pv.length;
  const out = allocate(p.dtype, n);
  for (let i = 0; i < n; i++) {
    if (!(pv[i] >= 0 && pv[i] <= 1)) {
      throw new Error(`binaryCrossEntropy: probabilities must be in [0, 1], got ${pv[i]} at index ${i} (pass { fromLogits: true } for logits)`);
    }
    const logP = Math.max(Math.log(pv[i]), -100);
    const log1mP = Math.max(Math.log(1 - pv[i]), -100);
    out[i] = -(yv[i] * logP + (1 - yv[i]) * log1mP);
  }
  return record(
    "binaryCrossEntropy",
    [p, y],
    new Tensor(out, p.shape),
    (g) => {
      if (isGradEnabled()) {
        // recorded (higher order): ∂L/∂p is an op with PyTorch's second derivatives (bce-backward.ts)
        return [p.requiresGrad ? binaryCrossEntropyBackward(g, p, y) : null, y.requiresGrad ? mul(g, sub(log(sub(1, p)), log(p))) : null];
      }
      const gv = g.values;
      const dp = allocate(p.dtype, n);
      const dy = allocate(p.dtype, n);
      for (let i = 0; i < n; i++) {
        // PyTorch's backward: (p − y) / max(p(1 − p), ε₁), finite even at p = 0 or 1; and for the
        // target the unclamped log(1 − p) − log(p) (±∞ there), as PyTorch
        dp[i] = (gv[i] * (pv[i] - yv[i])) / Math.max(pv[i] * (1 - pv[i]), BCE_GRAD_EPS);
        dy[i] = gv[i] * (Math.log(1 - pv[i]) - Math.log(pv[i]));
      }
      return [new Tensor(dp, p.shape), new Tensor(dy, y.shape)];
    },
    true,
  );
}

/**
 * Element-wise BCE on logits x against targets y: max(x, 0) − x·y + log1p(e^−|x|), gradient σ(x) − y.
 * @example binaryCrossEntropyLogits(tensor([2.2]), tensor([1])) // [0.105]
 */
export function binaryCrossEntropyLogits(x: Tensor, y: Tensor): Tensor {
  const xv = x.values;
  const yv = y.values;
  const n = xv.length;
  const out = allocate(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = Math.max(xv[i], 0) - xv[i] * yv[i] + Math.log1p(Math.exp(-Math.abs(xv[i])));
  return record(
    "binaryCrossEntropyWithLogits",
    [x, y],
    new Tensor(out, x.shape),
    (g) => {
      if (isGradEnabled()) return [mul(g, sub(sigmoid(x), y)), y.requiresGrad ? neg(mul(g, x)) : null];
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
    },
    true,
  );
}
