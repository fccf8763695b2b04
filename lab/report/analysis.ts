/**
 * Everything the report shows, computed from a study and its rows: the validation grid of each
 * optimizer and batch size, the chosen configurations (chosen on validation by `choose`), their
 * test metrics with t-intervals over seeds, the paired Lion − AdamW difference, the learning-rate
 * and weight-decay ratios against the 3-10x advice, and the time to a target accuracy.
 */
import { choose, Choice } from "../plan";
import { OPTIMIZER_TITLES } from "../grid";
import { tInterval, pairedDifference, verdict, Interval } from "../stats";
import type { Study } from "../spec";
import type { Row, RunRow, TestRow } from "../rows";

/** One configuration's validation result (mean over seeds). */
export interface GridPoint {
  configKey: string;
  config: Record<string, unknown>;
  lr: number;
  wd: number;
  val: Interval;
  chosen: boolean;
  diverged: number;
  runs: RunRow[];
}

/** The chosen configuration of an optimizer at a batch size, with its test results. */
export interface Chosen {
  optimizer: string;
  title: string;
  choice: Choice;
  lr: number;
  wd: number;
  val: Interval;
  testAccuracy: Interval;
  testLoss: Interval;
  /** Test accuracy by seed (for the paired difference). */
  bySeed: Map<number, number>;
  /** Median over seeds of the training seconds to reach the target validation accuracy (null: not reached by all). */
  secondsToTarget: number | null;
  epochsToTarget: number | null;
  stepsPerSecond: number;
  stateBytes: number;
  parameters: number;
  /** Where the chosen lr sits in its grid: "low edge" / "high edge" when at an end of a grid of 3 or more. */
  edge: string | null;
}

/** One batch size of the study. */
export interface BatchAnalysis {
  batchSize: number;
  grids: Record<string, GridPoint[]>;
  chosen: Record<string, Chosen>;
  /** Lion − AdamW test accuracy over the same seeds, and the verdict in words. */
  paired: { diff: Interval; verdict: string } | null;
  target: number | null;
}

const lastVal = (r: RunRow) => {
  const v = r.epochs.length ? r.epochs[r.epochs.length - 1].valAccuracy : null;
  return typeof v === "number" ? v : 0;
};
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function gridOf(study: Study, optimizer: string, batchSize: number, runs: RunRow[], choice: Choice | null): GridPoint[] {
  const mine = runs.filter((r) => r.optimizer === optimizer && r.batchSize === batchSize && study.seeds.includes(r.seed));
  const byConfig = new Map<string, RunRow[]>();
  for (const r of mine) byConfig.set(r.configKey, [...(byConfig.get(r.configKey) ?? []), r]);
  return [...byConfig.values()].map((rs) => ({
    configKey: rs[0].configKey,
    config: rs[0].config,
    lr: rs[0].lr,
    wd: rs[0].wd,
    val: tInterval(rs.map(lastVal)),
    chosen: choice?.configKey === rs[0].configKey,
    diverged: rs.filter((r) => r.diverged).length,
    runs: rs,
  }));
}

function timeToTarget(runs: RunRow[], target: number): { seconds: number | null; epochs: number | null } {
  const hits = runs.map((r) => r.epochs.find((e) => e.valAccuracy >= target));
  if (hits.some((h) => !h)) return { seconds: null, epochs: null };
  return { seconds: median(hits.map((h) => h!.seconds)), epochs: median(hits.map((h) => h!.epoch)) };
}

function edgeOf(grid: GridPoint[], lr: number): string | null {
  const lrs = [...new Set(grid.map((g) => g.lr))].sort((a, b) => a - b);
  if (lrs.length < 3) return null;
  return lr === lrs[0] ? "lowest lr of the grid" : lr === lrs[lrs.length - 1] ? "highest lr of the grid" : null;
}

/**
 * The analysis of every batch size of a study.
 * @example const batches = analyse(study, readRows("out/results.jsonl"));
 */
export function analyse(study: Study, rows: readonly Row[]): BatchAnalysis[] {
  const runs = rows.filter((r) => r.kind === "run") as RunRow[];
  const tests = rows.filter((r) => r.kind === "test") as TestRow[];
  return study.batchSizes.map((batchSize) => {
    const grids: Record<string, GridPoint[]> = {};
    const choices: Record<string, Choice> = {};
    for (const optimizer of Object.keys(study.optimizers)) {
      const c = choose(study, optimizer, batchSize, runs); // validation only, as when the study ran
      if (c) choices[optimizer] = c;
      grids[optimizer] = gridOf(study, optimizer, batchSize, runs, c);
    }
    const finalVals = Object.values(choices).map((c) => c.meanValAccuracy);
    const target = study.targetAccuracy ?? (finalVals.length ? 0.99 * Math.min(...finalVals) : null);
    const chosen: Record<string, Chosen> = {};
    for (const [optimizer, c] of Object.entries(choices)) {
      const t = tests.filter((r) => r.configKey === c.configKey && study.seeds.includes(r.seed));
      const bySeed = new Map(t.map((r) => [r.seed, r.testAccuracy] as [number, number]));
      const tt = target === null ? { seconds: null, epochs: null } : timeToTarget(c.runs, target);
      chosen[optimizer] = {
        optimizer,
        title: OPTIMIZER_TITLES[optimizer] ?? optimizer,
        choice: c,
        lr: c.runs[0].lr,
        wd: c.runs[0].wd,
        val: tInterval(c.runs.map(lastVal)),
        testAccuracy: tInterval(t.map((r) => r.testAccuracy)),
        testLoss: tInterval(t.map((r) => r.testLoss)),
        bySeed,
        secondsToTarget: tt.seconds,
        epochsToTarget: tt.epochs,
        stepsPerSecond: c.runs.reduce((s, r) => s + r.stepsPerSecond, 0) / c.runs.length,
        stateBytes: c.runs[0].stateBytes,
        parameters: c.runs[0].parameters,
        edge: edgeOf(grids[optimizer], c.runs[0].lr),
      };
    }
    let paired: BatchAnalysis["paired"] = null;
    if (chosen.lion && chosen.adamw && chosen.lion.bySeed.size && chosen.adamw.bySeed.size) {
      const diff = pairedDifference(chosen.lion.bySeed, chosen.adamw.bySeed);
      paired = { diff, verdict: verdict(diff, "Lion", "AdamW") };
    }
    return { batchSize, grids, chosen, paired, target };
  });
}

/**
 * The lr and wd ratios of the chosen Lion and AdamW settings against the paper's 3-10x advice.
 * @example adviceCheck(batch) // "AdamW's lr is 10x Lion's (advice 3-10x: inside); ..."
 */
export function adviceCheck(b: BatchAnalysis): { lrRatio: number; wdRatio: number; text: string } | null {
  const a = b.chosen.adamw,
    l = b.chosen.lion;
  if (!a || !l) return null;
  const lrRatio = a.lr / l.lr,
    wdRatio = l.wd / a.wd;
  const inside = (r: number) => (r >= 3 - 1e-9 && r <= 10 + 1e-9 ? "inside" : "outside");
  const x = (r: number) => (r >= 10 ? r.toFixed(0) : r.toPrecision(2));
  const text = `AdamW's chosen lr is ${x(lrRatio)}x Lion's (advice 3-10x: ${inside(lrRatio)}); Lion's chosen weight decay is ${x(wdRatio)}x AdamW's (advice 3-10x: ${inside(wdRatio)}); lr x wd: AdamW ${(a.lr * a.wd).toPrecision(2)}, Lion ${(l.lr * l.wd).toPrecision(2)}`;
  return { lrRatio, wdRatio, text };
}
