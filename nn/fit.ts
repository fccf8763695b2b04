/**
 * fit: the Keras-style training loop.
 *
 * Per batch: model.train(), forward, loss, (loss NaN/Infinite → stop, see below), backward of
 * `optimizer.scaleLoss(loss)` (Keras's `scale_loss`; the unscaled loss is reported),
 * `optimizer.step(params)`, `optimizer.zeroGrad(params)`, then onBatchEnd. `params` are the
 * model's trainable parameters.
 *
 * Logged values are means over samples: each batch's (mean-reduced) loss and metrics are
 * weighted by its size, so an epoch's `loss` is Σ loss_b·n_b / Σ n_b (Keras semantics).
 * Validation runs at the end of each epoch in eval mode with the tape off, giving `val_loss`
 * and `val_<metric>`.
 *
 * Gradient accumulation is the optimizer's job (its `gradientAccumulationSteps` option):
 * fit still calls `step` after every batch, and every k-th call updates the weights with the
 * mean of the k gradients. With a mean-reduced loss and equal batch sizes that equals one batch
 * k times larger. fit's own `gradientAccumulationSteps` option only states the intent: it must
 * equal the optimizer's setting (or 1 for none), else fit throws before training. Micro-batches
 * left over at the end of an epoch carry into the next one (and are dropped at the end of
 * training), as in Keras.
 *
 * Stopping: a callback sets `model.stopTraining = true` (see nn/callbacks.ts). A loss that is
 * NaN or infinite stops training like Keras's TerminateOnNaN, but before the bad batch is
 * applied: no backward and no optimizer step for it, so the weights stay those of the last good
 * step. The loss is still recorded (the epoch's `loss` becomes NaN), the message is printed and
 * kept in `history.stoppedReason`; fit returns normally.
 *
 * Resuming: `initialEpoch` (Keras's `initial_epoch`) starts the loop at that epoch index, so
 * `epochs` is the index to stop at, not a count: after 2 epochs, `{ epochs: 3, initialEpoch: 2 }`
 * runs the third (callbacks and history see epoch index 2). With a `seed`, the shuffling
 * generator is first advanced past the skipped epochs, so epoch k shuffles exactly as epoch k of
 * an uninterrupted run; with the weights and the optimizer's `stateDict` restored, the result is
 * bit-identical (test/reliability/resume.test.ts).
 *
 * A fit that throws (an optimizer rejecting a NaN learning rate, a loss or layer rejecting its
 * input) puts back every `.grad`, each module's train/eval mode and, when no step was applied,
 * the buffers and generators: see nn/fit-state.ts. A callback that saves the whole training
 * state (BackupAndRestore) reads `ctx.position` and resumes through `ctx.resumeFrom`.
 *
 * After training (when at least one epoch ran), an optimizer with `useEma` (or a
 * LossScaleOptimizer wrapping one) gets
 * `finalizeVariableValues(params)`, copying the EMA weights into the model, before onTrainEnd
 * (Keras order: EarlyStopping's restoreBestWeights acts after it).
 */
import { defaultOutput } from "./default-output";
import { Parameter, Tensor } from "../core";
import { Generator, generatorFor } from "../core/random";
import { Module } from "./module";
import { Batch, Data, batchesOf, checkBatch, skipEpochShuffle, sliceRows, checkBatchSize, isBatch, stepsPerEpoch } from "./data";
import { LossOption, resolveLoss } from "./loss-option";
import { Metric, resolveMetrics } from "./metrics";
import { Callback, CallbackList, Logs, TrainContext } from "./callbacks";
import { History } from "./history";
import { OutputStream, ProgressReporter } from "./progress";
import { OptimizerLike, accumulationOf, checkOptimizer, emaEnabled } from "./optimizer-like";
import { evaluateLogs, inEvalMode, lossValue } from "./evaluate";
import { checkOptionKeys, show } from "../core/check";
import { disownGradientBuffer, releaseGradient } from "../core/gradient-buffer";
import { LoopPosition, ResumePoint, allModules, beforeFit } from "./fit-state";

