/**
 * BackupAndRestore, as Keras 3's `keras.callbacks.BackupAndRestore`: saves the whole training
 * state to `dir` during `fit` (every epoch, or every N batches) and, when a `fit` with the same
 * callback starts and finds a checkpoint there, restores it and continues from where the saved
 * run was. A run killed at any moment and started again ends with weights bit-identical to an
 * uninterrupted run's (test/reliability/backup-restore*.test.ts).
 *
 * Saved, in one atomically written file (see training-state.ts): the model's parameters and
 * buffers, the optimizer's state (slots: moments, EMA weights, accumulated gradients; counters;
 * loss scale), the loop position (epoch, batch, the epoch's running sums), every generator's
 * state (shuffling, the global one used by dropout, Dropout layers' own), and the history.
 * Not saved (as in Keras): other callbacks' own state (EarlyStopping's patience counter).
 *
 * The restarted fit must be the same call: the same model architecture, optimizer settings, data
 * and fit options. The checkpoint is deleted when training ends (`deleteCheckpoint`, default
 * true), so the next fit starts afresh.
 */
import { generatorFor } from "../core/random";
import { BaseCallback } from "./callback-base";
import type { Logs, TrainContext } from "./callback-types";
import type { OptimizerLike, SavedOptimizerState } from "./optimizer-like";
import { TrainingState, decodeTrainingState, encodeTrainingState, moduleGenerators } from "./training-state";
import { checkpointPath, deleteCheckpoint, readCheckpoint, writeCheckpoint } from "./backup-file";

/** Options of `BackupAndRestore` (Keras's): how often to save, and whether to delete the backup when training ends. @example new BackupAndRestore("backup", { saveFreq: 100 }) */
export interface BackupAndRestoreOptions {
  /** "epoch" (default): save at the end of every epoch; N: every N batches. */
  saveFreq?: "epoch" | number;
  /** Delete the checkpoint when training ends normally (default true). */
  deleteCheckpoint?: boolean;
}

type Stateful = OptimizerLike & { stateDict(): SavedOptimizerState; loadStateDict(s: SavedOptimizerState): void };

/**
 * Saves the training state to `dir` and resumes an interrupted `fit` from it.
 * @example
 * // run this script again after a crash: fit continues where the last checkpoint was
 * nn.fit(model, data, { optimizer, loss: "crossEntropy", epochs: 10, seed: 1,
 *   callbacks: [new nn.callbacks.BackupAndRestore("backup", { saveFreq: 100 })] });
 */
export class BackupAndRestore extends BaseCallback {
  readonly dir: string;
  readonly saveFreq: "epoch" | number;
  readonly deleteCheckpoint: boolean;
  /** Where the last restore started (null for a fresh run): `{ epoch, batch }`, 0-based. */
  restoredFrom: { epoch: number; batch: number } | null = null;
  private batchesSinceSave = 0;

  constructor(dir: string, opts: BackupAndRestoreOptions = {}) {
    super();
    const where = "BackupAndRestore";
    if (typeof dir !== "string" || dir === "")
      throw new Error(`${where}: dir must be a non-empty folder path, got ${typeof dir === "string" ? '""' : typeof dir}`);
    if (typeof opts !== "object" || opts === null) throw new Error(`${where}: options must be an object { saveFreq?, deleteCheckpoint? }`);
    for (const k of Object.keys(opts))
      if (k !== "saveFreq" && k !== "deleteCheckpoint") throw new Error(`${where}: unknown option "${k}" (allowed: saveFreq, deleteCheckpoint)`);
    const freq = opts.saveFreq ?? "epoch";
    if (freq !== "epoch" && !(typeof freq === "number" && Number.isInteger(freq) && freq >= 1)) {
      throw new Error(
        `${where}: saveFreq must be "epoch" or a positive integer number of batches, got ${typeof freq === "string" ? `"${freq}"` : String(freq)}`,
      );
    }
    if (opts.deleteCheckpoint !== undefined && typeof opts.deleteCheckpoint !== "boolean")
      throw new Error(`${where}: deleteCheckpoint must be true or false, got ${String(opts.deleteCheckpoint)}`);
    this.dir = dir;
    this.saveFreq = freq;
    this.deleteCheckpoint = opts.deleteCheckpoint ?? true;
  }

