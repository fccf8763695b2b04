/**
 * End-to-end learning with the layers, losses and optim.Adam (full-batch loops written inline,
 * independent of nn.fit): XOR, two moons, and a small CNN on a synthetic image task.
 */
import { expect } from "chai";
import { Tensor, noGrad, tensor } from "../../core";
import { Generator } from "../../core/random";
import * as nn from "../../nn";
import { Adam } from "../../optim";

function train(model: nn.Module, x: Tensor, y: number[], steps: number, learningRate: number): number[] {
  const opt = new Adam({ learningRate });
  const params = model.parameters();
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = nn.losses.crossEntropy(model.call(x), y);
    opt.zeroGrad(params);
    loss.backward();
    opt.step(params);
    losses.push(loss.item());
  }
  return losses;
}

function accuracy(model: nn.Module, x: Tensor, y: number[]): number {
  const logits = noGrad(() => model.eval().call(x));
  model.train();
  const C = logits.shape[1];
  let right = 0;
  y.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (logits.values[i * C + c] > logits.values[i * C + best]) best = c;
    if (best === label) right++;
  });
  return right / y.length;
}

/** sklearn's make_moons: two interleaved half circles plus Gaussian noise, seeded. */
function moons(n: number, noise: number, seed: number): { x: Tensor; y: number[] } {
  const gen = new Generator(seed);
  const xs: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * gen.uniform();
    const [px, py] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    xs.push(px + noise * gen.normal(), py + noise * gen.normal());
    y.push(label);
  }
  return { x: tensor(xs, { shape: [n, 2] }), y };
}

describe("nn: models learn", () => {
  it("a 2-layer MLP learns XOR (100%)", () => {
    const x = tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = [0, 1, 1, 0];
    const model = new nn.Sequential(new nn.Linear(2, 8, { seed: 1 }), new nn.Tanh(), new nn.Linear(8, 2, { seed: 2 }));
    const losses = train(model, x, y, 200, 0.05);
    expect(accuracy(model, x, y)).to.equal(1);
    expect(losses[losses.length - 1]).to.be.below(0.05);
  });

  it("an MLP separates two moons (>= 97% on held-out points)", () => {
    const trainSet = moons(200, 0.1, 1);
    const testSet = moons(200, 0.1, 2);
    const model = new nn.Sequential(
      new nn.Linear(2, 16, { seed: 3 }),
      new nn.ReLU(),
      new nn.Linear(16, 16, { seed: 4 }),
      new nn.ReLU(),
      new nn.Linear(16, 2, { seed: 5 }),
    );
    train(model, trainSet.x, trainSet.y, 300, 0.02);
    expect(accuracy(model, trainSet.x, trainSet.y)).to.be.at.least(0.97);
    expect(accuracy(model, testSet.x, testSet.y)).to.be.at.least(0.97);
  });

  it("a small CNN's loss falls on bright-square-top-left vs bottom-right", () => {
    const gen = new Generator(7);
    const n = 32;
    const images = new Float32Array(n * 64);
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      const [r0, c0] = label === 0 ? [gen.int(2), gen.int(2)] : [4 + gen.int(2), 4 + gen.int(2)];
      for (let p = 0; p < 64; p++) images[i * 64 + p] = 0.3 * gen.normal();
      for (let r = r0; r < r0 + 3; r++) for (let c = c0; c < c0 + 3; c++) images[i * 64 + r * 8 + c] += 1;
      y.push(label);
    }
    const x = new Tensor(images, [n, 1, 8, 8]);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1, seed: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(64, 2, { seed: 2 }),
    );
    const losses = train(model, x, y, 40, 0.01);
    expect(losses[losses.length - 1]).to.be.below(0.3 * losses[0]);
    expect(accuracy(model, x, y)).to.equal(1); // eval mode: BatchNorm on its running statistics
  });
});
