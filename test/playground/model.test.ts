/**
 * The playground's non-DOM parts, in Node: surfaces (gradients against central differences),
 * settings and the URL hash, data sets, Lion's "from AdamW" rule, and the two races driving
 * ndgrad's real optimizers.
 */
import { expect } from "chai";
import { SURFACE_TABLE } from "../../playground/src/surfaces";
import { decodeHash, encodeHash } from "../../playground/src/hash";
import { SPECS, checkValue, defaultSettings, optimizerSettings } from "../../playground/src/settings";
import { makeDataset, splitDataset, DATASET_NAMES } from "../../playground/src/datasets";
import { lionFromAdamW, stateMemory } from "../../playground/src/optimizers";
import { SurfaceRace } from "../../playground/src/surface-race";
import { NetRace } from "../../playground/src/classifier";

describe("playground: surfaces", () => {
  for (const s of Object.values(SURFACE_TABLE)) {
    it(`${s.id}: the gradient matches central differences, and the minimum is where it says`, () => {
      const { x0, x1, y0, y1 } = s.view;
      for (let k = 0; k < 25; k++) {
        const x = x0 + ((k % 5) + 0.37) * ((x1 - x0) / 5),
          y = y0 + (Math.floor(k / 5) + 0.61) * ((y1 - y0) / 5);
        const h = 1e-6;
        const fd = [(s.value(x + h, y) - s.value(x - h, y)) / (2 * h), (s.value(x, y + h) - s.value(x, y - h)) / (2 * h)];
        const g = s.gradient(x, y);
        for (let i = 0; i < 2; i++) expect(Math.abs(g[i] - fd[i]), `${s.id} at (${x}, ${y}) d/d${"xy"[i]}`).to.be.lessThan(1e-5 * Math.max(1, Math.abs(fd[i])));
      }
      for (const [mx, my] of s.minima) {
        expect(s.value(mx, my)).to.be.closeTo(s.minValue, 1e-12);
        for (const gi of s.gradient(mx, my)) expect(Math.abs(gi)).to.be.lessThan(1e-9);
      }
    });
  }
});

describe("playground: settings and the URL hash", () => {
  it("round-trips every setting through the hash", () => {
    const s = defaultSettings();
    s.surface = "beale";
    s["s.lion.lr"] = 0.0025;
    s["c.widths"] = "8,4,2";
    s["c.adam.on"] = true;
    s["s.sgd.nesterov"] = true;
    s.dataset = "spirals";
    const decoded = decodeHash(`#${encodeHash(s)}`);
    expect(decoded.problems).to.deep.equal([]);
    expect(decoded.settings).to.deep.equal(s);
    expect(Object.keys(decoded.settings)).to.deep.equal(Object.keys(SPECS));
  });

  it("reads a malformed hash as far as it can, naming every problem and keeping the defaults there", () => {
    const { settings, problems } = decodeHash("#surface=saddle&%E0%A4%A=1&s.lion.lr=abc&nope=3&s.adam.beta1=1.5&justtext&surface=beale&c.widths=0,300");
    expect(settings.surface).to.equal("saddle");
    expect(settings["s.lion.lr"]).to.equal(SPECS["s.lion.lr"].default);
    expect(settings["s.adam.beta1"]).to.equal(0.9);
    expect(settings["c.widths"]).to.equal("16,16");
    expect(problems).to.have.length(7);
    expect(problems.join("\n"))
      .to.match(/not valid URL encoding/)
      .and.match(/Lion learning rate \(surfaces\) must be a number from 0.000001 to 1000, got "abc"/)
      .and.match(/unknown setting "nope"/)
      .and.match(/Adam beta1 \(surfaces\) must be from 0 to 1, got 1.5/)
      .and.match(/"justtext" is not key=value/)
      .and.match(/"surface" is given twice/)
      .and.match(/hidden widths must be 1 to 4 comma-separated whole numbers from 1 to 64 \(e.g. 16,16\), got "0,300"/);
  });

  it("shows numbers as they are in messages (NaN as NaN) and says what is allowed", () => {
    expect(checkValue("s.sgd.lr", NaN)).to.deep.equal({ error: "SGD learning rate (surfaces) must be a number from 0.000001 to 1000, got NaN" });
    expect(checkValue("c.batch", 2.5)).to.deep.equal({ error: "batch size must be a whole number, got 2.5" });
    expect(checkValue("c.batch", "512")).to.deep.equal({ error: "batch size must be from 1 to 256, got 512" });
    expect(checkValue("c.widths", " 8, 8 ")).to.deep.equal({ value: "8,8" });
    expect(checkValue("c.widths", "8,,8"))
      .to.have.property("error")
      .that.matches(/1 to 4 comma-separated whole numbers from 1 to 64/);
  });
});

