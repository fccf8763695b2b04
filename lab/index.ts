/**
 * ndgrad's lab: AdamW-vs-Lion studies you can trust (seeds, validation-based choice, t-intervals,
 * grids, batch-size scaling, parallel and resumable). A library and a CLI (`lab/cli.ts`,
 * `npm run lab`) over ndgrad's public API.
 * @example
 * import { checkStudy, runStudy, writeReport } from "./lab";
 * const study = checkStudy(JSON.parse(fs.readFileSync("lab/studies/quick.json", "utf8")));
 * await runStudy(study, { out: "reports/quick", workers: 2 });
 * console.log(writeReport("reports/quick").verdicts.join("\n"));
 */
export { checkStudy } from "./spec";
export type { Study, Budget, ScheduleSpec, OptimizerGrid } from "./spec";
export { loadStudy } from "./cli";
export { runStudy, prepareOut, resultsFile } from "./runner";
export type { RunOptions, RunOutcome } from "./runner";
export { writeReport, verdictLines } from "./report";
export { analyse, adviceCheck } from "./report/analysis";
export { choose, pendingJobs } from "./plan";
export type { Choice } from "./plan";
export { registerDataset, datasetNames } from "./data";
export type { DatasetDef, DataSpec, LabData, Split } from "./data";
export { expandGrid, buildOptimizer, hashOf } from "./grid";
export { tInterval, tQuantile, tCdf, pairedDifference, verdict } from "./stats";
export type { Interval } from "./stats";
export { readRows, appendRow, atomicWrite } from "./results";
export { dryRun } from "./estimate";
export type { Row, RunRow, TestRow, EpochRecord } from "./rows";
