/** Lion.fromAdamW: the 3-10x rule applied to an AdamW setting, schedule scaled as a whole. */
import { expect } from "chai";
import { Parameter, tensor, optim } from "ndgrad";

const { Lion, schedules } = optim;

function lrAt(opt: optim.Optimizer, step: number): number {
  const lr = opt.learningRateSetting;
  if (typeof lr === "number") return lr;
  if (typeof lr === "function") return lr();
  return lr.valueAt(step);
}

describe("lab: Lion.fromAdamW", () => {
  it("defaults: lr x 0.2 and weight decay x 5, so lr x wd is unchanged", () => {
    const lion = Lion.fromAdamW({ learningRate: 3e-3, weightDecay: 0.01 });
    const c = lion.getConfig();
    expect(c.learning_rate).to.be.closeTo(6e-4, 1e-10); // Keras reports the float32 value
    expect(c.weight_decay).to.be.closeTo(0.05, 1e-12);
    expect((c.learning_rate as number) * (c.weight_decay as number)).to.be.closeTo(3e-3 * 0.01, 1e-11);
    expect(optim.FROM_ADAMW_DEFAULTS).to.deep.equal({ lrFactor: 0.2, wdFactor: 5 });
  });

  it("takes its factors, AdamW's Keras default weight decay when none is given, and Lion's own betas", () => {
    const lion = Lion.fromAdamW({ learningRate: 1e-3, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 }, { lrFactor: 0.1, wdFactor: 10 });
    const c = lion.getConfig();
    expect(c.learning_rate).to.be.closeTo(1e-4, 1e-10);
    expect(c.weight_decay).to.be.closeTo(0.04, 1e-12); // AdamW's default 0.004 x 10
    expect([c.beta_1, c.beta_2]).to.deep.equal([0.9, 0.99]); // AdamW's betas do not carry over
    expect(Lion.fromAdamW({}, { beta1: 0.95 }).getConfig().beta_1).to.equal(0.95);
  });

  it("scales a cosine schedule with warmup as a whole: every step's value, same shape", () => {
    const adamwLr = new schedules.CosineDecay({ initialLearningRate: 0, warmupTarget: 3e-3, warmupSteps: 10, decaySteps: 90, alpha: 0.1 });
    const lion = Lion.fromAdamW({ learningRate: adamwLr, weightDecay: 0.1 }, { lrFactor: 0.1 });
    const scaled = lion.learningRateSetting as optim.LearningRateSchedule;
    expect(scaled.className).to.equal("CosineDecay"); // rebuilt, so it still serialises as Keras's class
    for (const step of [0, 5, 10, 50, 99, 150]) expect(lrAt(lion, step)).to.be.closeTo(0.1 * adamwLr.valueAt(step), 1e-9);
    expect(scaled.getConfig()).to.include({ warmup_steps: 10, decay_steps: 90, alpha: 0.1 });
  });

  it("scales piecewise and polynomial schedules and functions too", () => {
    const pw = new schedules.PiecewiseConstantDecay({ boundaries: [10], values: [1e-2, 1e-3] });
    expect(lrAt(Lion.fromAdamW({ learningRate: pw }, { lrFactor: 0.5 }), 20)).to.be.closeTo(5e-4, 1e-10);
    const poly = new schedules.PolynomialDecay({ initialLearningRate: 1e-2, decaySteps: 10, endLearningRate: 1e-3 });
    expect(lrAt(Lion.fromAdamW({ learningRate: poly }, { lrFactor: 0.5 }), 10)).to.be.closeTo(5e-4, 1e-10);
    let calls = 0;
    expect(lrAt(Lion.fromAdamW({ learningRate: () => (calls++, 2e-3) }, { lrFactor: 0.25 }), 0)).to.be.closeTo(5e-4, 1e-12);
    expect(calls).to.equal(1);
  });

  it("carries clipping, EMA and accumulation over, and trains exactly as the Lion it describes", () => {
    const common = { clipNorm: 1, useEma: true, emaMomentum: 0.9, gradientAccumulationSteps: 2 };
    const a = Lion.fromAdamW({ learningRate: 5e-3, weightDecay: 0.02, ...common });
    const b = new Lion({ learningRate: 1e-3, weightDecay: 0.1, ...common });
    expect(a.getConfig()).to.deep.include({ clipnorm: 1, use_ema: true, ema_momentum: 0.9, gradient_accumulation_steps: 2 });
    const pa = new Parameter(tensor([1, -2, 3]), { name: "w" }),
      pb = new Parameter(tensor([1, -2, 3]), { name: "w" });
    for (let i = 0; i < 6; i++) {
      for (const [opt, p] of [
        [a, pa],
        [b, pb],
      ] as const) {
        p.grad = tensor([0.5 - i, 2, -1]);
        opt.step([p]);
      }
    }
    expect(Array.from(pa.values)).to.deep.equal(Array.from(pb.values));
  });

  it("rejects bad input naming the argument and showing the value", () => {
    const cases: [() => unknown, string[]][] = [
      [() => Lion.fromAdamW({ learningRate: 1e-3 }, { lrFactor: 0 }), ["Lion.fromAdamW", "lrFactor", "got 0"]],
      [() => Lion.fromAdamW({ learningRate: 1e-3 }, { wdFactor: NaN }), ["wdFactor", "NaN"]],
      [() => Lion.fromAdamW({ learningRate: 1e-3 }, { lrfactor: 0.1 } as never), ["unknown factor", "lrfactor"]],
      [() => Lion.fromAdamW({ learningRate: NaN }), ["learningRate", "NaN"]],
      [() => Lion.fromAdamW({ weightDecay: -1 }), ["weightDecay", "-1"]],
      [() => Lion.fromAdamW({ momentum: 0.9 } as never), ["unknown AdamW option", "momentum"]],
      [() => Lion.fromAdamW(null as never), ["adamwOptions", "null"]],
    ];
    for (const [fn, parts] of cases) {
      expect(fn).to.throw(Error);
      try {
        fn();
      } catch (e) {
        for (const p of parts) expect((e as Error).message).to.contain(p);
      }
    }
  });
});