  setContext(ctx: TrainContext): void {
    const opt = ctx.optimizer as Partial<Stateful>;
    if (typeof opt.stateDict !== "function" || typeof opt.loadStateDict !== "function") {
      throw new Error("BackupAndRestore: the optimizer must have stateDict() and loadStateDict() (every optim optimizer does)");
    }
    super.setContext(ctx);
  }

  /** Restores the whole training state from the backup, when one exists (fit then resumes where it stopped). */
  onTrainBegin(): void {
    const ctx = this.context("BackupAndRestore");
    this.batchesSinceSave = 0;
    this.restoredFrom = null;
    const bytes = readCheckpoint(this.dir);
    if (bytes === null) return;
    const state = decodeTrainingState(bytes, checkpointPath(this.dir));
    this.restore(ctx, state);
  }

  /** With `saveFreq: N`, saves the training state every N batches. */
  onBatchEnd(): void {
    if (this.saveFreq === "epoch") return;
    if (++this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      this.save();
    }
  }

  /** With `saveFreq: "epoch"`, saves the training state at the end of each epoch. */
  onEpochEnd(_epoch: number, _logs: Logs): void {
    if (this.saveFreq === "epoch") this.save();
  }

  /** Training finished: deletes the backup (unless `deleteCheckpoint: false`). */
  onTrainEnd(): void {
    if (this.deleteCheckpoint) deleteCheckpoint(this.dir);
  }

  private save(): void {
    const ctx = this.context("BackupAndRestore");
    const gens = moduleGenerators(ctx.model);
    const state: TrainingState = {
      model: ctx.model.stateDict(),
      integerNames: ctx.model.integerStateNames(),
      optimizer: (ctx.optimizer as Stateful).stateDict(),
      position: { ...ctx.position, metricSums: ctx.position.metricSums.slice() },
      generators: {
        shuffle: ctx.shuffleGenerator.getState(),
        global: generatorFor().getState(),
        modules: Object.fromEntries([...gens].map(([k, g]) => [k, g.getState()])),
      },
      history: {
        epoch: ctx.history.epoch.slice(),
        history: ctx.history.history,
        ...(ctx.history.stoppedReason !== undefined ? { stoppedReason: ctx.history.stoppedReason } : {}),
      },
    };
    writeCheckpoint(this.dir, encodeTrainingState(state));
  }

  /** Loads everything (model and optimizer validate before they change anything), then hands fit the position. */
  private restore(ctx: TrainContext, s: TrainingState): void {
    const file = checkpointPath(this.dir);
    const gens = moduleGenerators(ctx.model);
    const saved = Object.keys(s.generators?.modules ?? {});
    if (saved.length !== gens.size || saved.some((k) => !gens.has(k))) {
      throw new Error(
        `BackupAndRestore: ${file} was saved from a model with generators [${saved.join(", ")}] but this model has [${[...gens.keys()].join(", ")}] (is it the same model?)`,
      );
    }
    try {
      ctx.model.loadStateDict(s.model);
      (ctx.optimizer as Stateful).loadStateDict(s.optimizer);
    } catch (e) {
      throw new Error(`BackupAndRestore: ${file} does not fit this model and optimizer (is it the same fit?): ${(e as Error).message}`);
    }
    for (const [k, series] of Object.entries(s.history.history)) ctx.history.history[k] = series.slice();
    ctx.history.epoch.push(...s.history.epoch);
    if (s.history.stoppedReason !== undefined) ctx.history.stoppedReason = s.history.stoppedReason;
    const { shuffle, global, modules } = s.generators;
    ctx.resumeFrom = {
      position: s.position,
      trained: true,
      restoreGenerators: () => {
        ctx.shuffleGenerator.setState(shuffle);
        generatorFor().setState(global);
        for (const [k, g] of gens) g.setState(modules[k]);
      },
    };
    this.restoredFrom = { epoch: s.position.epoch, batch: s.position.batchesDone };
    if (ctx.verbose > 0) ctx.print(`BackupAndRestore: resuming from ${file} at epoch ${s.position.epoch + 1}, batch ${s.position.batchesDone}`);
  }
}
