/**
 * Experiment: the Jacobian by rows (reverse passes) against by columns (jvps, the double-vjp
 * trick), and what an hvp costs relative to one gradient on a small CNN now that conv2d and the
 * pools have recorded backward passes.
 * `nice -n 10 npm run example bench/experiments/jacobian-modes.ts`.
 *
 * Jacobians: f(x) = tanh(A·x), float64, for a tall map (R⁴ → R²⁰⁰⁰: columns should win), a square
 * one (R²⁰⁰ → R²⁰⁰) and a wide one (R²⁰⁰⁰ → R⁴: rows should win). CNN: conv 3×3 (1→8, padding 1)
 * + ReLU + maxPool 2 + linear (1568→10) + cross-entropy, batch 32, float32, as a function of
 * the conv weight; "grad" is grad(loss)(w), "hvp" is hvp(loss)(w, v). Medians of alternating rounds.
 * When: 2026-12-01 (3377ff5, nice 10, 2 shared cores under load: calibration row 39.4 ms against
 * 30.5–33 idle). Measured: R⁴ → R²⁰⁰⁰ rows 58.5 ms, columns 1.0 ms; R²⁰⁰ → R²⁰⁰ rows 14.7 ms,
 * columns 32.7 ms; R²⁰⁰⁰ → R⁴ rows 0.3 ms, columns 162.4 ms (a column pass costs ~2.2× a row
 * pass, hence auto's "more than twice as many outputs"); CNN (wasm backend) grad 6.54 ms,
 * hvp 12.24 ms, hvp/grad 1.87×.
 */
import * as nd from "../../index";

function median(f: () => unknown, reps: number): number {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

for (const [n, m] of [
  [4, 2000],
  [200, 200],
  [2000, 4],
]) {
  const a = nd.randn([m, n], { dtype: "float64", seed: 1 }).mul(1 / Math.sqrt(n));
  const f = (x: nd.Tensor) => nd.matmul(a, x).tanh();
  const x = nd.randn([n, 1], { dtype: "float64", seed: 2 });
  const reps = n * m > 1e5 ? 3 : 5;
  const rows: number[] = [],
    cols: number[] = [];
  for (let round = 0; round < 3; round++) {
    rows.push(median(() => nd.jacobian(f, { mode: "reverse" })(x), reps));
    cols.push(median(() => nd.jacobian(f, { mode: "forward" })(x), reps));
  }
  const med = (v: number[]) => v.slice().sort((p, q) => p - q)[v.length >> 1];
  console.log(`jacobian R^${n} -> R^${m}: rows ${med(rows).toFixed(1)} ms, columns ${med(cols).toFixed(1)} ms`);
}

const x = nd.randn([32, 1, 28, 28], { seed: 3 });
const labels = Array.from({ length: 32 }, (_, i) => i % 10);
const b1 = nd.zeros([8]);
const w2 = nd.randn([10, 1568], { seed: 4 }).mul(0.02);
const b2 = nd.zeros([10]);
const loss = (w: nd.Tensor) => nd.nn.losses.crossEntropy(nd.linear(nd.flatten(nd.maxPool2d(nd.conv2d(x, w, b1, { padding: 1 }).relu(), 2), 1), w2, b2), labels);
const w = nd.randn([8, 1, 3, 3], { seed: 5 }).mul(0.3);
const v = nd.randn([8, 1, 3, 3], { seed: 6 });
const g: number[] = [],
  h: number[] = [];
for (let round = 0; round < 5; round++) {
  g.push(median(() => nd.grad(loss)(w), 10));
  h.push(median(() => nd.hvp(loss)(w, v), 10));
}
const med = (a: number[]) => a.slice().sort((p, q) => p - q)[a.length >> 1];
console.log(`cnn (${nd.getBackend()} backend): grad ${med(g).toFixed(2)} ms, hvp ${med(h).toFixed(2)} ms, hvp/grad ${(med(h) / med(g)).toFixed(2)}x`);
nd.shutdownThreads();
