/**
 * Experiment: ndgrad's relu (then the generic `unaryOp` of core/ops/unary.ts: one shared loop calling
 * `forward(x)` / `derivative(x, y, g)` through function variables) vs a dedicated relu kernel
 * (inline comparison, float32 loop, branchless backward), on the CNN's activation [32, 8, 28, 28],
 * forward + backward, alternating in one process after the other unary ops have been used once
 * (as any real program does).   `npx ts-node -T bench/experiments/relu.ts`
 * When: 2026-11-25, before relu got its hand-written loop (ff734ed): it measured the generic
 * `unaryOp` loop about 4x slower than the dedicated kernel, which is why relu, exp, tanh, sigmoid,
 * neg and square are written out in core/ops/unary.ts. `nd.relu` is now that dedicated loop, so
 * today both sides should time alike (a check that the hand-written op stays fast).
 */
import * as nd from "../../index";
import { median, randomArray } from "../lib/harness";

const shape = [32, 8, 28, 28];
const n = 32 * 8 * 28 * 28;
const xv = randomArray(n, 1);
const x = nd.tensor(xv, { shape, requiresGrad: true });
// touch the other unary ops once, so the shared loop has seen several callbacks
if (process.env.ONLYRELU !== "1")
  for (const f of [nd.neg, nd.exp, nd.tanh, nd.sigmoid, nd.abs, nd.square])
    f(nd.tensor([0.5, -0.5], { requiresGrad: true }))
      .sum()
      .backward();

function ndRelu(): void {
  const y = nd.relu(x);
  y.backward(nd.ones(shape));
  x.grad = null;
}
const g1 = new Float32Array(n).fill(1);
function kernelRelu(): void {
  // forward
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = xv[i];
    y[i] = v > 0 ? v : 0;
  }
  // backward: dx = g · [x > 0]
  const dx = new Float32Array(n);
  for (let i = 0; i < n; i++) dx[i] = g1[i] * +(xv[i] > 0);
  void y;
}
const a: number[] = [],
  b: number[] = [];
for (let i = 0; i < 20; i++) {
  ndRelu();
  kernelRelu();
}
for (let r = 0; r < 40; r++) {
  let t0 = performance.now();
  ndRelu();
  a.push(performance.now() - t0);
  t0 = performance.now();
  kernelRelu();
  b.push(performance.now() - t0);
}
console.log(
  `relu fwd+bwd [32,8,28,28]: ndgrad ${median(a).toFixed(3)} ms (incl. backward() bookkeeping + ones seed), dedicated kernel ${median(b).toFixed(3)} ms, ${(median(a) / median(b)).toFixed(1)}x`,
);
