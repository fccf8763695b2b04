/**
 * lab: crash safety. kill -9 of the lab mid-study (and of a worker mid-run), then the same
 * command again: the study finishes with exactly one row per run, and a torn last line left by
 * a crash is dropped, never parsed as a run nor glued to the next row.
 */
import { expect } from "chai";
import { spawn, spawnSync, ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkStudy, pendingJobs, readRows } from "../../lab";
import type { Row } from "../../lab";

const root = path.resolve(__dirname, "..", "..");
const study = {
  name: "crash",
  data: { dataset: "moons", train: 800, validation: 200, test: 200 },
  model: "mlp-32",
  budget: { epochs: 4 },
  batchSizes: [32],
  seeds: [0, 1, 2],
  optimizers: { adamw: { learningRate: [1e-3, 1e-2, 3e-2], weightDecay: 0.01 }, lion: { fromAdamW: { lrFactor: [0.1, 0.3] } } },
};
const RUNS = 3 * 3 + 2 * 3,
  TESTS = 2 * 3;

function lab(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--conditions=ndgrad-source", "-r", "ts-node/register/transpile-only", "lab/cli.ts", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
  });
}

function lines(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").length - 1 : 0;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const childrenOf = (pid: number) =>
  spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean)
    .map(Number);

function exitOf(p: ChildProcess): Promise<{ code: number | null; out: string }> {
  let out = "";
  p.stdout!.on("data", (d) => (out += d));
  p.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve) => p.on("exit", (code) => resolve({ code, out })));
}

function checkOneRowPerRun(dir: string): void {
  const text = fs.readFileSync(path.join(dir, "results.jsonl"), "utf8");
  expect(text.endsWith("\n")).to.equal(true);
  const rows = text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row); // every line parses: no torn line left
  const keys = rows.map((r) => r.key);
  expect(new Set(keys).size, "no run twice").to.equal(keys.length);
  expect(rows.filter((r) => r.kind === "run")).to.have.length(RUNS);
  expect(rows.filter((r) => r.kind === "test")).to.have.length(TESTS);
  const pending = pendingJobs(checkStudy(study), rows, dir);
  expect(pending.train.length + pending.test.length + pending.blocked).to.equal(0);
}

describe("lab: kill -9 and resume", function () {
  this.timeout(120000);
  let dir = "",
    studyFile = "";
  const spawned: number[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-crash-"));
    studyFile = path.join(dir, "study-spec.json");
    fs.writeFileSync(studyFile, JSON.stringify(study));
  });
  afterEach(() => {
    for (const pid of spawned) if (alive(pid)) process.kill(pid, "SIGKILL"); // only our own, by id
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the lab killed mid-study loses at most its workers' current runs; the same command finishes it", async () => {
    const out = path.join(dir, "out"),
      results = path.join(out, "results.jsonl");
    const first = lab(["run", studyFile, "--out", out, "--workers", "1"]);
    spawned.push(first.pid!);
    const firstExit = exitOf(first);
    await until(() => lines(results) >= 3, 90000, "3 finished runs");
    const workers = childrenOf(first.pid!);
    spawned.push(...workers);
    first.kill("SIGKILL");
    await firstExit;
    const done = lines(results);
    expect(done, "killed mid-study").to.be.below(RUNS + TESTS);
    await until(() => workers.every((w) => !alive(w)), 20000, "orphaned workers to stop by themselves");
    // A crash while appending leaves a torn last line: it must be detected and dropped.
    fs.appendFileSync(results, '{"kind":"run","key":"torn-line","optimizer":"adamw","con');
    expect(readRows(results)).to.have.length(done);

    const second = lab(["run", studyFile, "--out", out, "--workers", "1"]);
    spawned.push(second.pid!);
    const r = await exitOf(second);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.match(new RegExp(`${RUNS + TESTS - done} jobs run, ${done} already done`));
    expect(r.out).to.match(/Lion − AdamW = /);
    checkOneRowPerRun(out);
    expect(fs.readFileSync(results, "utf8")).to.not.contain("torn-line");
    expect(fs.existsSync(path.join(out, "report.html"))).to.equal(true);
  });

  it("a worker killed mid-run gives its run back: the study ends complete, each run once", async () => {
    const out = path.join(dir, "out"),
      results = path.join(out, "results.jsonl");
    const p = lab(["run", studyFile, "--out", out, "--workers", "2"]);
    spawned.push(p.pid!);
    const exit = exitOf(p);
    await until(() => lines(results) >= 1 && childrenOf(p.pid!).length === 2, 90000, "a first run and two workers");
    const [victim] = childrenOf(p.pid!);
    spawned.push(victim);
    process.kill(victim, "SIGKILL");
    const r = await exit;
    expect(r.code, r.out).to.equal(0);
    checkOneRowPerRun(out);
  });
});