describe("playground: data sets", () => {
  for (const name of DATASET_NAMES) {
    it(`${name}: balanced, seeded, inside the plotted window, split as asked`, () => {
      const d = makeDataset(name, 201, 0.1, 3);
      expect(d.x).to.have.length(402);
      expect(Array.from(d.y).filter((c) => c === 1)).to.have.length(100);
      expect(makeDataset(name, 201, 0.1, 3)).to.deep.equal(d);
      expect(makeDataset(name, 201, 0.1, 4).x).to.not.deep.equal(d.x);
      for (const v of makeDataset(name, 201, 0, 3).x) expect(Math.abs(v)).to.be.lessThan(1.6);
      const { train, test } = splitDataset(d, 0.7, 3);
      expect(train.y.length).to.equal(141);
      expect(test.y.length).to.equal(60);
    });
  }

  it("rejects a bad request with the argument and the value", () => {
    expect(() => makeDataset("stars", 10, 0, 0)).to.throw(/makeDataset: unknown data set "stars"; allowed: moons, circles/);
    expect(() => makeDataset("moons", 10, NaN, 0)).to.throw("makeDataset: noise must be a number >= 0, got NaN");
  });
});

describe("playground: Lion from AdamW", () => {
  it("divides the learning rate and multiplies the weight decay by the factor", () => {
    expect(lionFromAdamW({ lr: 0.03, wd: 0.01 }, 3)).to.deep.equal({ lr: 0.01, wd: 0.03, beta1: 0.9, beta2: 0.99 });
    expect(lionFromAdamW({ lr: 1e-3, wd: 0.004 }, 10)).to.deep.equal({ lr: 1e-4, wd: 0.04, beta1: 0.9, beta2: 0.99 });
    expect(() => lionFromAdamW({ lr: 1, wd: 0 }, 0.5)).to.throw("lionFromAdamW: factor must be a number >= 1, got 0.5");
  });
});

