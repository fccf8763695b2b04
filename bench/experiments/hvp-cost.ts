/**
 * Experiment: what a Hessian-vector product costs relative to one gradient.
 * `npm run example bench/experiments/hvp-cost.ts` (run under `nice -n 10`).
 *
 * Loss: the 2-layer MLP of the bench (784-128-10, batch 64, tanh so the Hessian is not
 * piecewise zero, softmax cross-entropy), as one function of its first weight matrix. "grad" is
 * `grad(loss)(w1)` (the raw first-order backward); "hvp" is `hvp(loss)(w1, v)`: a recorded
 * backward pass, then a reverse pass over it. Median of alternating rounds in one process.
 * When: 2026-12-01, with the higher-order engine (issue #15). Measured then (2 shared cores,
 * nice 10): grad 7.66 ms, hvp 16.4 ms, hvp/grad 2.15x. On the notebook's 25-parameter MLP, where
 * per-op overhead dominates, about 1.3x.
 */
import * as nd from "../../index";

const batch = 64;
const x = nd.randn([batch, 784], { seed: 1 });
const labels = Array.from({ length: batch }, (_, i) => i % 10);
const b1 = nd.zeros([128]);
const w2 = nd.randn([10, 128], { seed: 2 }).mul(0.1);
const b2 = nd.zeros([10]);
const loss = (w1: nd.Tensor) => nd.nn.losses.crossEntropy(nd.linear(nd.linear(x, w1, b1).tanh(), w2, b2), labels);
const w1 = nd.randn([128, 784], { seed: 3 }).mul(0.03);
const v = nd.randn([128, 784], { seed: 4 });

function time(f: () => unknown, reps: number): number {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}
const rounds = 7;
const g: number[] = [],
  h: number[] = [];
for (let r = 0; r < rounds; r++) {
  g.push(time(() => nd.grad(loss)(w1), 10));
  h.push(time(() => nd.hvp(loss)(w1, v), 10));
}
const med = (a: number[]) => a.slice().sort((p, q) => p - q)[a.length >> 1];
console.log(`grad ${med(g).toFixed(2)} ms, hvp ${med(h).toFixed(2)} ms, hvp/grad ${(med(h) / med(g)).toFixed(2)}x`);
