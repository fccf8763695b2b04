/** The jobs the lab hands to workers and the rows they produce (one line of results.jsonl each). */
import type { Config } from "./grid";
import type { Study } from "./spec";

/** One evaluation point of a run: the end of every pass over the training split, and the last step. */
export interface EpochRecord {
  /** Passes over the training split so far (fractional when the budget ends mid-pass). */
  epoch: number;
  step: number;
  examples: number;
  /** Training time so far, evaluation excluded. */
  seconds: number;
  /** Mean loss and accuracy of the training batches since the previous point. */
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
}

/** What identifies a run within a study. */
export interface RunId {
  optimizer: string;
  config: Config;
  /** For Lion `fromAdamW` configurations: the AdamW configuration scaled (AdamW's chosen one). */
  base?: Config;
  batchSize: number;
  seed: number;
}

/** A training run to do. */
export interface TrainJob extends RunId {
  kind: "train";
  key: string;
  configKey: string;
  study: Study;
  weightsFile: string;
}

/** A test evaluation of a finished run of a chosen configuration. */
export interface TestJob extends RunId {
  kind: "test";
  key: string;
  runKey: string;
  configKey: string;
  study: Study;
  weightsFile: string;
}

export type Job = TrainJob | TestJob;

/** A finished training run (validation metrics only: test is never looked at here). */
export interface RunRow extends RunId {
  kind: "run";
  key: string;
  configKey: string;
  study: string;
  /** The peak learning rate and weight decay really used (fromAdamW resolved). */
  lr: number;
  wd: number;
  steps: number;
  epochs: EpochRecord[];
  stepsPerSecond: number;
  stateBytes: number;
  parameters: number;
  wallSeconds: number;
  /** True when the loss became NaN or infinite and training stopped early. */
  diverged: boolean;
  finishedAt: string;
}

/** The test metrics of one run of a chosen configuration. */
export interface TestRow extends RunId {
  kind: "test";
  key: string;
  runKey: string;
  configKey: string;
  study: string;
  testLoss: number;
  testAccuracy: number;
  finishedAt: string;
}

export type Row = RunRow | TestRow;
