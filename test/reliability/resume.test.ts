/**
 * Resume: 2 epochs → checkpoint (safetensors weights + optimizer state as JSON) → a fresh Node
 * process loads both and trains epoch 3 (fit's `initialEpoch`) → bit-identical to 3 uninterrupted
 * epochs, shuffle order included; for SGD (momentum), AdamW and Lion with EMA and accumulation on.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseSafetensors } from "../../nn/safetensors";
import { stateToJSON } from "../../optim";
import { KINDS, checkpointAt, files, makeModel, makeOptimizer, train } from "./resume-setup";
import { fit } from "../../nn/fit";
import { Tensor } from "../../core";

const bits = (v: ArrayLike<number>) => Buffer.from(Float64Array.from(v).buffer).toString("hex");

describe("reliability: resume in a fresh process is bit-identical", function () {
  this.timeout(120000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-resume-"));
  const continuous: Record<string, { weights: Record<string, string>; state: string; order: number[][] }> = {};

  before(() => {
    for (const kind of KINDS) {
      // uninterrupted: 3 epochs
      const model = makeModel();
      const opt = makeOptimizer(kind);
      const order = train(model, opt, 3, 0);
      const weights: Record<string, string> = {};
      for (const [k, t] of Object.entries(model.stateDict())) weights[k] = bits(t.values);
      continuous[kind] = { weights, state: JSON.stringify(stateToJSON(opt.stateDict())), order };
      // interrupted: 2 epochs with a checkpoint at the end of the second
      const m2 = makeModel();
      const o2 = makeOptimizer(kind);
      train(m2, o2, 2, 0, [checkpointAt(1, dir, kind, m2, o2)]);
    }
    const child = path.join(__dirname, "resume-child.ts");
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", child, dir, ...KINDS], {
      cwd: path.join(__dirname, "..", ".."),
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`resume child failed (status ${r.status}): ${r.stderr || r.error}`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const kind of KINDS) {
    it(`${kind} (EMA, accumulation 3): weights, optimizer state and epoch-3 shuffle match`, () => {
      const f = files(dir, kind);
      const resumed = parseSafetensors(fs.readFileSync(f.out));
      const want = continuous[kind];
      expect(Object.keys(resumed).sort()).to.deep.equal(Object.keys(want.weights).sort());
      for (const [k, t] of Object.entries(resumed)) expect(bits(t.values), `${kind} ${k}`).to.equal(want.weights[k]);
      const state = JSON.parse(fs.readFileSync(f.outState, "utf8"));
      const cont = JSON.parse(want.state);
      expect(state.iterations).to.equal(cont.iterations);
      expect(state.microSteps).to.equal(cont.microSteps);
      expect(JSON.stringify(state.slots)).to.equal(JSON.stringify(cont.slots));
      const order = JSON.parse(fs.readFileSync(f.order, "utf8")) as number[][];
      expect(order).to.have.length(1);
      expect(order[0]).to.deep.equal(want.order[2]);
      // and the shuffle really changes between epochs (else the check above would be vacuous)
      expect(want.order[2]).to.not.deep.equal(want.order[1]);
    });
  }
});

describe("reliability: fit initialEpoch", () => {
  const data = () => ({
    x: new Tensor(
      Float32Array.from({ length: 24 }, (_, i) => i / 10),
      [8, 3],
    ),
    y: new Tensor(
      Float32Array.from({ length: 8 }, (_, i) => i),
      [8, 1],
    ),
  });

  it("runs epochs initialEpoch..epochs-1, reporting absolute epoch indices", () => {
    const epochs: number[] = [];
    const h = fit(makeModel(), data(), {
      optimizer: makeOptimizer("SGD"),
      loss: "mse",
      epochs: 5,
      initialEpoch: 3,
      batchSize: 4,
      verbose: 0,
      callbacks: [{ onEpochBegin: (e) => void epochs.push(e) }],
    });
    expect(epochs).to.deep.equal([3, 4]);
    expect(h.epoch).to.deep.equal([3, 4]);
    expect(h.history.loss).to.have.length(2);
  });

  it("initialEpoch >= epochs trains nothing and leaves the weights alone", () => {
    const model = makeModel();
    const before = model.parameters().map((p) => Array.from(p.values));
    const h = fit(model, data(), { optimizer: makeOptimizer("AdamW"), loss: "mse", epochs: 2, initialEpoch: 2, batchSize: 4, verbose: 0 });
    expect(h.epoch).to.deep.equal([]);
    expect(model.parameters().map((p) => Array.from(p.values))).to.deep.equal(before);
  });

  it("rejects a bad initialEpoch before touching anything", () => {
    for (const bad of [-1, 1.5, NaN, "2"]) {
      expect(() => fit(makeModel(), data(), { optimizer: makeOptimizer("SGD"), loss: "mse", epochs: 3, initialEpoch: bad as number, verbose: 0 })).to.throw(
        /fit: initialEpoch must be an integer >= 0, got/,
      );
    }
  });

  it("epoch k of a run started at k shuffles as epoch k of a run from 0 (seeded)", () => {
    const full = train(makeModel(), makeOptimizer("SGD"), 4, 0);
    const late = train(makeModel(), makeOptimizer("SGD"), 4, 3);
    expect(late).to.deep.equal([full[3]]);
  });
});
