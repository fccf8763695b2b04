/**
 * The callback protocol of `fit`: the hooks, the logs they get, and the training context (see
 * callbacks.ts for the order of calls). In a file of its own so that the callbacks' base class
 * and each callback import it without a cycle.
 */
import type { Parameter } from "../core";
import type { Module } from "./module";
import type { History } from "./history";
import type { Generator } from "../core/random";
import type { LoopPosition, ResumePoint } from "./fit-state";
import type { OptimizerLike } from "./optimizer-like";

/** Values logged by the loop: loss, metrics, val_ metrics, size (samples in a batch). */
export type Logs = Record<string, number>;

/** What a callback can reach during fit (Keras's `callback.model` and `callback.params`). */
export interface TrainContext {
  model: Module;
  optimizer: OptimizerLike;
  /** The trainable parameters fit updates (the list given to step and finalizeVariableValues). */
  params: Parameter[];
  history: History;
  epochs: number;
  /** Batches per epoch, null when the data is an iterable of unknown length. */
  steps: number | null;
  verbose: number;
  /** Writes one line to fit's output (for callbacks' messages). */
  print(line: string): void;
  /** Where the loop is, kept current before onBatchEnd and onEpochEnd (see nn/fit-state.ts). */
  readonly position: LoopPosition;
  /** The generator fit shuffles with (the global one when fit has no `seed`). */
  readonly shuffleGenerator: Generator;
  /** Set in onTrainBegin to continue a saved run from its position (BackupAndRestore does). */
  resumeFrom?: ResumePoint;
}

/** A training callback: implement any subset of the hooks. */
export interface Callback {
  /** Called once before training with what the callback may use (model, optimizer, params, print). */
  setContext?(ctx: TrainContext): void;
  /** Before the first epoch. */
  onTrainBegin?(logs: Logs): void;
  /** After the last epoch (or an early stop); logs hold the last epoch's values. */
  onTrainEnd?(logs: Logs): void;
  /** Before epoch `epoch` (0-based). */
  onEpochBegin?(epoch: number, logs: Logs): void;
  /** After epoch `epoch` and its validation; logs hold its loss, metrics and val_ values. */
  onEpochEnd?(epoch: number, logs: Logs): void;
  /** Before batch `batch` of the epoch (0-based). */
  onBatchBegin?(batch: number, logs: Logs): void;
  /** After the optimizer step; logs hold the epoch's running means so far and the batch `size`. */
  onBatchEnd?(batch: number, logs: Logs): void;
  /** Before the validation pass at the end of each epoch. */
  onTestBegin?(logs: Logs): void;
  /** After the validation pass; logs hold the val_ values. */
  onTestEnd?(logs: Logs): void;
}
