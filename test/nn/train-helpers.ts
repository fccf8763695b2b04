/** Small deterministic models and data for the training-loop tests. */
import { Tensor, tensor, randn } from "../../core";
import { Module } from "../../nn/module";
import { Linear } from "../../nn/layers/linear";
import { Sequential } from "../../nn/layers/sequential";
import { ReLU } from "../../nn/layers/activations";
import type { OutputStream } from "../../nn/progress";

/** A float64 MLP 3 → 4 → k, seeded. */
export function mlp(k = 2, seed = 1): Module {
  return new Sequential(new Linear(3, 4, { seed, dtype: "float64" }), new ReLU(), new Linear(4, k, { seed: seed + 1, dtype: "float64" }));
}

/** A float64 linear regressor 3 → 1, seeded. */
export function linear(seed = 3): Module {
  return new Linear(3, 1, { seed, dtype: "float64" });
}

/** n samples of 3 features (float64) with a label rule: class = x0 + x1 > 0. */
export function classification(n: number, seed = 5): { x: Tensor; y: number[] } {
  const x = randn([n, 3], { seed, dtype: "float64" });
  const v = x.values;
  const y: number[] = [];
  for (let i = 0; i < n; i++) y.push(v[3 * i] + v[3 * i + 1] > 0 ? 1 : 0);
  return { x, y };
}

/** n samples with a linear target y = x·[1, -2, 0.5] + 0.3, shape [n, 1]. */
export function regression(n: number, seed = 9): { x: Tensor; y: Tensor } {
  const x = randn([n, 3], { seed, dtype: "float64" });
  const v = x.values;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = v[3 * i] - 2 * v[3 * i + 1] + 0.5 * v[3 * i + 2] + 0.3;
  return { x, y: tensor(y, { shape: [n, 1] }) };
}

/** Snapshot of all parameter values, by name. */
export function weights(model: Module): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, p] of model.namedParameters()) out[k] = Array.from(p.values);
  return out;
}

/** Largest absolute difference between two weight snapshots. */
export function maxDiff(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let m = 0;
  for (const k of Object.keys(a)) a[k].forEach((v, i) => (m = Math.max(m, Math.abs(v - b[k][i]))));
  return m;
}

/** A fake output stream that records what is written. */
export class FakeOutput implements OutputStream {
  text = "";
  constructor(public isTTY: boolean) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** A clock advancing `stepMs` on every read. */
export function fakeClock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

export { randn };
