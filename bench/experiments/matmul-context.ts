/**
 * Experiment: nd.matmul GFLOP/s at n = 256/512, fresh vs after the MLP/CNN training steps ran
 * in the same process (as in `npm run bench`), to separate kernel speed from JIT-state effects.
 * `npx ts-node -T bench/experiments/matmul-context.ts`
 * When: 2026-11-25; still runs against the current code.
 */
import * as nd from "../../index";
import { median, randomArray, randomLabels } from "../lib/harness";

function gflops(n: number): number {
  const A = nd.tensor(randomArray(n * n, 1), { shape: [n, n] });
  const B = nd.tensor(randomArray(n * n, 2), { shape: [n, n] });
  const ts: number[] = [];
  for (let i = 0; i < (n <= 256 ? 30 : 8); i++) {
    const t0 = performance.now();
    nd.noGrad(() => nd.matmul(A, B));
    ts.push(performance.now() - t0);
  }
  return (2 * n ** 3) / (median(ts.slice(2)) * 1e6);
}
const show = (label: string): void => console.log(`${label.padEnd(32)} 256: ${gflops(256).toFixed(2)}  512: ${gflops(512).toFixed(2)} GFLOP/s`);
show("fresh");
const { nn, optim } = nd;
const cnn = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(1568, 10));
const mlp = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
const opts = new Map([
  [cnn, new optim.SGD({ learningRate: 0.01 })],
  [mlp, new optim.SGD({ learningRate: 0.01 })],
]);
const xc = nd.tensor(randomArray(32 * 784, 3), { shape: [32, 1, 28, 28] });
const xm = nd.tensor(randomArray(64 * 784, 4), { shape: [64, 784] });
for (let i = 0; i < 100; i++) {
  for (const [m, x, b] of [
    [cnn, xc, 32],
    [mlp, xm, 64],
  ] as const) {
    const loss = nn.losses.crossEntropy(m.call(x), randomLabels(b, 10, 5));
    loss.backward();
    opts.get(m)!.step(m.parameters());
    opts.get(m)!.zeroGrad(m.parameters());
  }
}
show("after 100 MLP+CNN steps");
