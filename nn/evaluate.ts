/**
 * evaluate and predict: inference passes in eval mode (Dropout off, BatchNorm on running
 * statistics) with the tape off; the model's previous mode is restored afterwards.
 */
import { Tensor, noGrad, concat } from "../core";
import { allModules } from "./fit-state";
import { Module } from "./module";
import { Data, batchesOf, checkBatch, checkBatchSize, sliceRows } from "./data";
import { LossFn, LossOption, resolveLoss } from "./loss-option";
import { Metric, ResolvedMetric, resolveMetrics } from "./metrics";
import type { Logs } from "./callbacks";
import { checkOptionKeys, show } from "../core/check";

/** Options of `evaluate`: the loss, metrics and batch size. @example evaluate(model, test, { loss: "crossEntropy", metrics: ["accuracy"] }) */
export interface EvaluateOptions {
  /** The loss to report as `loss` (a function or a name of nn.losses); omit to report metrics only. */
  loss?: LossOption;
  /** e.g. ["accuracy"]. */
  metrics?: Metric[];
  /** Batch size for a single `{ x, y }` dataset (default 32). */
  batchSize?: number;
  /** Binary accuracy threshold for single-output models (default 0.5; 0 for logits). */
  accuracyThreshold?: number;
}

/** Runs `fn` in eval mode (restoring the model's previous mode) with the tape off. */
export function inEvalMode<T>(model: Module, fn: () => T): T {
  // Each module's own mode is put back (a model may mix them, e.g. a frozen BatchNorm in eval).
  const modes = allModules(model).map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

/**
 * The loop shared by `evaluate` and fit's validation: loss and metrics averaged over samples.
 * The caller sets the mode (see `inEvalMode`).
 */
export function evaluateLogs(model: Module, data: Data, lossFn: LossFn | null, metrics: ResolvedMetric[], batchSize: number, where: string): Logs {
  let samples = 0;
  let lossSum = 0;
  const sums = metrics.map(() => 0);
  for (const batch of batchesOf(data, { batchSize, shuffle: false })) {
    const n = checkBatch(batch, where);
    if (n === 0) continue;
    const pred = model.call(batch.x);
    if (lossFn) lossSum += lossValue(lossFn(pred, batch.y), where) * n;
    metrics.forEach((m, k) => (sums[k] += m.batchMean(pred, batch.y) * n));
    samples += n;
  }
  if (samples === 0) throw new Error(`${where}: the data has no samples`);
  const logs: Logs = {};
  if (lossFn) logs.loss = lossSum / samples;
  metrics.forEach((m, k) => (logs[m.name] = sums[k] / samples));
  return logs;
}

/** The number in a one-element loss tensor; `where` names the caller in the error. */
export function lossValue(loss: unknown, where: string): number {
  if (!(loss instanceof Tensor) || loss.size !== 1) {
    const got = loss instanceof Tensor ? `a tensor of shape [${loss.shape.join(",")}]` : typeof loss;
    throw new Error(`${where}: the loss function must return a one-element Tensor (use reduction "mean"), got ${got}`);
  }
  return loss.values[0];
}

/**
 * Loss and metrics of `model` on `data`, averaged over samples (eval mode, no tape).
 * @example evaluate(model, { x: xTest, y: yTest }, { loss: "crossEntropy", metrics: ["accuracy"] }) // { loss: 0.31, accuracy: 0.91 }
 */
export function evaluate(model: Module, data: Data, opts: EvaluateOptions = {}): Record<string, number> {
  const where = "evaluate";
  if (!(model instanceof Module)) throw new Error(`${where}: model must be an nn.Module, got ${show(model)}`);
  if (typeof opts !== "object" || opts === null)
    throw new Error(`${where}: options must be an object { loss?, metrics?, batchSize?, accuracyThreshold? }, got ${String(opts)}`);
  checkOptionKeys(where, opts, ["loss", "metrics", "batchSize", "accuracyThreshold"]);
  const batchSize = checkBatchSize(opts.batchSize ?? 32, where);
  const lossFn = opts.loss === undefined ? null : resolveLoss(opts.loss, where);
  const metrics = resolveMetrics(opts.metrics, where, opts.accuracyThreshold);
  if (!lossFn && metrics.length === 0) throw new Error(`${where}: nothing to compute; pass loss and/or metrics`);
  return inEvalMode(model, () => evaluateLogs(model, data, lossFn, metrics, batchSize, where));
}

/**
 * The model's outputs for every row of `x`, computed in batches and concatenated along axis 0
 * (eval mode, no tape).
 * @example predict(model, xTest, { batchSize: 256 }) // shape [N, classes]
 */
export function predict(model: Module, x: Tensor, opts: { batchSize?: number } = {}): Tensor {
  const where = "predict";
  if (!(model instanceof Module)) throw new Error(`${where}: model must be an nn.Module, got ${show(model)}`);
  if (!(x instanceof Tensor) || x.rank === 0)
    throw new Error(`${where}: x must be a Tensor with a sample axis, got ${x instanceof Tensor ? "a scalar" : typeof x}`);
  if (typeof opts !== "object" || opts === null) throw new Error(`${where}: options must be an object { batchSize? }, got ${String(opts)}`);
  checkOptionKeys(where, opts, ["batchSize"]);
  const batchSize = checkBatchSize(opts.batchSize ?? 32, where);
  const n = x.shape[0];
  if (n === 0) throw new Error(`${where}: x has no rows (shape [${x.shape.join(",")}])`);
  return inEvalMode(model, () => {
    const outs: Tensor[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const xb = start === 0 && batchSize >= n ? x : sliceRows(x, start, Math.min(n, start + batchSize));
      outs.push(model.call(xb));
    }
    return outs.length === 1 ? outs[0] : concat(outs, 0);
  });
}
