/**
 * Running a study: the output folder (refusing another study's results unless forced), resume
 * (finished runs are skipped by key), the worker pool, the live progress line, and the loop that
 * plans, runs, re-plans (fromAdamW grids after AdamW's choice) and finally test-evaluates the
 * chosen configurations.
 */
import * as fs from "fs";
import * as path from "path";
import { fork, ChildProcess } from "child_process";
import * as os from "os";
import { appendRow, atomicWrite, readRows } from "./results";
import { pendingJobs, studyIdentity } from "./plan";
import { canonical } from "./grid";
import { testRun, trainRun } from "./train";
import type { Study } from "./spec";
import type { Job, Row } from "./rows";

export interface RunOptions {
  out: string;
  /** Worker processes (default: one per core); 0 runs everything in this process. */
  workers?: number;
  /** Replace another study's results in `out`. */
  force?: boolean;
  /** Where progress goes (default stderr); null for silence. */
  progress?: NodeJS.WriteStream | null;
}

/** The results file of an output folder. @example readRows(resultsFile("reports/quick")) */
export const resultsFile = (out: string) => path.join(out, "results.jsonl");

/**
 * Prepares `out` for `study`: creates it, refuses a folder holding another study's results (a
 * different name, data, model, budget or schedule) unless `force`, which deletes them.
 * @example prepareOut(study, "runs/quick", false);
 */
