/**
 * Callbacks for `fit`, as Keras's: objects with any of the hooks below, called in list order.
 *
 * Order of calls in one `fit`: setContext → onTrainBegin → per epoch { onEpochBegin → per batch
 * { onBatchBegin → forward/backward/optimizer step → onBatchEnd } → (validation:
 * onTestBegin → ... → onTestEnd) → onEpochEnd } → (EMA finalize) → onTrainEnd.
 *
 * Stopping: a callback stops training by setting `model.stopTraining = true` (Keras's
 * `model.stop_training`); the model is `ctx.model` from `setContext`. Set in onBatchEnd, the
 * current epoch ends after that batch (its validation and onEpochEnd still run); set in
 * onEpochEnd, no further epoch starts. fit resets the flag to false when it begins.
 */
import type { Tensor } from "../core";
import { Module } from "./module";
import { OptimizerLike, emaEnabled } from "./optimizer-like";
import { saveWeights } from "./weights-file";
import { BaseCallback } from "./callback-base";
import { checkNumber, show } from "../core/check";

declare module "./module" {
  interface Module {
    /** Set to true (typically by a callback) to make `fit` stop; see nn/callbacks.ts. */
    stopTraining?: boolean;
  }
}

export type { Logs, TrainContext, Callback } from "./callback-types";
import type { Logs, TrainContext, Callback } from "./callback-types";

/**
 * Calls every callback's hook in order (what `fit` uses; each method is the hook of `Callback`).
 * @example new CallbackList([new EarlyStopping()]).onEpochEnd(0, { loss: 0.3 })
 */
export class CallbackList implements Required<Callback> {
  constructor(readonly callbacks: Callback[] = []) {
    if (!Array.isArray(callbacks) || callbacks.some((c) => typeof c !== "object" || c === null)) {
      throw new Error("fit: callbacks must be an array of objects with onEpochEnd/onBatchEnd/... methods");
    }
  }
  setContext(ctx: TrainContext): void {
    for (const c of this.callbacks) c.setContext?.(ctx);
  }
  onTrainBegin(logs: Logs): void {
    for (const c of this.callbacks) c.onTrainBegin?.(logs);
  }
  onTrainEnd(logs: Logs): void {
    for (const c of this.callbacks) c.onTrainEnd?.(logs);
  }
  onEpochBegin(epoch: number, logs: Logs): void {
    for (const c of this.callbacks) c.onEpochBegin?.(epoch, logs);
  }
  onEpochEnd(epoch: number, logs: Logs): void {
    for (const c of this.callbacks) c.onEpochEnd?.(epoch, logs);
  }
  onBatchBegin(batch: number, logs: Logs): void {
    for (const c of this.callbacks) c.onBatchBegin?.(batch, logs);
  }
  onBatchEnd(batch: number, logs: Logs): void {
    for (const c of this.callbacks) c.onBatchEnd?.(batch, logs);
  }
  onTestBegin(logs: Logs): void {
    for (const c of this.callbacks) c.onTestBegin?.(logs);
  }
  onTestEnd(logs: Logs): void {
    for (const c of this.callbacks) c.onTestEnd?.(logs);
  }
}

// The base class lives in its own module so callbacks in other files (backup-restore.ts) can
// extend it without an import cycle through this file (an ES-module bundle would see it undefined).
export { BaseCallback } from "./callback-base";

/** Whether the monitored value should fall ("min"), rise ("max"), or "auto" (max for accuracy-like names). @example new EarlyStopping({ monitor: "val_accuracy", mode: "max" }) */
export type Mode = "auto" | "min" | "max";

/** "auto" → "max" for accuracy/AUC-like names, else "min" (Keras's fallback rule). */
function resolveMode(mode: Mode, monitor: string, where: string): "min" | "max" {
  if (mode === "min" || mode === "max") return mode;
  if (mode !== "auto") throw new Error(`${where}: mode must be "auto", "min" or "max", got ${show(mode)}`);
  return /acc|auc/i.test(monitor) ? "max" : "min";
}

function snapshot(model: Module): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) out[k] = t.clone();
  return out;
}

/** Options of `EarlyStopping` (Keras's): what to monitor, how much is an improvement, and how long to wait. @example new EarlyStopping({ monitor: "val_loss", patience: 3, restoreBestWeights: true }) */
export interface EarlyStoppingOptions {
  /** Log key to watch (default "val_loss"). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: Mode;
  /** Keep training while the value has not beaten this (default none). */
  baseline?: number;
  /** At the end of training, load the weights (state dict) of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (default 0). */
  startFromEpoch?: number;
  verbose?: number;
}

