/** lab: the command line: --dry-run prints the plan, and bad input stops it before any run starts. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { main } from "../../lab/cli";

/** Runs the CLI in this process, collecting what it prints and the error it throws. */
async function lab(args: string[]): Promise<{ code: number; out: string }> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void printed.push(a.join(" "));
  try {
    await main(args);
    return { code: 0, out: printed.join("\n") };
  } catch (e) {
    return { code: 1, out: printed.join("\n") + (e as Error).message };
  } finally {
    console.log = log;
  }
}

describe("lab: command line", function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-cli-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, study: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, JSON.stringify(study));
    return f;
  };
  const study = {
    name: "cli",
    data: { dataset: "spirals", train: 300, validation: 100, test: 100 },
    model: "mlp-16-16",
    budget: { steps: 40 },
    batchSizes: [16, 64],
    seeds: [0, 1, 2],
    optimizers: { adamw: { learningRate: [1e-3, 1e-2] }, lion: { learningRate: 1e-3, beta2: [0.98, 0.99] } },
  };

  it("--dry-run prints the plan and an estimate, and runs nothing", async () => {
    const r = await lab(["run", write("ok.json", study), "--dry-run", "--workers", "2"]);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain("study cli: spirals 300 train / 100 validation / 100 test");
    expect(r.out).to.match(/AdamW +batch +16: 2 configurations x 3 seeds = 6 runs of 40 steps/);
    expect(r.out).to.match(/Lion +batch +64: 2 configurations x 3 seeds = 6 runs of 40 steps/);
    expect(r.out).to.match(/24 runs \+ 12 test evaluations on 2 workers: about \d+ (s|min)/);
  });

  it("a bad study is refused before anything is written, naming the key and the value", async () => {
    const out = path.join(dir, "never");
    const r = await lab(["run", write("bad.json", { ...study, seeds: [0, 2.5] }), "--out", out]);
    expect(r.code).to.equal(1);
    expect(r.out).to.contain("lab: study.seeds[1] must be an integer in [0, 2147483647], got 2.5");
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("bad command lines say what is allowed", async () => {
    expect((await lab(["fly"])).out).to.contain('unknown command "fly" (allowed: run, report)');
    expect((await lab(["run", write("ok2.json", study), "--out", dir, "--workers=-1"])).out).to.contain('--workers must be an integer >= 0, got "-1"');
    expect((await lab(["run", "--otu", dir])).out).to.contain("lab: Unknown option '--otu'");
    expect((await lab(["run", path.join(dir, "missing.json"), "--out", dir])).out).to.contain("not found");
    expect((await lab(["report", dir])).out).to.contain("not a results folder");
    expect((await lab(["--help"])).out).to.contain("usage:");
  });
});
