/**
 * The plan of a study: every (optimizer, configuration, batch size, seed) to train, which of
 * them are done, and which configuration is chosen, on validation only, per optimizer and batch
 * size. The choice reads run rows (validation metrics) and nothing else: test rows are not even
 * passed to it, and test jobs are made only for chosen configurations.
 *
 * A Lion `fromAdamW` grid scales AdamW's chosen configuration at the same batch size, so its runs
 * become plannable once AdamW's runs at that batch size are all done.
 */
import * as path from "path";
import { Config, expandGrid, hashOf } from "./grid";
import { SCHEDULE_DEFAULTS } from "./schedule";
import type { Study } from "./spec";
import type { RunRow, TestJob, TestRow, TrainJob } from "./rows";

/** What makes rows of two studies comparable: same data, model, budget and schedule. @example hashOf(studyIdentity(study)) */
export function studyIdentity(study: Study): Record<string, unknown> {
  return {
    format: 1,
    data: study.data,
    model: study.model,
    budget: study.budget,
    schedule: { ...SCHEDULE_DEFAULTS, ...study.schedule },
    evalBatchSize: study.evalBatchSize ?? 1000,
  };
}

/** The configuration's own key (the same for all seeds). @example configKeyOf(study, "lion", { learningRate: 3e-4 }, 64) // "9f95..." */
export function configKeyOf(study: Study, optimizer: string, config: Config, batchSize: number, base?: Config): string {
  return hashOf({ identity: studyIdentity(study), optimizer, config, base: base ?? null, batchSize });
}

/** A chosen configuration: the best mean final validation accuracy over seeds. */
export interface Choice {
  optimizer: string;
  batchSize: number;
  configKey: string;
  config: Config;
  base?: Config;
  meanValAccuracy: number;
  runs: RunRow[];
}

/** All configurations of one optimizer at one batch size, and their runs by seed. */
interface Cell {
  configs: { config: Config; base?: Config; configKey: string }[];
  /** False when the configurations cannot be known yet (fromAdamW waiting for AdamW's choice). */
  known: boolean;
}

function cell(study: Study, optimizer: string, batchSize: number, runs: RunRow[]): Cell {
  const points = expandGrid(study.optimizers[optimizer]);
  const needsBase = points.some((p) => p.fromAdamW !== undefined);
  let base: Config | undefined;
  if (needsBase) {
    const adamw = choose(study, "adamw", batchSize, runs);
    if (!adamw) return { configs: [], known: false };
    base = adamw.config;
  }
  return { known: true, configs: points.map((config) => ({ config, base, configKey: configKeyOf(study, optimizer, config, batchSize, base) })) };
}

function finalVal(r: RunRow): number {
  const v = r.epochs.length ? r.epochs[r.epochs.length - 1].valAccuracy : null;
  return typeof v === "number" && Number.isFinite(v) ? v : 0; // a diverged run scores as nothing learned
}

function finalValLoss(r: RunRow): number {
  const v = r.epochs.length ? r.epochs[r.epochs.length - 1].valLoss : null;
  return typeof v === "number" && Number.isFinite(v) ? v : Infinity;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

/**
 * The chosen configuration of an optimizer at a batch size, or null until all its runs are done.
 * Highest mean final validation accuracy over seeds; ties go to the lower mean validation loss,
 * then to the first configuration of the grid. Takes run rows only: test results cannot sway it.
 * @example const c = choose(study, "lion", 64, runRows); c?.config // { learningRate: 3e-4, weightDecay: 1 }
 */
export function choose(study: Study, optimizer: string, batchSize: number, runs: readonly RunRow[]): Choice | null {
  const onlyRuns = runs.filter((r) => r.kind === "run") as RunRow[];
  const c = cell(study, optimizer, batchSize, onlyRuns);
  if (!c.known) return null;
  let best: Choice | null = null,
    bestLoss = Infinity;
  for (const cfg of c.configs) {
    const mine = onlyRuns.filter((r) => r.configKey === cfg.configKey);
    const bySeed = study.seeds.map((s) => mine.find((r) => r.seed === s));
    if (bySeed.some((r) => !r)) return null;
    const done = bySeed as RunRow[];
    const acc = mean(done.map(finalVal)),
      loss = mean(done.map(finalValLoss));
    if (!best || acc > best.meanValAccuracy || (acc === best.meanValAccuracy && loss < bestLoss)) {
      best = { optimizer, batchSize, configKey: cfg.configKey, config: cfg.config, base: cfg.base, meanValAccuracy: acc, runs: done };
      bestLoss = loss;
    }
  }
  return best;
}

/** Every job still to do that can be planned now, and how many runs wait on another's choice. */
export interface Pending {
  train: TrainJob[];
  test: TestJob[];
  /** Runs not plannable yet (fromAdamW grids waiting for AdamW's runs at their batch size). */
  blocked: number;
  /** Runs planned in all (done or not), counting blocked ones. */
  totalRuns: number;
}

/**
 * The jobs of a study not yet in `rows`, given the results so far.
 * @example const { train, test } = pendingJobs(study, rows, "out");
 */
export function pendingJobs(study: Study, rows: readonly (RunRow | TestRow)[], outDir: string): Pending {
  const runs = rows.filter((r) => r.kind === "run") as RunRow[];
  const doneKeys = new Set(rows.map((r) => r.key));
  const out: Pending = { train: [], test: [], blocked: 0, totalRuns: 0 };
  for (const optimizer of Object.keys(study.optimizers)) {
    for (const batchSize of study.batchSizes) {
      const c = cell(study, optimizer, batchSize, runs);
      if (!c.known) {
        const n = expandGrid(study.optimizers[optimizer]).length * study.seeds.length;
        out.blocked += n;
        out.totalRuns += n;
        continue;
      }
      for (const cfg of c.configs)
        for (const seed of study.seeds) {
          out.totalRuns++;
          const key = hashOf({ configKey: cfg.configKey, seed });
          if (doneKeys.has(key)) continue;
          out.train.push({
            kind: "train",
            key,
            configKey: cfg.configKey,
            study,
            optimizer,
            config: cfg.config,
            ...(cfg.base ? { base: cfg.base } : {}),
            batchSize,
            seed,
            weightsFile: weightsFile(outDir, key),
          });
        }
      const chosen = choose(study, optimizer, batchSize, runs);
      if (chosen)
        for (const run of chosen.runs) {
          const key = `test-${run.key}`;
          if (doneKeys.has(key)) continue;
          out.test.push({
            kind: "test",
            key,
            runKey: run.key,
            configKey: run.configKey,
            study,
            optimizer,
            config: run.config,
            ...(run.base ? { base: run.base } : {}),
            batchSize,
            seed: run.seed,
            weightsFile: weightsFile(outDir, run.key),
          });
        }
    }
  }
  return out;
}

/** Where a run's final weights are kept (for its test evaluation, should it be chosen). @example weightsFile("out", key) // "out/weights/<key>.safetensors" */
export function weightsFile(outDir: string, runKey: string): string {
  return path.join(outDir, "weights", `${runKey}.safetensors`);
}