/**
 * Stops training when `monitor` has stopped improving (Keras 3 `EarlyStopping` semantics),
 * optionally restoring the best epoch's weights when training ends.
 * @example fit(model, train, { ..., validationData: val, callbacks: [new EarlyStopping({ patience: 3, restoreBestWeights: true })] })
 */
export class EarlyStopping extends BaseCallback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: number;
  private readonly modeSetting: Mode;
  private mode: "min" | "max" = "min";
  wait = 0;
  /** 0-based epoch at which training was stopped, or 0 when it was not. */
  stoppedEpoch = 0;
  best = Infinity;
  bestEpoch = 0;
  private bestWeights: Record<string, Tensor> | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    super();
    const where = "EarlyStopping";
    this.monitor = opts.monitor ?? "val_loss";
    this.minDelta = Math.abs(checkNumber(where, "minDelta", opts.minDelta ?? 0));
    this.patience = checkNumber(where, "patience", opts.patience ?? 0, { min: 0, integer: true });
    this.baseline = opts.baseline === undefined ? undefined : checkNumber(where, "baseline", opts.baseline);
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    this.startFromEpoch = checkNumber(where, "startFromEpoch", opts.startFromEpoch ?? 0, { min: 0, integer: true });
    this.verbose = opts.verbose ?? 0;
    this.modeSetting = opts.mode ?? "auto";
    resolveMode(this.modeSetting, this.monitor, where);
  }

  /** Resets the wait counter and the best value seen. */
  onTrainBegin(): void {
    this.mode = resolveMode(this.modeSetting, this.monitor, "EarlyStopping");
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  private isImprovement(value: number, reference: number): boolean {
    return this.mode === "min" ? value + this.minDelta < reference : value - this.minDelta > reference;
  }

  /** Compares the monitored value with the best so far; stops training after `patience` epochs without improvement. */
  onEpochEnd(epoch: number, logs: Logs): void {
    const ctx = this.context("EarlyStopping");
    const current = logs[this.monitor];
    if (current === undefined) {
      ctx.print(`EarlyStopping: "${this.monitor}" is not in the logs (available: ${Object.keys(logs).join(", ")}); pass validationData for val_ keys`);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) {
      // Nothing better seen yet, so the current weights are the best so far.
      this.bestWeights = snapshot(ctx.model);
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = snapshot(ctx.model);
      // Only restart the count when the baseline is beaten too.
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      ctx.model.stopTraining = true;
      ctx.history.stoppedReason ??= `EarlyStopping: ${this.monitor} did not improve for ${this.wait} epoch(s); stopped after epoch ${epoch + 1} (best ${this.best} at epoch ${this.bestEpoch + 1})`;
    }
  }

  /** Reports the stop and, with `restoreBestWeights`, puts the best epoch's weights back. */
  onTrainEnd(): void {
    const ctx = this.context("EarlyStopping");
    if (this.stoppedEpoch > 0 && this.verbose > 0) ctx.print(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0) ctx.print(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      ctx.model.loadStateDict(this.bestWeights);
    }
  }
}

/** Options of `ModelCheckpoint` (Keras's). @example new ModelCheckpoint("best.safetensors", { monitor: "val_loss", saveBestOnly: true }) */
export interface ModelCheckpointOptions {
  monitor?: string;
  /** Save only when `monitor` improved on the best so far (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: Mode;
  /** Save only once `monitor` beats this value (the initial "best"). */
  initialValueThreshold?: number;
  verbose?: number;
  /** How to write the weights: default `saveWeights` (safetensors). */
  save?: (model: Module, path: string) => void;
}

/**
 * Saves the model's weights after each epoch (or only the best ones). `filepath` may contain
 * `{epoch}` (1-based, as Keras) and `{key}` / `{key:.4f}` / `{epoch:02d}` for any log key.
 * @example new ModelCheckpoint("ckpt/best.safetensors", { monitor: "val_loss", saveBestOnly: true })
 */