/** Options of `fit` (Keras's `model.fit`): optimizer, loss, epochs, batch size, validation, callbacks, ... @example fit(model, data, { optimizer, loss: "crossEntropy", epochs: 2, batchSize: 64 }) */
export interface FitOptions {
  /** Any optim.Optimizer (or an object with step/zeroGrad). */
  optimizer: OptimizerLike;
  /** `(pred, y) => scalar Tensor` (mean over the batch), or "crossEntropy" | "mse" | "binaryCrossEntropy". */
  loss: LossOption;
  epochs: number;
  /** Epoch index to start at, for resuming (default 0; Keras's `initial_epoch`); `epochs` stays the index to stop at. */
  initialEpoch?: number;
  /** Batch size for a single `{ x, y }` dataset (default 32); an iterable of batches is used as given. */
  batchSize?: number;
  /** Reshuffle a `{ x, y }` dataset every epoch (default true). */
  shuffle?: boolean;
  /** Seed for the shuffling; without it the global generator (`manualSeed`) is used. */
  seed?: number;
  /** Evaluated at the end of each epoch → val_loss, val_<metric>. */
  validationData?: Data;
  /** e.g. ["accuracy"]. */
  metrics?: Metric[];
  callbacks?: Callback[];
  /** 0 silent; 1 progress bar on a terminal, else one line per epoch (default); 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Must equal the optimizer's `gradientAccumulationSteps` (see the file comment). */
  gradientAccumulationSteps?: number;
  /** Binary accuracy threshold for single-output models (default 0.5; use 0 for logits). */
  accuracyThreshold?: number;
  /** Where progress goes (default process.stdout in Node, the console in a browser); anything with write() and isTTY. */
  output?: OutputStream;
  /** Clock in milliseconds for the progress display (default performance.now; for tests). */
  now?: () => number;
}

const VERBOSE = [0, 1, 2];
const FIT_OPTION_KEYS = [
  "optimizer",
  "loss",
  "epochs",
  "initialEpoch",
  "batchSize",
  "shuffle",
  "seed",
  "validationData",
  "metrics",
  "callbacks",
  "verbose",
  "gradientAccumulationSteps",
  "accuracyThreshold",
  "output",
  "now",
] as const;

/**
 * Trains `model` on `data` and returns the per-epoch History.
 * @example
 * const history = fit(model, { x, y }, { optimizer: new optim.Adam(), loss: "crossEntropy", epochs: 5,
 *   batchSize: 32, metrics: ["accuracy"], validationData: { x: xVal, y: yVal } });
 * history.history.val_accuracy // one number per epoch
 */
