/**
 * Experiment: where does one ndgrad optimizer step over 10M params go?
 * `npx ts-node -T bench/experiments/optim10m.ts lion|adamw|sgd [steps]` (profile with
 * `node --cpu-prof -r ts-node/register/transpile-only bench/experiments/optim10m.ts lion`).
 * When: 2026-11-25; still runs against the current code.
 */
import * as nd from "../../index";
import { randomArray, median } from "../lib/harness";

const kind = process.argv[2] ?? "lion";
const steps = Number(process.argv[3] ?? 8);
const N = 10_000_000;
const p = new nd.Parameter(nd.tensor(randomArray(N, 51), { shape: [N] }));
const g = nd.tensor(randomArray(N, 52, 0.01), { shape: [N] });
const opt =
  kind === "lion"
    ? new nd.optim.Lion({ learningRate: 1e-4 })
    : kind === "adamw"
      ? new nd.optim.AdamW({ learningRate: 1e-4, weightDecay: 0.004 })
      : new nd.optim.SGD({ learningRate: 1e-4, momentum: 0.9 });
const ts: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  opt.apply([g], [p]);
  ts.push(performance.now() - t0);
}
console.log(kind, ts.map((t) => t.toFixed(1)).join(" "), "median", median(ts.slice(2)).toFixed(1));
