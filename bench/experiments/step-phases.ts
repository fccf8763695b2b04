/**
 * Experiment: where an ndgrad training step goes, phase by phase (forward, loss, backward,
 * optimizer, zeroGrad), for the bench's MLP or CNN. Median over steps after a warm-up.
 * `npx ts-node -T bench/experiments/step-phases.ts mlp|cnn [adamw|sgd] [steps]`
 * Profile: `node --cpu-prof -r ts-node/register/transpile-only bench/experiments/step-phases.ts mlp`
 * When: 2026-11-25; still runs against the current code.
 */
import * as nd from "../../index";
import { median, randomArray, randomLabels } from "../lib/harness";

const which = process.argv[2] ?? "mlp";
const optName = process.argv[3] ?? "adamw";
const steps = Number(process.argv[4] ?? 200);
const { nn, optim } = nd;
const model =
  which === "mlp"
    ? new nn.Sequential(new nn.Linear(784, 128, { seed: 1 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 2 }))
    : new nn.Sequential(
        new nn.Conv2d(1, 8, 3, { padding: 1, seed: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(1568, 10, { seed: 2 }),
      );
const B = which === "mlp" ? 64 : 32;
const x = which === "mlp" ? nd.tensor(randomArray(B * 784, 11), { shape: [B, 784] }) : nd.tensor(randomArray(B * 784, 31), { shape: [B, 1, 28, 28] });
const labels = randomLabels(B, 10, 12);
const params = model.parameters();
const opt = optName === "adamw" ? new optim.AdamW({ learningRate: 1e-3, weightDecay: 0.004 }) : new optim.SGD({ learningRate: 0.01 });
const phases: Record<string, number[]> = { forward: [], loss: [], backward: [], optimizer: [], zeroGrad: [], total: [] };
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  const logits = model.call(x);
  const t1 = performance.now();
  const loss = nn.losses.crossEntropy(logits, labels);
  const t2 = performance.now();
  loss.backward();
  const t3 = performance.now();
  opt.step(params);
  const t4 = performance.now();
  opt.zeroGrad(params);
  const t5 = performance.now();
  loss.item();
  if (s >= steps / 4) {
    phases.forward.push(t1 - t0);
    phases.loss.push(t2 - t1);
    phases.backward.push(t3 - t2);
    phases.optimizer.push(t4 - t3);
    phases.zeroGrad.push(t5 - t4);
    phases.total.push(t5 - t0);
  }
}
console.log(
  `${which} ${optName}: ` +
    Object.entries(phases)
      .map(([k, v]) => `${k} ${median(v).toFixed(3)} ms`)
      .join(", "),
);
