/**
 * BackupAndRestore in process: a fit that crashes (a callback throws, as a kill would stop it) at
 * many points, then the same fit started again from scratch objects, ends bit-identical to an
 * uninterrupted run (weights, buffers, history), for three optimizer set-ups and the three save
 * frequencies. The SIGKILL version, across processes, is backup-kill.test.ts.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as nn from "../../nn";
import { CONFIGS, ConfigName, fingerprint, run } from "./backup-setup";

class Crash extends Error {}

/** Throws at the `at`-th batch end of this process's fit (counting from 1). */
function crashAt(at: number): nn.Callback {
  let n = 0;
  return {
    onBatchEnd: () => {
      if (++n === at) throw new Crash(`crash at batch ${at}`);
    },
  };
}

describe("reliability: BackupAndRestore resumes a crashed fit bit-identically", function () {
  this.timeout(120000);
  let dir = "";
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-backup-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const name of Object.keys(CONFIGS) as ConfigName[]) {
    it(`${name} (saveFreq ${String(CONFIGS[name].saveFreq)}): crashes at batches 3, 9, 1, 13, 6 of successive restarts`, () => {
      const reference = run(name, path.join(dir, "reference"));
      expect(fs.existsSync(path.join(dir, "reference")), "checkpoint deleted at the end").to.equal(false);
      const backup = path.join(dir, "backup");
      let crashes = 0;
      for (const at of [3, 9, 1, 13, 6]) {
        try {
          run(name, backup, [crashAt(at)]);
          break;
        } catch (e) {
          if (!(e instanceof Crash)) throw e;
          crashes++;
        }
      }
      const resumed = run(name, backup);
      expect(crashes).to.equal(5);
      expect(fingerprint(resumed.model)).to.deep.equal(fingerprint(reference.model));
      expect(resumed.history.history).to.deep.equal(reference.history.history);
      expect(resumed.history.epoch).to.deep.equal(reference.history.epoch);
      expect(fs.existsSync(backup), "checkpoint deleted after the finished run").to.equal(false);
    });
  }

  it("a second fit after a finished run starts afresh (the checkpoint was deleted); deleteCheckpoint: false keeps it", () => {
    const a = run("adamw", dir);
    const b = run("adamw", dir);
    expect(fingerprint(b.model)).to.deep.equal(fingerprint(a.model));
    const keep = path.join(dir, "keep");
    const model = new nn.Sequential(new nn.Linear(2, 1, { seed: 1 }));
    const x = new (require("../../core").Tensor)(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    const { SGD } = require("../../optim");
    nn.fit(
      model,
      { x, y: new (require("../../core").Tensor)(Float32Array.from([1, 0]), [2, 1]) },
      { optimizer: new SGD(), loss: "mse", epochs: 1, verbose: 0, callbacks: [new nn.callbacks.BackupAndRestore(keep, { deleteCheckpoint: false })] },
    );
    expect(fs.readdirSync(keep)).to.deep.equal(["checkpoint.safetensors"]);
  });

  it("a checkpoint from another model or a corrupt one is refused by name, before training", () => {
    const backup = path.join(dir, "b");
    expect(() => run("adamw", backup, [crashAt(2)])).to.throw(Crash);
    const other = new nn.Sequential(new nn.Linear(36, 3));
    const { SGD } = require("../../optim");
    const { Tensor } = require("../../core");
    const data = { x: new Tensor(new Float32Array(72), [2, 36]), y: [0, 1] };
    expect(() =>
      nn.fit(other, data, { optimizer: new SGD(), loss: "crossEntropy", epochs: 1, verbose: 0, callbacks: [new nn.callbacks.BackupAndRestore(backup)] }),
    ).to.throw(/BackupAndRestore: .*checkpoint.safetensors was saved from a model with generators|does not fit this model/);
    fs.writeFileSync(path.join(backup, "checkpoint.safetensors"), Buffer.from("torn"));
    expect(() => run("adamw", backup)).to.throw(/BackupAndRestore: .*checkpoint.safetensors is not a readable checkpoint: safetensors: file is 4 bytes/);
  });

  it("rejects bad options by name", () => {
    expect(() => new nn.callbacks.BackupAndRestore("")).to.throw(/BackupAndRestore: dir must be a non-empty folder path/);
    expect(() => new nn.callbacks.BackupAndRestore("d", { saveFreq: 0 })).to.throw(/saveFreq must be "epoch" or a positive integer number of batches, got 0/);
    expect(() => new nn.callbacks.BackupAndRestore("d", { saveFreq: NaN })).to.throw(/got NaN/);
    expect(() => new nn.callbacks.BackupAndRestore("d", { saveFreq: "batch" as "epoch" })).to.throw(/got "batch"/);
    expect(() => new nn.callbacks.BackupAndRestore("d", { every: 1 } as object)).to.throw(/unknown option "every"/);
  });
});
