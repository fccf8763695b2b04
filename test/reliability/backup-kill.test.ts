/**
 * BackupAndRestore against SIGKILL: a child process trains (backup-child.ts, NDGRAD_THREADS=1),
 * is killed with SIGKILL at a random moment once training is under way (after a random number of
 * batches plus a random few milliseconds, so kills land mid-step and mid-checkpoint-write, whatever
 * the machine's load), and is started again with the same command, over and over; when it
 * finally finishes, its weights (bit for bit) and history equal an uninterrupted run's, computed
 * in this process (results do not depend on the process or the thread count).
 */
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { saveWeightsBytes } from "../../nn/safetensors";
import { EPOCHS, run } from "./backup-setup";

const child = path.join(__dirname, "backup-child.ts");
const root = path.join(__dirname, "..", "..");

interface Outcome {
  killed: boolean;
  batches: number;
}
interface Kill {
  afterBatches: number;
  delayMs: number;
}

/** Runs the child; with `kill`, SIGKILLs it `delayMs` after its `afterBatches`-th batch line. */
function runChild(args: string[], kill: Kill | null): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", child, ...args], {
      cwd: root,
      env: { ...process.env, NDGRAD_THREADS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let batches = 0;
    let stderr = "";
    let timer: NodeJS.Timeout | null = null;
    proc.stdout!.on("data", (chunk: Buffer) => {
      batches += (chunk.toString().match(/batch/g) ?? []).length;
      if (kill !== null && timer === null && batches >= kill.afterBatches) timer = setTimeout(() => proc.kill("SIGKILL"), kill.delayMs);
    });
    proc.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    proc.once("error", reject);
    proc.once("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === "SIGKILL") resolve({ killed: true, batches });
      else if (code === 0) resolve({ killed: false, batches });
      else reject(new Error(`backup-child exited with ${code}: ${stderr}`));
    });
  });
}

describe("reliability: BackupAndRestore survives SIGKILL at random moments (bit-identical result)", function () {
  this.timeout(180000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-kill-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // lion: the global generator shuffles and drops out, a checkpoint every batch; adamw: EMA,
  // accumulation across epochs, a checkpoint every 2 batches. 32 batches per run.
  for (const [config, maxKills, seed0] of [
    ["lion", 3, 29],
    ["adamw", 2, 17],
  ] as const) {
    it(`${config}: killed ${maxKills} times at random moments, restarted each time, then compared with an uninterrupted run`, async () => {
      const ref = run(config, path.join(dir, `${config}-ref-backup`));
      const refWeights = Buffer.from(saveWeightsBytes(ref.model)).toString("base64");
      const out = path.join(dir, `${config}-killed.json`);
      const backup = path.join(dir, `${config}-backup`);
      let seed: number = seed0;
      let kills = 0;
      let total = 0;
      for (let attempt = 0; attempt < 10; attempt++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const kill = kills < maxKills ? { afterBatches: 1 + (seed % 9), delayMs: (seed >>> 8) % 12 } : null;
        const r = await runChild([config, backup, out], kill);
        total += r.batches;
        if (!r.killed) break;
        kills++;
      }
      expect(kills).to.equal(maxKills);
      const got = JSON.parse(fs.readFileSync(out, "utf8"));
      expect(got.weights, "final weights, bit for bit").to.equal(refWeights);
      expect(got.history).to.deep.equal(ref.history.history);
      expect(got.epoch).to.deep.equal(ref.history.epoch);
      // (A kill between a checkpoint and the child's "batch" line hides that batch from this count.)
      expect(total, "the restarts trained").to.be.at.least(EPOCHS * 8 - maxKills);
      expect(fs.existsSync(backup), "checkpoint deleted when training finished").to.equal(false);
    });
  }
});