describe("playground: the races", () => {
  const s = defaultSettings();
  const all = (panel: "s" | "c") => (["lion", "adamw", "adam", "sgd"] as const).map((id) => ({ ...optimizerSettings(s, panel, id), on: true }));

  it("surfaces: Lion moves each coordinate by exactly its (float32) learning rate, every step", () => {
    const race = new SurfaceRace(SURFACE_TABLE.rastrigin, all("s"), [-4.2, 3.8], 0.5, 1);
    const lion = race.runners.find((r) => r.id === "lion")!;
    for (let i = 0; i < 200; i++) {
      race.step();
      for (const d of lion.lastUpdate) expect(Math.abs(d)).to.be.closeTo(Math.fround(lion.settings.lr), 1e-15);
    }
    for (const r of race.runners) expect(r.losses).to.have.length(201);
  });

  it("surfaces: a learning rate far too large is caught as a divergence, and that runner stops", () => {
    const opts = all("s").map((o) => (o.id === "sgd" ? { ...o, lr: 1 } : o));
    const race = new SurfaceRace(SURFACE_TABLE.rosenbrock, opts, [-1.5, 2], 0, 0);
    let message: string | null = null;
    for (let i = 0; i < 50 && !message; i++) message = race.step();
    expect(message).to.match(/^SGD diverged at step \d+ on Rosenbrock: .* \(learning rate 1\)\. Lower its learning rate, then press Reset\.$/);
    const sgd = race.runners.find((r) => r.id === "sgd")!;
    const steps = sgd.losses.length;
    race.step();
    expect(sgd.losses).to.have.length(steps);
    expect(race.runners.filter((r) => r.diverged)).to.have.length(1);
  });

  it("network: every copy starts from the same weights; Lion keeps one slot, AdamW two; both pass 95% on moons", function () {
    this.timeout(60_000);
    const race = new NetRace(
      { dataset: "moons", noise: 0.1, samples: 400, trainFraction: 0.7, widths: [16, 16], activation: "tanh", batch: 32, seed: 0 },
      all("c"),
    );
    const first = race.contenders[0].params.map((p) => Array.from(p.values));
    for (const c of race.contenders) expect(c.params.map((p) => Array.from(p.values))).to.deep.equal(first);
    race.step();
    const mem = Object.fromEntries(race.contenders.map((c) => [c.id, stateMemory(c.optimizer)]));
    expect(mem.lion.slots).to.deep.equal(["momentums"]);
    expect(mem.adamw.slots).to.deep.equal(["momentums", "velocities"]);
    expect(mem.adamw.bytes).to.equal(2 * mem.lion.bytes);
    expect(mem.lion.floats).to.equal(2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2);
    for (let i = 1; i < 1500; i++) race.step();
    race.evaluate();
    for (const c of race.contenders.filter((c) => c.id === "lion" || c.id === "adamw")) {
      expect(c.history[c.history.length - 1].testAcc, c.id).to.be.at.least(0.95);
    }
  });
});

describe("playground: a hash naming a surface without a start", () => {
  it("starts from that surface's own start point", () => {
    const { settings } = decodeHash("#surface=beale");
    expect([settings["s.startX"], settings["s.startY"]]).to.deep.equal(SURFACE_TABLE.beale.start);
    const given = decodeHash("#surface=beale&s.startX=1&s.startY=-1").settings;
    expect([given["s.startX"], given["s.startY"]]).to.deep.equal([1, -1]);
  });
});

describe("playground: a diverging network", () => {
  it("is stopped at its first non-finite or hopeless loss, with a message naming the optimizer, and the others go on", () => {
    const s = defaultSettings();
    const adamw = { ...optimizerSettings(s, "c", "adamw"), lr: 1000 };
    const race = new NetRace({ dataset: "moons", noise: 0.1, samples: 200, trainFraction: 0.7, widths: [16, 16], activation: "tanh", batch: 32, seed: 0 }, [
      optimizerSettings(s, "c", "lion"),
      adamw,
    ]);
    let message: string | null = null;
    for (let i = 0; i < 200 && !message; i++) message = race.step();
    expect(message).to.match(
      /^AdamW diverged at step \d+ on moons: the training loss is (NaN|Infinity|[0-9.e+]+, over 100 times a coin toss's 0.693) \(learning rate 1000\)\. Lower its learning rate, then press Reset\.$/,
    );
    const frozen = Array.from(race.contenders[1].params[0].values);
    race.step();
    expect(Array.from(race.contenders[1].params[0].values)).to.deep.equal(frozen);
    expect(race.contenders[0].diverged).to.equal(null);
    expect(Number.isFinite(race.contenders[0].lastLoss)).to.equal(true);
  });

  it("a loss that stays finite but hopeless (SGD saturating tanh units) counts as diverged too", () => {
    const s = defaultSettings();
    const sgd = { ...optimizerSettings(s, "c", "sgd"), on: true, lr: 1000 };
    const race = new NetRace({ dataset: "moons", noise: 0.1, samples: 200, trainFraction: 0.7, widths: [16, 16], activation: "tanh", batch: 32, seed: 0 }, [
      sgd,
    ]);
    let message: string | null = null;
    for (let i = 0; i < 200 && !message; i++) message = race.step();
    expect(message).to.match(/^SGD diverged at step \d+ on moons: the training loss is [0-9.e+]+, over 100 times a coin toss's 0.693 \(learning rate 1000\)\./);
  });
});
