/**
 * Experiment: does ndgrad's optimizer step slow down after tfjs (or other ndgrad code) ran in
 * the same process? `npx ts-node -T bench/experiments/interference.ts lion|adamw|sgd`
 * Times opt.apply on 10M params: fresh, after MLP-sized steps of the same optimizer class
 * (small arrays, other code paths), and after tfjs-cpu steps; plus the plain fused loop.
 * When: 2026-11-25 (the reason the optimizer loops are top-level per-dtype kernels); still runs
 * against the current code.
 */
import * as nd from "../../index";
import { median, randomArray } from "../lib/harness";
import { tf, useBackend } from "../lib/tf";

const kind = process.argv[2] ?? "lion";
const N = 10_000_000;
const make = (): nd.optim.Optimizer =>
  kind === "lion"
    ? new nd.optim.Lion({ learningRate: 1e-4 })
    : kind === "adamw"
      ? new nd.optim.AdamW({ learningRate: 1e-4 })
      : new nd.optim.SGD({ learningRate: 1e-4, momentum: 0.9 });
const p = new nd.Parameter(nd.tensor(randomArray(N, 1), { shape: [N] }));
const g = nd.tensor(randomArray(N, 2, 0.01), { shape: [N] });
const opt = make();
const time = (label: string): void => {
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    opt.apply([g], [p]);
    ts.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(40)} ${median(ts).toFixed(1)} ms  (${ts.map((t) => t.toFixed(0)).join(" ")})`);
};
(async () => {
  time("fresh");
  // small steps of a *new* optimizer of the same class (as the MLP bench does), incl. SGD without momentum
  const small = [new nd.Parameter(nd.tensor(randomArray(1000, 3), { shape: [1000] }))];
  const sg = [nd.tensor(randomArray(1000, 4), { shape: [1000] })];
  const others = [make(), new nd.optim.SGD({ learningRate: 0.01 }), new nd.optim.AdamW(), new nd.optim.Lion()];
  for (let i = 0; i < 2000; i++) for (const o of others) o.apply(sg, small);
  time("after 8000 small steps (4 optimizers)");
  await useBackend("cpu");
  const t = tf();
  const a = t.variable(t.tensor1d(randomArray(N, 5)));
  const b = t.tensor1d(randomArray(N, 6));
  for (let i = 0; i < 3; i++) t.tidy(() => a.assign(t.add(t.mul(a, 0.9), t.mul(t.sign(b), 0.1))));
  time("after 3 tfjs-cpu 10M steps");
})();