export function fit(model: Module, data: Data, opts: FitOptions): History {
  const where = "fit";
  // Validate everything before touching the model or the optimizer.
  if (!(model instanceof Module)) throw new Error(`${where}: model must be an nn.Module, got ${show(model)}`);
  if (typeof opts !== "object" || opts === null) throw new Error(`${where}: options { optimizer, loss, epochs, batchSize, ... } are required`);
  checkOptionKeys(where, opts, FIT_OPTION_KEYS);
  const optimizer = checkOptimizer(opts.optimizer, where);
  const lossFn = resolveLoss(opts.loss, where);
  const epochs = opts.epochs;
  if (typeof epochs !== "number" || !Number.isInteger(epochs) || epochs < 0) throw new Error(`${where}: epochs must be an integer >= 0, got ${String(epochs)}`);
  const initialEpoch = opts.initialEpoch ?? 0;
  if (typeof initialEpoch !== "number" || !Number.isInteger(initialEpoch) || initialEpoch < 0)
    throw new Error(`${where}: initialEpoch must be an integer >= 0, got ${String(initialEpoch)}`);
  const batchSize = checkBatchSize(opts.batchSize ?? 32, where);
  const verbose = opts.verbose ?? 1;
  if (!VERBOSE.includes(verbose)) throw new Error(`${where}: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  const metrics = resolveMetrics(opts.metrics, where, opts.accuracyThreshold);
  if (opts.seed !== undefined && (typeof opts.seed !== "number" || !Number.isFinite(opts.seed)))
    throw new Error(`${where}: seed must be a finite number, got ${String(opts.seed)}`);
  checkAccumulation(opts.gradientAccumulationSteps, optimizer, where);
  if (isBatch(data)) checkBatch(data, where);
  else if (typeof (data as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
    throw new Error(`${where}: data must be { x: Tensor, y } or an iterable of such batches, got ${show(data)}`);
  }
  if (
    opts.validationData !== undefined &&
    !isBatch(opts.validationData) &&
    typeof (opts.validationData as Iterable<unknown>)?.[Symbol.iterator] !== "function"
  ) {
    throw new Error(`${where}: validationData must be { x: Tensor, y } or an iterable of such batches`);
  }
  if (opts.loss === "crossEntropy" && isBatch(data)) checkClassLabels(model, data, where);
  const params: Parameter[] = model.parameters().filter((p) => p.trainable);
  if (params.length === 0) throw new Error(`${where}: the model has no trainable parameters`);
  const callbacks = new CallbackList(opts.callbacks ?? []);
  const out: OutputStream = opts.output ?? defaultOutput();
  const steps = stepsPerEpoch(data, batchSize);
  const progress = new ProgressReporter(out, verbose, epochs, steps, opts.now);
  const generator: Generator = opts.seed === undefined ? generatorFor() : new Generator(opts.seed);
  const history = new History();
  history.params = { epochs, steps, verbose };
  const position: LoopPosition = {
    epoch: initialEpoch,
    batchesDone: 0,
    samples: 0,
    lossSum: 0,
    metricSums: metrics.map(() => 0),
    epochStartShuffleState: generator.getState(),
  };
  const ctx: TrainContext = {
    model,
    optimizer,
    params,
    history,
    epochs,
    steps,
    verbose,
    print: (line) => progress.message(line),
    position,
    shuffleGenerator: generator,
  };
  // A call that throws puts back what it changed (see fit-state.ts); `applied` says whether a step went in.
  const undo = beforeFit(model, [generator, generatorFor()]);
  let applied = false;
  const loop: Loop = {
    model,
    data,
    opts,
    where,
    optimizer,
    lossFn,
    metrics,
    params,
    batchSize,
    callbacks,
    progress,
    history,
    ctx,
    generator,
    onStep: () => (applied = true),
  };
  try {
    return train(loop, epochs, initialEpoch);
  } catch (e) {
    undo.restore(applied);
    throw e;
  }
}

interface Loop {
  model: Module;
  data: Data;
  opts: FitOptions;
  where: string;
  optimizer: OptimizerLike;
  lossFn: ReturnType<typeof resolveLoss>;
  metrics: ReturnType<typeof resolveMetrics>;
  params: Parameter[];
  batchSize: number;
  callbacks: CallbackList;
  progress: ProgressReporter;
  history: History;
  ctx: TrainContext;
  generator: Generator;
  onStep: () => void;
}

function train(loop: Loop, epochs: number, initialEpoch: number): History {
  const { model, data, opts, where, optimizer, lossFn, metrics, params, batchSize, callbacks, progress, history, ctx, generator } = loop;
  const shuffle = opts.shuffle ?? true;
  const position = ctx.position;
  const modes = allModules(model).map(([, m]) => [m, m.training] as const);
  model.stopTraining = false;
  callbacks.setContext(ctx);
  callbacks.onTrainBegin({});
  // Gradients left by an earlier backward() would otherwise leak into the first step. Whoever
  // made them may keep them: fit takes fresh gradient buffers rather than overwrite theirs.
  for (const p of params) disownGradientBuffer(p);
  optimizer.zeroGrad(params);
  let epochsRun = 0;
  let lastLogs: Logs = {};
  // A callback (BackupAndRestore) may have asked to continue a saved run.
  const resume: ResumePoint | undefined = ctx.resumeFrom;
  ctx.resumeFrom = undefined;
  let first = initialEpoch;
  if (resume !== undefined) {
    first = Math.max(initialEpoch, resume.position.epoch);
    if (resume.position.batchesDone === 0) resume.restoreGenerators();
  } else {
    // Resuming by initialEpoch: draw the skipped epochs' permutations so epoch k shuffles as in an uninterrupted run.
    for (let epoch = 0; epoch < Math.min(initialEpoch, epochs); epoch++) skipEpochShuffle(data, { batchSize, shuffle, generator });
  }
  for (let epoch = first; epoch < epochs && !model.stopTraining; epoch++) {
    const midEpoch = resume !== undefined && epoch === resume.position.epoch && resume.position.batchesDone > 0 ? resume.position : null;
    callbacks.onEpochBegin(epoch, {});
    progress.epochBegin();
    let samples = midEpoch ? midEpoch.samples : 0;
    let lossSum = midEpoch ? midEpoch.lossSum : 0;
    const sums = midEpoch ? midEpoch.metricSums.slice() : metrics.map(() => 0);
    let step = midEpoch ? midEpoch.batchesDone : 0;
    if (midEpoch) generator.setState(midEpoch.epochStartShuffleState);
    Object.assign(position, { epoch, batchesDone: step, samples, lossSum, metricSums: sums.slice(), epochStartShuffleState: generator.getState() });
    // batchesOf draws this epoch's permutation on the first next(); a mid-epoch resume then puts the generators back.
    const batches = batchesOf(data, { batchSize, shuffle, generator, skip: step })[Symbol.iterator]();
    let item = batches.next();
    if (midEpoch) resume!.restoreGenerators();
    let nanStop = false;
    for (; !item.done; item = batches.next()) {
      const batch = item.value as Batch; // (older TypeScript, as tslab bundles, does not narrow on !item.done)
      const n = checkBatch(batch, where);
      callbacks.onBatchBegin(step, { batch: step, size: n });
      model.train();
      const pred = model.call(batch.x);
      const loss = lossFn(pred, batch.y);
      const value = lossValue(loss, where);
      if (Number.isFinite(value)) {
        const scaled = optimizer.scaleLoss ? optimizer.scaleLoss(loss) : loss;
        scaled.backward();
        optimizer.step(params);
        loop.onStep();
        // fit owns this step's gradients (nobody else saw them): their heap buffers may be
        // reused by the next step's backward (core/gradient-buffer.ts)
        for (const p of params) releaseGradient(p);
        optimizer.zeroGrad(params);
      } else {
        nanStop = true;
        optimizer.zeroGrad(params);
      }
      samples += n;
      lossSum += value * n;
      metrics.forEach((m, k) => (sums[k] += m.batchMean(pred, batch.y) * n));
      step++;
      const logs = meanLogs(
        lossSum,
        metrics.map((m) => m.name),
        sums,
        samples,
      );
      if (nanStop) {
        const reason = `fit: loss is ${value} at epoch ${epoch + 1}, batch ${step}; training stopped (that batch was not applied, the weights are from the step before)`;
        history.stoppedReason = reason;
        progress.message(reason);
        model.stopTraining = true;
        break;
      }
      Object.assign(position, { batchesDone: step, samples, lossSum, metricSums: sums.slice() });
      progress.batchEnd(step, samples, logs, epoch);
      callbacks.onBatchEnd(step - 1, { ...logs, batch: step - 1, size: n });
      if (model.stopTraining) break;
    }
    if (step === 0) {
      throw new Error(
        `${where}: the data gave no batches in epoch ${epoch + 1}${epoch > 0 && !isBatch(data) && !Array.isArray(data) ? " (a one-shot iterator is used up after the first epoch; pass an array of batches)" : ""}`,
      );
    }
    const epochLogs = meanLogs(
      lossSum,
      metrics.map((m) => m.name),
      sums,
      samples,
    );
    if (opts.validationData !== undefined) {
      Object.assign(epochLogs, validate(model, opts.validationData, lossFn, metrics, batchSize, callbacks));
    }
    history.record(epoch, epochLogs);
    epochsRun++;
    lastLogs = epochLogs;
    // The next position: the start of the next epoch, whose permutation the generator draws next.
    Object.assign(position, {
      epoch: epoch + 1,
      batchesDone: 0,
      samples: 0,
      lossSum: 0,
      metricSums: metrics.map(() => 0),
      epochStartShuffleState: generator.getState(),
    });
    progress.epochEnd(epoch, step, epochLogs);
    callbacks.onEpochEnd(epoch, epochLogs);
    if (model.stopTraining && history.stoppedReason === undefined && epoch < epochs - 1) {
      history.stoppedReason = `stopped by a callback (model.stopTraining) after epoch ${epoch + 1}`;
    }
  }
  const trained = epochsRun > 0 || resume?.trained === true;
  if (trained && emaEnabled(optimizer) && typeof optimizer.finalizeVariableValues === "function" && optimizer.isBuilt !== false) {
    optimizer.finalizeVariableValues(params);
  }
  for (const [m, training] of modes) m.training = training; // each module's own mode, as before the call
  callbacks.onTrainEnd(lastLogs);
  return history;
}

function meanLogs(lossSum: number, names: string[], sums: number[], samples: number): Logs {
  const logs: Logs = { loss: lossSum / samples };
  names.forEach((name, k) => (logs[name] = sums[k] / samples));
  return logs;
}

function validate(
  model: Module,
  data: Data,
  lossFn: ReturnType<typeof resolveLoss>,
  metrics: ReturnType<typeof resolveMetrics>,
  batchSize: number,
  callbacks: CallbackList,
): Logs {
  callbacks.onTestBegin({});
  let logs: Logs = {};
  try {
    logs = inEvalMode(model, () => evaluateLogs(model, data, lossFn, metrics, batchSize, "fit: validationData"));
  } finally {
    callbacks.onTestEnd(logs);
  }
  const out: Logs = {};
  for (const [k, v] of Object.entries(logs)) out[`val_${k}`] = v;
  return out;
}

/**
 * Class labels are checked before training starts (not when their batch comes up, after some
 * steps were already applied): each must be an integer in [0, classes), classes being the
 * width of the model's output, found with a one-row forward pass in eval mode without the tape.
 */
function checkClassLabels(model: Module, data: Batch, where: string): void {
  const y = data.y;
  if (y instanceof Tensor && y.rank !== 1) return; // probabilities [N, C]: crossEntropy checks them
  const labels = y instanceof Tensor ? y.values : y;
  if (labels.length === 0 || data.x.shape[0] === 0) return;
  const out = inEvalMode(model, () => model.call(sliceRows(data.x, 0, 1)));
  if (out.rank !== 2) return; // crossEntropy reports the logits' shape
  const classes = out.shape[1];
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(`${where}: label ${show(c)} at index ${i} is not an integer class in [0, ${classes - 1}] (the model outputs ${classes} classes)`);
    }
  }
}

function checkAccumulation(k: unknown, optimizer: OptimizerLike, where: string): void {
  if (k === undefined || k === null) return;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) throw new Error(`${where}: gradientAccumulationSteps must be an integer >= 1, got ${String(k)}`);
  const own = accumulationOf(optimizer);
  if (own !== k) {
    throw new Error(
      `${where}: gradientAccumulationSteps=${k} but the optimizer accumulates ${own === 1 ? "no steps" : `${own} steps`}; accumulation is done by the optimizer, so create it with { gradientAccumulationSteps: ${k} }`,
    );
  }
}
