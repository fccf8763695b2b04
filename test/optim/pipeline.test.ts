/** Each pipeline stage alone, on raw typed arrays. */
import { expect } from "chai";
import { pipeline, LossScaleOptimizer, SGD, AdamW } from "../../optim";
import { Parameter } from "../../core/parameter";
import { tensor } from "../../core/creation";

const f32 = (...v: number[]) => Float32Array.from(v);

describe("optim: pipeline stages", () => {
  it("clipByNorm scales onto the sphere, leaves short and zero tensors alone", () => {
    const g = f32(100, 100);
    pipeline.clipByNorm(g, 1);
    Array.from(g).forEach((x) => expect(x).to.be.closeTo(Math.SQRT1_2, 1e-7));
    const short = f32(0.1, 0.2),
      zero = f32(0, 0);
    pipeline.clipByNorm(short, 1);
    pipeline.clipByNorm(zero, 1);
    expect(Array.from(short)).to.deep.equal(Array.from(f32(0.1, 0.2)));
    expect(Array.from(zero)).to.deep.equal([0, 0]);
  });

  it("clipByGlobalNorm uses the norm over all tensors; a non-finite norm gives NaN (Keras)", () => {
    const a = f32(50),
      b = f32(100);
    pipeline.clipByGlobalNorm([a, b], 1);
    expect(a[0]).to.be.closeTo(0.4472136, 1e-6);
    expect(b[0]).to.be.closeTo(0.8944272, 1e-6);
    const z = [f32(0, 0)];
    pipeline.clipByGlobalNorm(z, 1);
    expect(Array.from(z[0])).to.deep.equal([0, 0]);
    const inf = [f32(Infinity, 1)];
    pipeline.clipByGlobalNorm(inf, 1);
    expect(Number.isNaN(inf[0][1])).to.equal(true);
  });

  it("clipByValue clamps; clipInPlace picks clipNorm, then globalClipNorm, then clipValue, ignoring values <= 0", () => {
    const g = f32(-5, 0.5, 5);
    pipeline.clipByValue(g, 1);
    expect(Array.from(g)).to.deep.equal([-1, 0.5, 1]);
    const h = [f32(3, 4)];
    pipeline.clipInPlace(h, { clipNorm: 0, clipValue: null, globalClipNorm: null });
    expect(Array.from(h[0])).to.deep.equal([3, 4]);
    pipeline.clipInPlace(h, { clipNorm: null, clipValue: null, globalClipNorm: 1 });
    expect(h[0][0]).to.be.closeTo(0.6, 1e-6);
  });

  it("decoupledDecay is v − v·wd·lr in float32 (Keras: three decays of 0.004 give 1.9760959)", () => {
    const v = f32(2);
    for (let i = 0; i < 3; i++) pipeline.decoupledDecay(v, 0.004, 1);
    expect(v[0]).to.be.closeTo(1.9760959, 1.5e-6);
  });

  it("accumulate / averageInto / maxInto / unscale", () => {
    const acc = f32(0, 0);
    pipeline.accumulate(acc, f32(1, 2));
    pipeline.accumulate(acc, f32(1, 2));
    pipeline.averageInto(acc, f32(1, 2), 3);
    expect(Array.from(acc)).to.deep.equal([1, 2]);
    const m = f32(0, 0);
    pipeline.maxInto(m, f32(-1, 3));
    expect(Array.from(m)).to.deep.equal([0, 3]);
    const out = f32(0, 0);
    pipeline.unscale(f32(1024, 2048), 1024, out);
    expect(Array.from(out)).to.deep.equal([1, 2]);
  });

  it("emaUpdate with momentum 0 copies, then blends", () => {
    const avg = f32(0, 0);
    pipeline.emaUpdate(avg, f32(2, 3), 0);
    expect(Array.from(avg)).to.deep.equal([2, 3]);
    pipeline.emaUpdate(avg, f32(1, 2), 0.9);
    expect(avg[0]).to.be.closeTo(1.9, 1e-6);
  });
});

describe("optim: LossScaleOptimizer", () => {
  it("skips non-finite steps (inner counters frozen), halves, then grows after the interval", () => {
    const x = new Parameter([1, 2]);
    const opt = new LossScaleOptimizer(new SGD({ learningRate: 1 }), { initialScale: 8, dynamicGrowthSteps: 2 });
    opt.apply([tensor([NaN, 1])], [x]);
    expect(Array.from(x.values)).to.deep.equal([1, 2]);
    expect(opt.iterations).to.equal(0);
    expect(opt.dynamicScale).to.equal(4);
    opt.apply([tensor([4, 8])], [x]); // unscaled by 4 → [1, 2]
    expect(Array.from(x.values)).to.deep.equal([0, 0]);
    opt.apply([tensor([0, 0])], [x]);
    expect(opt.dynamicScale).to.equal(8);
    expect(opt.iterations).to.equal(2);
    expect(opt.scaleLoss(tensor(1)).item()).to.equal(8);
  });

  it("forces the inner static factor off; delegates learningRate; config round-trips through JSON", () => {
    const inner = new AdamW({ learningRate: 0.5, lossScaleFactor: 4 });
    const opt = new LossScaleOptimizer(inner, { name: "lso" });
    expect(inner.lossScaleFactor).to.equal(null);
    opt.learningRate = 0.25;
    expect(inner.learningRate).to.equal(0.25);
    const cfg = JSON.parse(JSON.stringify(opt.getConfig()));
    expect(Object.keys(cfg)).to.deep.equal(["name", "inner_optimizer", "initial_scale", "dynamic_growth_steps"]);
    expect(LossScaleOptimizer.fromConfig(cfg).getConfig()).to.deep.equal(cfg);
    // Old Keras configs carry dynamic=True and base keys at their defaults: accepted.
    const old = LossScaleOptimizer.fromConfig({ inner_optimizer: new SGD(), dynamic: true, weight_decay: null, use_ema: false, ema_momentum: 0.99 });
    expect(old.initialScale).to.equal(32768);
  });
});