export class ModelCheckpoint extends BaseCallback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly verbose: number;
  private readonly mode: "min" | "max";
  private readonly save: (model: Module, path: string) => void;
  best: number;
  /** Paths written, in order. */
  readonly saved: string[] = [];

  constructor(filepath: string, opts: ModelCheckpointOptions = {}) {
    super();
    if (typeof filepath !== "string" || filepath === "") throw new Error(`ModelCheckpoint: filepath must be a non-empty string, got ${show(filepath)}`);
    this.filepath = filepath;
    this.monitor = opts.monitor ?? "val_loss";
    this.saveBestOnly = opts.saveBestOnly ?? false;
    this.verbose = opts.verbose ?? 0;
    this.mode = resolveMode(opts.mode ?? "auto", this.monitor, "ModelCheckpoint");
    this.best = opts.initialValueThreshold ?? (this.mode === "min" ? Infinity : -Infinity);
    if (opts.save !== undefined && typeof opts.save !== "function") throw new Error("ModelCheckpoint: save must be a function (model, path) => void");
    this.save = opts.save ?? saveWeights;
  }

  /** Saves the weights to the formatted path (every epoch, or only when `monitor` improved). */
  onEpochEnd(epoch: number, logs: Logs): void {
    const ctx = this.context("ModelCheckpoint");
    const path = formatPath(this.filepath, epoch, logs);
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        ctx.print(`ModelCheckpoint: can save the best model only with "${this.monitor}" available in the logs, skipping`);
        return;
      }
      const better = this.mode === "min" ? current < this.best : current > this.best;
      if (!better) return;
      if (this.verbose > 0) ctx.print(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best} to ${current}, saving model to ${path}`);
      this.best = current;
    } else if (this.verbose > 0) {
      ctx.print(`Epoch ${epoch + 1}: saving model to ${path}`);
    }
    this.save(ctx.model, path);
    this.saved.push(path);
  }
}

/** Fills `{epoch}`, `{epoch:02d}`, `{val_loss}`, `{val_loss:.4f}` in a checkpoint path. */
export function formatPath(template: string, epoch: number, logs: Logs): string {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, key: string, spec: string | undefined) => {
    const value = key === "epoch" ? epoch + 1 : logs[key];
    if (value === undefined)
      throw new Error(`ModelCheckpoint: filepath "${template}" uses {${key}}, which is not in the logs (${["epoch", ...Object.keys(logs)].join(", ")})`);
    if (!spec) return String(value);
    const fixed = /^\.(\d+)f$/.exec(spec);
    if (fixed) return value.toFixed(Number(fixed[1]));
    const padded = /^0(\d+)d$/.exec(spec);
    if (padded) return String(Math.round(value)).padStart(Number(padded[1]), "0");
    throw new Error(`ModelCheckpoint: unsupported format "${whole}" in filepath (use {key}, {key:.Nf} or {key:0Nd})`);
  });
}

/**
 * Evaluates the validation data with the optimizer's EMA weights (Keras 3 `SwapEMAWeights`
 * for validation): swaps them in at onTestBegin and the training weights back at onTestEnd, so
 * val_loss/val_accuracy measure the averaged model while training continues on the raw
 * weights. Needs an optimizer with `useEma: true`; a no-op before the optimizer's first step.
 * @example fit(model, train, { optimizer: new optim.AdamW({ useEma: true }), validationData: val, callbacks: [new SwapEmaWeights()], ... })
 */
export class SwapEmaWeights extends BaseCallback {
  private swapped = false;

  setContext(ctx: TrainContext): void {
    super.setContext(ctx);
    const opt = ctx.optimizer;
    if (!emaEnabled(opt)) throw new Error("SwapEmaWeights: the optimizer must be created with useEma: true");
    if (typeof opt.swapEmaWeights !== "function") throw new Error("SwapEmaWeights: the optimizer has no swapEmaWeights(params) method");
  }

  private swap(): void {
    const ctx = this.context("SwapEmaWeights");
    ctx.optimizer.swapEmaWeights!(ctx.params);
    this.swapped = !this.swapped;
  }

  /** Swaps the EMA weights in before validation (once the optimizer has built them). */
  onTestBegin(): void {
    const ctx = this.context("SwapEmaWeights");
    if (!this.swapped && ctx.optimizer.isBuilt !== false) this.swap();
  }

  /** Swaps the training weights back after validation. */
  onTestEnd(): void {
    if (this.swapped) this.swap();
  }

  /** Leaves the training weights in place if training stopped mid-validation. */
  onTrainEnd(): void {
    if (this.swapped) this.swap();
  }
}

/** Another name for `SwapEmaWeights`: validation is evaluated with the EMA weights. */
export const EmaEvaluation = SwapEmaWeights;

export { BackupAndRestore } from "./backup-restore";
export type { BackupAndRestoreOptions } from "./backup-restore";
export type { LoopPosition, ResumePoint } from "./fit-state";
