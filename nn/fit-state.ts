/**
 * The training loop's position and what a rejected `fit` must put back.
 *
 * Position: fit keeps `TrainContext.position` current (before onBatchEnd and onEpochEnd), so a
 * callback can save it; a callback that restores a run (BackupAndRestore) sets
 * `TrainContext.resumeFrom` in onTrainBegin and fit continues from there: the epoch, the batch
 * within it (the epoch's permutation is re-drawn from the shuffle generator's state at that
 * epoch's start, and the batches already done are skipped), and the epoch's running sums, so the
 * logs and history come out as in an uninterrupted run.
 *
 * Rejection: when fit throws (a loss, a layer or the optimizer rejects a value), every parameter's
 * `.grad`, each module's train/eval mode and `stopTraining` are put back as they were before the
 * call. When no optimizer step had been applied yet, the model's buffers (BatchNorm's running
 * statistics, changed by the forward passes) and the generators fit drew from are put back too,
 * so such a call changes nothing at all (the optimizer validates before it mutates).
 */
import type { Parameter, Tensor } from "../core";
import type { Generator, GeneratorState } from "../core/random";
import { Module } from "./module";

/** Where the loop is: the epoch, the batches done in it, and its running sums (for the logs). */
export interface LoopPosition {
  /** The current epoch index (0-based). */
  epoch: number;
  /** Batches completed (stepped) in this epoch. */
  batchesDone: number;
  /** Samples and the sample-weighted sums of the loss and of each metric over this epoch so far. */
  samples: number;
  lossSum: number;
  metricSums: number[];
  /** The shuffle generator's state when this epoch began, before its permutation was drawn. */
  epochStartShuffleState: GeneratorState;
}

/** What a restoring callback hands fit in onTrainBegin. */
export interface ResumePoint {
  /** The position to continue from; `batchesDone` 0 means the start of `epoch`. */
  position: LoopPosition;
  /**
   * Puts every generator (the shuffle one, the global one, Dropout layers') back to its saved
   * current state. fit calls it after re-drawing the resumed epoch's permutation.
   */
  restoreGenerators(): void;
  /** True when the saved run had already trained (so fit finalizes the EMA even if no epoch is left). */
  trained: boolean;
}

/** Every module of the tree, depth first (the root first). */
export function allModules(model: Module): [string, Module][] {
  const out: [string, Module][] = [];
  const walk = (m: Module, name: string) => {
    out.push([name, m]);
    for (const [key, child] of m.namedChildren()) walk(child, name === "" ? key : `${name}.${key}`);
  };
  walk(model, "");
  return out;
}

/**
 * Records what a rejected fit puts back; `restore(stepApplied)` does it.
 * @example const undo = beforeFit(model, generators); try { ... } catch (e) { undo.restore(applied); throw e; }
 */
export function beforeFit(model: Module, generators: Generator[]): { restore(stepApplied: boolean): void } {
  const params: Parameter[] = model.parameters();
  const grads = params.map((p) => p.grad);
  const modes = allModules(model).map(([, m]) => [m, m.training] as const);
  const stop = model.stopTraining;
  const buffers: [Tensor, Float32Array | Float64Array][] = model.namedBuffers().map(([, t]) => [t, t.values.slice()]);
  const states = generators.map((g) => [g, g.getState()] as const);
  return {
    restore(stepApplied: boolean) {
      params.forEach((p, i) => (p.grad = grads[i]));
      for (const [m, training] of modes) m.training = training;
      model.stopTraining = stop;
      if (stepApplied) return;
      for (const [t, copy] of buffers) t.values.set(copy);
      for (const [g, s] of states) g.setState(s);
    },
  };
}
