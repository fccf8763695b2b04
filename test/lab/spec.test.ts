/** lab: a bad study is refused before any run starts, with an Error naming the key and the value. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkStudy, prepareOut } from "../../lab";

const good = () => ({
  name: "t",
  data: { dataset: "moons", train: 200, validation: 100, test: 100 },
  model: "mlp-8",
  budget: { epochs: 1 },
  batchSizes: [32],
  seeds: [0, 1],
  optimizers: { adamw: { learningRate: [1e-3, 3e-3], weightDecay: 0.1 }, lion: { learningRate: 1e-4 } },
});

function refused(edit: (s: any) => void, parts: string[]): void {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const s = good();
  edit(s);
  let err: Error | null = null;
  try {
    checkStudy(s);
  } catch (e) {
    err = e as Error;
  }
  expect(err, `expected a refusal naming ${parts.join(", ")}`).to.be.instanceOf(Error);
  for (const p of parts) expect(err!.message).to.contain(p);
}

describe("lab: study validation", () => {
  it("accepts a good study and fills in nothing it was not given", () => {
    const s = checkStudy(good());
    expect(s.batchSizes).to.deep.equal([32]);
    expect(s.data).to.deep.equal({ dataset: "moons", train: 200, validation: 100, test: 100 });
    expect(checkStudy(JSON.parse(fs.readFileSync("lab/studies/quick.json", "utf8"))).name).to.equal("quick");
  });

  it("the built-in studies are valid, with at least 3 seeds", () => {
    for (const f of ["quick", "mnist-mlp", "batch-scaling"]) {
      const s = checkStudy(JSON.parse(fs.readFileSync(`lab/studies/${f}.json`, "utf8")));
      expect(s.seeds.length).to.be.at.least(3);
    }
  });

  const cases: [string, (s: any) => void, string[]][] = [
    // eslint-disable-line @typescript-eslint/no-explicit-any
    ["an unknown top-level key", (s) => (s.epochs = 3), ["study", "unknown key", '"epochs"']],
    ["an unknown data key", (s) => (s.data.valid = 10), ["study.data", '"valid"']],
    ["an unknown optimizer", (s) => (s.optimizers.rmsprop = {}), ["study.optimizers", '"rmsprop"']],
    ["an unknown optimizer option", (s) => (s.optimizers.lion.epsilon = 1e-8), ["study.optimizers.lion", '"epsilon"']],
    ["a wrong type", (s) => (s.seeds = "0,1"), ["study.seeds", "a list", '"0,1"']],
    ["a string learning rate", (s) => (s.optimizers.adamw.learningRate = ["1e-3"]), ["study.optimizers.adamw", "learningRate", '"1e-3"']],
    ["an empty grid axis", (s) => (s.optimizers.adamw.weightDecay = []), ["study.optimizers.adamw.weightDecay", "empty grid"]],
    ["no batch sizes", (s) => (s.batchSizes = []), ["study.batchSizes", "empty"]],
    ["a batch size above the training split", (s) => (s.batchSizes = [32, 500]), ["study.batchSizes[1]", "training split", "500"]],
    ["a non-integer seed", (s) => (s.seeds = [0, 1.5]), ["study.seeds[1]", "integer", "1.5"]],
    ["a NaN seed, shown as NaN", (s) => (s.seeds = [NaN]), ["study.seeds[0]", "got NaN"]],
    ["a repeated seed", (s) => (s.seeds = [1, 1]), ["study.seeds", "without repeats"]],
    [
      "a validation split that leaves no training data",
      (s) => (s.data = { dataset: "mnist", validation: 60000, test: 10 }),
      ["study.data.validation", "no training data", "60000"],
    ],
    [
      "a training split larger than what validation leaves",
      (s) => (s.data = { dataset: "mnist", train: 58000, validation: 5000, test: 10 }),
      ["study.data.train", "58000"],
    ],
    ["an unknown dataset", (s) => (s.data.dataset = "cifar"), ["study.data.dataset", "mnist", '"cifar"']],
    ["a cnn on 2-d points", (s) => (s.model = "cnn"), ["study.model", '"cnn"']],
    ["a malformed model", (s) => (s.model = "mlp-x"), ["study.model", '"mlp-x"']],
    ["two budgets", (s) => (s.budget = { epochs: 1, steps: 10 }), ["study.budget", "exactly one"]],
    ["a zero budget", (s) => (s.budget = { steps: 0 }), ["study.budget.steps", "got 0"]],
    ["an optimizer option out of range", (s) => (s.optimizers.lion.beta1 = [0.9, 1.5]), ["study.optimizers.lion", "grid point 2", "beta1", "1.5"]],
    [
      "fromAdamW without an AdamW grid",
      (s) => {
        delete s.optimizers.adamw;
        s.optimizers.lion = { fromAdamW: { lrFactor: [0.1] } };
      },
      ["fromAdamW", "adamw"],
    ],
    [
      "fromAdamW next to learningRate",
      (s) => (s.optimizers.lion = { fromAdamW: { lrFactor: 0.1 }, learningRate: 1e-4 }),
      ["study.optimizers.lion", "not both"],
    ],
    ["a bad fromAdamW factor", (s) => (s.optimizers.lion = { fromAdamW: { lrFactor: [0.1, -1] } }), ["lrFactor", "-1"]],
    ["a schedule decay it does not know", (s) => (s.schedule = { decay: "step" }), ["study.schedule.decay", '"step"']],
    ["a warmup of the whole run", (s) => (s.schedule = { warmup: 1 }), ["study.schedule.warmup", "got 1"]],
  ];
  for (const [what, edit, parts] of cases) it(`refuses ${what}`, () => refused(edit, parts));

  it("refuses an --out folder holding another study's results unless forced", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-out-"));
    try {
      const a = checkStudy(good());
      prepareOut(a, dir, false);
      fs.writeFileSync(path.join(dir, "results.jsonl"), '{"kind":"run","key":"x"}\n');
      prepareOut(a, dir, false); // the same study: resumes, keeps its rows
      expect(fs.readFileSync(path.join(dir, "results.jsonl"), "utf8")).to.contain('"x"');
      const b = checkStudy({ ...good(), name: "other" });
      expect(() => prepareOut(b, dir, false)).to.throw(/--out .* holds the results of another study \("t"[^]*--force/);
      expect(fs.readFileSync(path.join(dir, "results.jsonl"), "utf8")).to.contain('"x"'); // refused: nothing changed
      prepareOut(b, dir, true);
      expect(fs.existsSync(path.join(dir, "results.jsonl"))).to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
