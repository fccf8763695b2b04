/** Schedules beyond the goldens: the Keras serialised form inside an optimizer config, and which step they see. */
import { expect } from "chai";
import { Parameter } from "../../core/parameter";
import { tensor } from "../../core/creation";
import { Lion, SGD, schedules, deserializeOptimizer, serializeOptimizer } from "../../optim";

describe("optim: schedules", () => {
  it("serialise inside an optimizer config as Keras does, and load back", () => {
    const s = new schedules.PiecewiseConstantDecay({ boundaries: [2, 4], values: [1, 0.5, 0.1] });
    const opt = new Lion({ learningRate: s });
    const ser = serializeOptimizer(opt);
    expect(ser.config.learning_rate).to.deep.equal({
      module: "keras.optimizers.schedules",
      class_name: "PiecewiseConstantDecay",
      config: s.getConfig(),
      registered_name: null,
    });
    const back = deserializeOptimizer(JSON.parse(JSON.stringify(ser)));
    expect(back).to.be.instanceOf(Lion);
    expect(back.getConfig()).to.deep.equal(ser.config);
    expect(deserializeOptimizer("sgd")).to.be.instanceOf(SGD);
  });

  it("the k-th apply uses valueAt(k), read before the counter moves", () => {
    const lr = new schedules.PiecewiseConstantDecay({ boundaries: [0, 1], values: [1, 0.5, 0.25] });
    const x = new Parameter([0]);
    const opt = new SGD({ learningRate: lr });
    const seen: number[] = [];
    for (let k = 0; k < 3; k++) {
      const before = x.values[0];
      opt.apply([tensor([1])], [x]);
      seen.push(before - x.values[0]);
    }
    expect(seen).to.deep.equal([1, 0.5, 0.25]);
    expect(opt.learningRate).to.equal(0.25);
  });

  it("formulas at a few more points (cycle, staircase, warmup edges, restarts with tMul 2)", () => {
    const poly = new schedules.PolynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0, cycle: true });
    expect(poly.valueAt(0)).to.equal(1);
    expect(poly.valueAt(15)).to.be.closeTo(0.25, 1e-7); // D grows to 20
    const exp = new schedules.ExponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(exp.valueAt(19)).to.equal(0.5);
    const cos = new schedules.CosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 10 });
    expect(cos.valueAt(10)).to.equal(1);
    expect(cos.valueAt(100)).to.be.closeTo(0, 1e-7);
    const sgdr = new schedules.CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 10 });
    expect(sgdr.valueAt(30)).to.be.closeTo(1, 1e-6); // second period is 20 long: restart at 10 + 20
    expect(() => sgdr.valueAt(-1)).to.throw(/CosineDecayRestarts: step/);
  });
});
