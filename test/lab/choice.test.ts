/**
 * lab: the choice never looks at test. A synthetic study whose test set is its validation set
 * with every label flipped, so test accuracy is exactly 1 − validation accuracy: the chosen
 * configuration must follow validation (and so be the worst on test), and test must be
 * evaluated for the chosen configuration only.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkStudy, choose, datasetNames, readRows, registerDataset, runStudy, writeReport } from "../../lab";
import { datasetDef } from "../../lab/data";
import type { RunRow, TestRow, Row, LabData } from "../../lab";

// Registered in this process, so the study runs with workers: 0.
registerDataset("moons-flipped-test", {
  image: false,
  pool: null,
  testPool: null,
  unavailable: () => null,
  load: (spec): LabData => {
    const moons = datasetDef("moons")!.load({ ...spec, dataset: "moons" });
    return { ...moons, test: { x: moons.validation.x, y: Int32Array.from(moons.validation.y, (y) => 1 - y), n: moons.validation.n } };
  },
});

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const finalVal = (r: RunRow) => r.epochs[r.epochs.length - 1].valAccuracy;

describe("lab: the choice follows validation and never looks at test", function () {
  this.timeout(60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-choice-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Learning rates from hopeless to good: validation accuracy grows with lr, test falls with it.
  const study = checkStudy({
    name: "flipped",
    data: { dataset: "moons-flipped-test", train: 300, validation: 200, test: 200 },
    model: "mlp-16",
    budget: { epochs: 4 },
    batchSizes: [32],
    seeds: [0, 1, 2],
    optimizers: { adamw: { learningRate: [1e-5, 1e-3, 3e-2], weightDecay: 0.01 }, lion: { learningRate: [1e-6, 3e-3], weightDecay: 0.1 } },
  });
  let rows: Row[] = [];
  before(async () => {
    await runStudy(study, { out: dir, workers: 0, progress: null });
    rows = readRows<Row>(path.join(dir, "results.jsonl"));
  });

  it("is a registered dataset whose test accuracy is 1 − validation accuracy", () => {
    expect(datasetNames()).to.include("moons-flipped-test");
    const tests = rows.filter((r) => r.kind === "test") as TestRow[];
    const runs = rows.filter((r) => r.kind === "run") as RunRow[];
    for (const t of tests) expect(t.testAccuracy).to.be.closeTo(1 - finalVal(runs.find((r) => r.key === t.runKey)!), 1e-6);
  });

  for (const optimizer of ["adamw", "lion"]) {
    it(`${optimizer}: the chosen configuration has the best mean validation accuracy, hence the worst test accuracy`, () => {
      const runs = rows.filter((r) => r.kind === "run" && r.optimizer === optimizer) as RunRow[];
      const byConfig = new Map<string, RunRow[]>();
      for (const r of runs) byConfig.set(r.configKey, [...(byConfig.get(r.configKey) ?? []), r]);
      const vals = [...byConfig.entries()].map(([k, rs]) => [k, mean(rs.map(finalVal))] as const);
      expect(new Set(vals.map(([, v]) => v)).size, "the grid must separate on validation").to.equal(vals.length);
      const bestOnVal = vals.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
      const c = choose(study, optimizer, 32, runs)!;
      expect(c.configKey).to.equal(bestOnVal);
      const tests = rows.filter((r) => r.kind === "test" && r.optimizer === optimizer) as TestRow[];
      expect(tests.map((t) => t.configKey)).to.deep.equal([c.configKey, c.configKey, c.configKey]); // test only for the chosen one, once per seed
      expect(mean(tests.map((t) => t.testAccuracy))).to.be.below(0.5);
    });
  }

  it("test rows handed to choose() cannot change its choice", () => {
    const runs = rows.filter((r) => r.kind === "run") as RunRow[];
    const before = choose(study, "adamw", 32, runs)!.configKey;
    const other = runs.find((r) => r.optimizer === "adamw" && r.configKey !== before)!;
    const bogus = { ...other, kind: "test", key: "test-x", runKey: other.key, testAccuracy: 1, testLoss: 0 } as unknown as RunRow;
    expect(choose(study, "adamw", 32, [...runs, bogus])!.configKey).to.equal(before);
  });

  it("the report and summary mark the validation choice and give test results for it only", () => {
    const r = writeReport(dir);
    const html = fs.readFileSync(r.html, "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).to.equal(true);
    expect(html).to.not.match(/<script|<link|src="http/); // self-contained
    expect(html).to.contain("★");
    expect(r.verdicts.join("\n")).to.match(/Lion − AdamW = /);
    const csv = fs.readFileSync(r.csv, "utf8").trim().split("\n");
    expect(csv).to.have.length(1 + 5); // header + 5 configurations
    expect(csv.filter((l) => l.includes(",yes,"))).to.have.length(2);
    for (const l of csv.filter((x) => x.includes(",no,"))) expect(l).to.match(/,no,,,,,,/); // no test numbers for unchosen ones
  });
});