export function prepareOut(study: Study, out: string, force: boolean): void {
  const studyFile = path.join(out, "study.json");
  if (fs.existsSync(studyFile)) {
    const old = JSON.parse(fs.readFileSync(studyFile, "utf8")) as Study;
    const same = old.name === study.name && canonical(studyIdentity(old)) === canonical(studyIdentity(study));
    if (!same && !force) {
      throw new Error(
        `lab: --out ${out} holds the results of another study (${JSON.stringify(old.name)}, different data, model, budget or schedule); use another folder or --force to replace them`,
      );
    }
    if (!same) for (const f of ["results.jsonl", "report.html", "summary.csv", "weights"]) fs.rmSync(path.join(out, f), { recursive: true, force: true });
  } else if (fs.existsSync(resultsFile(out)) && !force) {
    throw new Error(`lab: --out ${out} holds a results.jsonl without its study.json; use another folder or --force to replace it`);
  }
  fs.mkdirSync(path.join(out, "weights"), { recursive: true });
  atomicWrite(studyFile, JSON.stringify(study, null, 2) + "\n");
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.round(s)}s`;
  return s < 3600
    ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`
    : `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** The one live progress line: runs done of total, and the ETA from the pace of this session. */
class Progress {
  private last = 0;
  private readonly started = performance.now();
  private doneHere = 0;
  constructor(
    private readonly stream: NodeJS.WriteStream | null,
    private total: number,
    private done: number,
  ) {}
  setTotal(total: number): void {
    this.total = total;
  }
  tick(): void {
    this.done++;
    this.doneHere++;
    this.show(false);
  }
  show(force: boolean): void {
    if (!this.stream) return;
    const now = performance.now();
    if (!force && !this.stream.isTTY && now - this.last < 5000 && this.done < this.total) return;
    this.last = now;
    const per = (now - this.started) / 1000 / Math.max(1, this.doneHere);
    const eta = this.doneHere ? fmtTime(per * (this.total - this.done)) : "?";
    const line = `lab: ${this.done}/${this.total} jobs done, ETA ${eta}`;
    this.stream.write(this.stream.isTTY ? `\r${line.padEnd(60)}` : line + "\n");
  }
  end(): void {
    if (this.stream?.isTTY) this.stream.write("\n");
  }
}

/**
 * A pool of worker processes, kept across the study's phases (their start-up, loading ndgrad
 * and the data, is the costly part of a small run). A worker that dies mid-job gives that job
 * back once; a job that kills two workers fails the study.
 */
class WorkerPool {
  private idle: ChildProcess[] = [];
  private busy = new Map<ChildProcess, Job>();
  private starting = 0;
  private queue: Job[] = [];
  private retried = new Set<string>();
  private failure: Error | null = null;
  private onRow: (row: Row) => void = () => {};
  private settle: (() => void) | null = null;
  private readonly all = new Set<ChildProcess>();
  private closed = false;

  constructor(private readonly size: number) {}

  /** Runs `jobs`, calling `onRow` with each finished row; resolves when all are done. */
  run(jobs: Job[], onRow: (row: Row) => void): Promise<void> {
    this.queue.push(...jobs);
    this.onRow = onRow;
    return new Promise((resolve, reject) => {
      this.settle = () => (this.failure ? reject(this.failure) : resolve());
      while (this.idle.length + this.busy.size + this.starting < Math.min(this.size, this.queue.length)) this.spawn();
      this.dispatch();
    });
  }

  /** Stops the workers (they finish nothing: call it once the jobs are done or failed). */
  close(): void {
    this.closed = true; // a worker still starting up is let go as soon as it reports ready
    for (const c of this.all) if (c.connected) c.disconnect();
    this.idle = [];
  }

  private spawn(): void {
    this.starting++;
    const compiled = path.extname(__filename) === ".js"; // built to dist/, or run through ts-node
    const child = fork(path.join(__dirname, compiled ? "worker.js" : "worker.ts"), [], {
      // From the sources, "ndgrad" must resolve to the TypeScript files (the package's ndgrad-source condition).
      execArgv: compiled ? [] : ["--conditions=ndgrad-source", "-r", "ts-node/register/transpile-only"],
      env: { ...process.env, NDGRAD_THREADS: "1", TS_NODE_TRANSPILE_ONLY: "1" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.all.add(child);
    let ready = false;
    child.on("message", (m: { ready?: boolean; ok?: boolean; row?: Row; error?: string }) => {
      if (m.ready) {
        ready = true;
        this.starting--;
        if (this.closed) return void child.disconnect();
        this.idle.push(child);
        return this.dispatch();
      }
      const job = this.busy.get(child);
      this.busy.delete(child);
      this.idle.push(child);
      if (m.ok && m.row) this.onRow(m.row);
      else
        this.failure ??= new Error(
          `lab: job ${job?.key} (${job?.optimizer} ${canonical(job?.config)} batch ${job?.batchSize} seed ${job?.seed}) failed: ${m.error}`,
        );
      this.dispatch();
    });
    child.on("exit", (code, signal) => {
      this.all.delete(child);
      if (!ready) this.starting--;
      this.idle = this.idle.filter((c) => c !== child);
      const job = this.busy.get(child);
      this.busy.delete(child);
      if (job) {
        // The worker died mid-job (killed, out of memory): that job alone is lost; try it once more.
        if (this.retried.has(job.key)) this.failure ??= new Error(`lab: job ${job.key} killed its worker twice (exit ${code ?? signal})`);
        else {
          this.retried.add(job.key);
          this.queue.unshift(job);
          if (!this.failure) this.spawn();
        }
      }
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.failure) this.queue = [];
    while (this.idle.length && this.queue.length) {
      const child = this.idle.pop()!,
        job = this.queue.shift()!;
      this.busy.set(child, job);
      child.send(job);
    }
    if (this.queue.length === 0 && this.busy.size === 0 && this.settle) {
      const s = this.settle;
      this.settle = null;
      s();
    }
  }
}

/** What a finished `runStudy` did. */
export interface RunOutcome {
  ranJobs: number;
  skipped: number;
  rows: Row[];
}

/**
 * Runs (or resumes) a study into `opts.out`: every run, then the test evaluation of the
 * configurations chosen on validation. Rows already in results.jsonl are not run again.
 * @example await runStudy(checkStudy(spec), { out: "runs/quick", workers: 2 });
 */
export async function runStudy(study: Study, opts: RunOptions): Promise<RunOutcome> {
  prepareOut(study, opts.out, opts.force ?? false);
  const file = resultsFile(opts.out);
  const rows = readRows<Row>(file, { repair: true });
  const skipped = rows.length;
  const workers = opts.workers ?? Math.max(1, os.availableParallelism());
  const stream = opts.progress === undefined ? process.stderr : opts.progress;
  let plan = pendingJobs(study, rows, opts.out);
  const testTotal = () => Object.keys(study.optimizers).length * study.batchSizes.length * study.seeds.length;
  const progress = new Progress(stream, plan.totalRuns + testTotal(), rows.length);
  progress.show(true);
  let ran = 0;
  const onRow = (row: Row) => {
    appendRow(file, row);
    rows.push(row);
    ran++;
    progress.tick();
  };
  const pool = workers > 0 ? new WorkerPool(workers) : null;
  try {
    for (;;) {
      const jobs: Job[] = [...plan.train, ...plan.test];
      if (jobs.length === 0) break;
      if (!pool) for (const job of jobs) onRow(job.kind === "train" ? trainRun(job) : testRun(job));
      else await pool.run(jobs, onRow);
      plan = pendingJobs(study, rows, opts.out);
      progress.setTotal(plan.totalRuns + testTotal());
    }
  } finally {
    pool?.close();
    progress.end();
  }
  return { ranJobs: ran, skipped, rows };
}
