/**
 * Metrics for fit/evaluate. Each metric gives a per-batch mean; the loop weights it by the
 * batch's sample count, so an epoch's value is the mean over samples (Keras semantics).
 *
 * Accuracy rule (kept deliberately simple):
 * - multi-class: predictions whose last axis has more than one entry → argmax over the last
 *   axis, compared with integer labels (number[] / Int32Array / a Tensor of label values), or
 *   with the argmax of a one-hot Tensor of the prediction's shape;
 * - single output (shape [N] or [N, 1]): binary, predicted class = `pred > threshold`, target
 *   class = `y > 0.5`. The threshold is 0.5 (probabilities); pass `accuracyThreshold: 0` to
 *   fit/evaluate when the model outputs logits (e.g. binaryCrossEntropy with fromLogits).
 */
import { Tensor } from "../core";
import { fmt } from "../core/shape";
import type { Labels } from "./data";
import { show } from "../core/check";

/** A custom metric: `fn` returns the batch mean (a number); it is averaged over samples. */
export interface MetricFn {
  name: string;
  /** The metric of one batch: predictions and labels in, the batch mean out. */
  fn: (pred: Tensor, y: Labels) => number;
}

/** "accuracy" (alias "acc") or a custom metric. */
export type Metric = "accuracy" | "acc" | MetricFn;

/** A metric ready to run: its log key and a batch-mean function. */
export interface ResolvedMetric {
  name: string;
  batchMean: (pred: Tensor, y: Labels) => number;
}

/** Turns the `metrics` option into named batch-mean functions. */
export function resolveMetrics(metrics: readonly Metric[] | undefined, where: string, threshold = 0.5): ResolvedMetric[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) throw new Error(`${where}: metrics must be an array such as ["accuracy"], got ${show(metrics)}`);
  return metrics.map((m) => {
    if (m === "accuracy" || m === "acc") return { name: "accuracy", batchMean: (p: Tensor, y: Labels) => accuracy(p, y, threshold) };
    if (typeof m === "object" && m !== null && typeof m.name === "string" && typeof m.fn === "function") {
      return { name: m.name, batchMean: m.fn };
    }
    throw new Error(`${where}: unknown metric ${show(m)}; allowed: "accuracy" or { name, fn }`);
  });
}

/**
 * Fraction of correct predictions in a batch (see the rule at the top of this file).
 * @example accuracy(tensor([[0.1, 0.9], [0.8, 0.2]]), [1, 1]) // 0.5
 */
export function accuracy(pred: Tensor, y: Labels, threshold = 0.5): number {
  const p = pred.values;
  const classes = pred.rank >= 2 ? pred.shape[pred.rank - 1] : 1;
  const rows = classes === 0 ? 0 : pred.size / classes;
  if (rows === 0) return 0;
  const yv: ArrayLike<number> = y instanceof Tensor ? y.values : y;
  let correct = 0;
  if (classes === 1) {
    if (yv.length !== rows) throw new Error(`accuracy: ${rows} predictions (shape ${fmt(pred.shape)}) but ${yv.length} targets`);
    for (let i = 0; i < rows; i++) if (p[i] > threshold === yv[i] > 0.5) correct++;
    return correct / rows;
  }
  const oneHot = y instanceof Tensor && y.size === pred.size && y.size !== rows;
  if (!oneHot && yv.length !== rows) {
    throw new Error(
      `accuracy: ${rows} predictions of ${classes} classes (shape ${fmt(pred.shape)}) need ${rows} integer labels or a one-hot tensor of that shape, got ${yv.length} values`,
    );
  }
  for (let r = 0; r < rows; r++) {
    const predicted = argmaxRow(p, r * classes, classes);
    const target = oneHot ? argmaxRow(yv, r * classes, classes) : yv[r];
    if (predicted === target) correct++;
  }
  return correct / rows;
}

function argmaxRow(v: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestValue = v[offset];
  for (let j = 1; j < n; j++) {
    if (v[offset + j] > bestValue) {
      bestValue = v[offset + j];
      best = j;
    }
  }
  return best;
}
