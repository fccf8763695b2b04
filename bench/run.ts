/**
 * ndgrad (its JS kernels, and its wasm kernels where a row has them) vs TensorFlow.js (cpu and
 * wasm backends) and jax-js (wasm), in one process: `npm run bench`.
 *
 *   npm run bench -- --quick            fewer rounds (about a minute), tfjs-cpu matmul 1024 skipped
 *   npm run bench -- --only mlp,lion    run only these workloads (names below), keep the rest of
 *                                       bench/results/latest.json as it was
 *   npm run bench -- --list             the workload names
 *
 * Every workload alternates the contenders after a warm-up and reports medians (bench/lib/harness.ts).
 * Results go to bench/results/latest.json; the previous file's ndgrad figures are the
 * "vs previous" column. Not part of `npm test` (timings have no place in tests).
 */
import * as path from "path";
import { calib } from "./workloads/calib";
import { mlp } from "./workloads/mlp";
import { cnn } from "./workloads/cnn";
import { adamw, lion, sgd } from "./workloads/optimizers";
import { matmul } from "./workloads/matmul";
import { overhead } from "./workloads/overhead";
import { state } from "./workloads/state";
import { wasmKernelsWorkload } from "./workloads/wasm-kernels";
import { Row, Workload } from "./lib/types";
import { Results, environment, footnotes, readPrevious, table, writeResults } from "./lib/report";
import { tfInfo } from "./lib/tf";
import { jaxVersion } from "./lib/jax";
import { waitForThreads } from "../core/kernels/threads";

const WORKLOADS: Workload[] = [calib, mlp, cnn, lion, adamw, sgd, matmul, overhead, state, wasmKernelsWorkload];
const RESULTS = path.join(__dirname, "results", "latest.json");

function parseArgs(argv: string[]): { quick: boolean; only: string[] | null; list: boolean } {
  let quick = false;
  let only: string[] | null = null;
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") quick = true;
    else if (a === "--list") list = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const v = a === "--only" ? argv[++i] : a.slice("--only=".length);
      if (!v) throw new Error("bench: --only needs a workload name (see --list)");
      only = [
        ...(only ?? []),
        ...v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ];
    } else throw new Error(`bench: unknown argument ${JSON.stringify(a)}; use --quick, --only NAME[,NAME], --list`);
  }
  return { quick, only, list };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const w of WORKLOADS) console.log(`${w.name.padEnd(10)} ${w.summary}`);
    return;
  }
  let selected = WORKLOADS;
  if (args.only) {
    const unknown = args.only.filter((n) => !WORKLOADS.some((w) => w.name === n));
    if (unknown.length) throw new Error(`bench: unknown workload ${unknown.join(", ")}; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
    selected = WORKLOADS.filter((w) => args.only!.includes(w.name));
  }
  waitForThreads(); // ndgrad's helper threads start lazily; have them ready before timing
  const env = environment();
  console.log(`ndgrad bench — ${env.commit}, node ${env.node}, ${env.cpu}${args.quick ? ", --quick" : ""}`);
  const previous = readPrevious(RESULTS);
  if (previous) console.log(`previous: ${previous.date} (${previous.commit}${previous.quick ? ", quick" : ""})`);
  const t0 = Date.now();
  const rows: Row[] = [];
  for (const w of selected) {
    const start = Date.now();
    try {
      rows.push(...(await w.run({ quick: args.quick, log: (s) => process.stderr.write(`  running ${s} ...\n`) })));
    } catch (e) {
      // a workload broken by work in progress elsewhere must not hide the others' results
      console.error(`bench: workload ${w.name} failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
    process.stderr.write(`  ${w.name} done in ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
  }
  console.log("");
  console.log(table(rows, previous));
  console.log("");
  console.log(footnotes(rows));
  const date = new Date().toISOString();
  const merged: Results = {
    version: 1,
    date,
    ...env,
    quick: args.quick,
    tf: { ...tfInfo(), jaxJs: jaxVersion() },
    rows: { ...(args.only && previous ? previous.rows : {}) },
  };
  for (const r of rows) merged.rows[r.id] = { ...r, date };
  writeResults(RESULTS, merged);
  console.log(`\nwrote ${path.relative(process.cwd(), RESULTS)} (${rows.length} rows, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
