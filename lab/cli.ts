/**
 * The lab's command line:
 *
 *   npm run lab -- run STUDY --out DIR [--workers N] [--dry-run] [--force]
 *   npm run lab -- report DIR
 *
 * `run` runs (or resumes) a study and then writes its report; `report` re-writes the report of a
 * results folder. STUDY is a .json file or a .ts module whose default export is the study.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { checkStudy, Study } from "./spec";
import { runStudy, resultsFile } from "./runner";
import { readRows } from "./results";
import { pendingJobs } from "./plan";
import type { Row } from "./rows";
import { dryRun } from "./estimate";
import { writeReport } from "./report";

const USAGE = `usage:
  npm run lab -- run STUDY --out DIR [--workers N] [--dry-run] [--force]
  npm run lab -- report DIR

  run      runs every (optimizer, configuration, batch size, seed) of STUDY (.json, or .ts exporting it),
           choosing each optimizer's configuration on validation, then evaluates the chosen ones on test;
           re-running the same command resumes; ends by writing DIR/report.html and DIR/summary.csv
  report   writes DIR/report.html and DIR/summary.csv from DIR/results.jsonl

  --out DIR      results folder (results.jsonl, study.json, weights/, report.html, summary.csv)
  --workers N    worker processes, each single-threaded (default: one per core; 0: in this process)
  --dry-run      print the plan and an estimated time (with --out: what is left to do there), run nothing
  --force        replace another study's results in DIR`;

/**
 * Reads a study file (.json, or a .ts/.js module exporting the study as default or `study`) and checks it.
 * @example const study = loadStudy("lab/studies/quick.json");
 */
export function loadStudy(file: string): Study {
  if (!fs.existsSync(file)) throw new Error(`lab: study file ${file} not found`);
  let raw: unknown;
  if (file.endsWith(".json")) {
    try {
      raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`lab: study file ${file} is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    const mod = require(path.resolve(file)) as { default?: unknown; study?: unknown };
    raw = mod.default ?? mod.study;
  }
  return checkStudy(raw);
}

/**
 * Runs the command line `argv` (without node and the script); throws on bad input.
 * @example await main(["run", "lab/studies/quick.json", "--dry-run"]);
 */
export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string" },
        workers: { type: "string" },
        "dry-run": { type: "boolean" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new Error(`lab: ${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, target, ...extra] = positionals;
  if (values.help || !command) return void console.log(USAGE);
  if (extra.length) throw new Error(`lab: unexpected arguments ${extra.join(" ")}\n${USAGE}`);
  if (command === "report") {
    if (!target) throw new Error(`lab: report needs a results folder\n${USAGE}`);
    const r = writeReport(target);
    for (const line of r.verdicts) console.log(line);
    console.log(`report: ${r.html}\nsummary: ${r.csv}`);
    return;
  }
  if (command !== "run") throw new Error(`lab: unknown command ${JSON.stringify(command)} (allowed: run, report)\n${USAGE}`);
  if (!target) throw new Error(`lab: run needs a study file\n${USAGE}`);
  const study = loadStudy(target);
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0) throw new Error(`lab: --workers must be an integer >= 0, got ${JSON.stringify(values.workers)}`);
  }
  if (values["dry-run"]) {
    console.log(dryRun(study, workers));
    if (values.out && fs.existsSync(resultsFile(values.out))) {
      const rows = readRows<Row>(resultsFile(values.out));
      const left = pendingJobs(study, rows, values.out);
      console.log(
        `in ${values.out}: ${rows.length} jobs already done; ${left.train.length} runs and ${left.test.length} test evaluations to do now${left.blocked ? `, ${left.blocked} runs waiting on AdamW's choice` : ""}`,
      );
    }
    return;
  }
  if (!values.out) throw new Error(`lab: run needs --out DIR\n${USAGE}`);
  const started = performance.now();
  const outcome = await runStudy(study, { out: values.out, workers, force: values.force });
  console.log(`lab: ${outcome.ranJobs} jobs run, ${outcome.skipped} already done, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const r = writeReport(values.out);
  for (const line of r.verdicts) console.log(line);
  console.log(`report: ${r.html}\nsummary: ${r.csv}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
