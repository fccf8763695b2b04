/**
 * A lab worker process (started by the runner with child_process.fork, NDGRAD_THREADS=1): takes
 * one job at a time over IPC, answers with its row. It never writes results.jsonl (the lab is the
 * only writer). It exits when its lab goes away: on IPC disconnect between jobs, and by checking
 * that its parent is still the same process every few training steps.
 */
import { testRun, trainRun } from "./train";
import type { Job } from "./rows";

const parent = process.ppid;
const alive = () => process.ppid === parent && process.connected !== false;

process.on("disconnect", () => process.exit(0));
process.on("message", (job: Job) => {
  try {
    const row = job.kind === "train" ? trainRun(job, alive) : testRun(job);
    if (alive()) process.send!({ ok: true, row });
  } catch (e) {
    if (alive()) process.send!({ ok: false, error: (e as Error).stack ?? String(e) });
  }
});
process.send!({ ready: true });
