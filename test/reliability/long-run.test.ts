/**
 * Long run: training steps of a small MLP hold flat memory (heap and external buffers, measured
 * after global.gc when mocha runs with --expose-gc, see .mocharc.json) and the tape keeps nothing
 * alive after backward: intermediates are collectable (WeakRef + gc), parameters stay graph-free
 * leaves. `npm test` runs 10,000 steps (about 2 s); `NDGRAD_LONG=1 npm test` runs 100,000.
 */
import { expect } from "chai";
import * as nd from "../../core";
import { Tensor } from "../../core";
import * as nn from "../../nn";
import { AdamW } from "../../optim";

const LONG = process.env.NDGRAD_LONG === "1";
const STEPS = LONG ? 100_000 : 10_000;
const gc = (globalThis as { gc?: () => void }).gc;

function fullGc(): void {
  if (!gc) return;
  for (let i = 0; i < 3; i++) gc();
}
/** WeakRef targets are kept alive until the current job ends (the spec's KeepDuringJob set): yield first. */
const nextJob = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(`reliability: long run (${STEPS} steps; NDGRAD_LONG=1 for 100,000)`, function () {
  this.timeout(LONG ? 600_000 : 60_000);

  it("memory stays flat and the tape holds no references after each backward", async function () {
    if (!gc) this.skip(); // needs --expose-gc (set in .mocharc.json)
    const model = new nn.Sequential(new nn.Linear(4, 16, { seed: 1 }), new nn.ReLU(), new nn.Linear(16, 3, { seed: 2 }));
    const params = model.parameters();
    const opt = new AdamW({ learningRate: 1e-3, useEma: true });
    const x = nd.randn([8, 4], { seed: 3 });
    const y = [0, 1, 2, 0, 1, 2, 0, 1];
    const refs: WeakRef<Tensor>[] = [];
    const step = (keep: boolean) => {
      const h = model.call(x);
      const loss = nn.losses.crossEntropy(h, y);
      if (keep) refs.push(new WeakRef(h), new WeakRef(loss));
      loss.backward();
      opt.step(params);
      opt.zeroGrad(params);
    };
    for (let i = 0; i < 200; i++) step(false); // warm-up: JIT, optimizer slots, scratch buffers
    fullGc();
    const m0 = process.memoryUsage();
    for (let i = 0; i < STEPS; i++) {
      step(i % 500 === 0);
      for (const p of params) {
        if (p.node !== null || p.grad !== null) throw new Error(`step ${i}: parameter ${p.name} still has a graph node or grad`);
      }
    }
    await nextJob();
    fullGc();
    const m1 = process.memoryUsage();
    const heapGrowth = m1.heapUsed - m0.heapUsed;
    const externalGrowth = m1.external + m1.arrayBuffers - (m0.external + m0.arrayBuffers);
    // flat: a small constant bound, independent of the step count (a leak of one 8x16 float32
    // activation per step alone would be 5 MB over 10,000 steps)
    expect(heapGrowth, `heap grew by ${heapGrowth} bytes`).to.be.lessThan(2_000_000);
    expect(externalGrowth, `external/array buffers grew by ${externalGrowth} bytes`).to.be.lessThan(1_000_000);
    // intermediates of finished steps are garbage: nothing (no global tape) keeps them alive
    expect(refs.length).to.be.greaterThan(0);
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    expect(alive, `${alive} of ${refs.length} intermediate tensors still reachable`).to.equal(0);
    expect(params.every((p) => p.values.every(Number.isFinite))).to.equal(true);
  });

  it("a graph is collectable as soon as its result is dropped, even without backward", async function () {
    if (!gc) this.skip();
    const w = nd.randn([16, 16], { seed: 4, requiresGrad: true });
    let ref: WeakRef<Tensor>;
    (() => {
      const h = nd.tanh(nd.matmul(nd.randn([4, 16], { seed: 5 }), w));
      ref = new WeakRef(h);
      h.sum(); // a recorded op using h, then everything dropped
    })();
    await nextJob();
    fullGc();
    expect(ref!.deref()).to.equal(undefined);
    expect(w.node).to.equal(null);
  });
});
