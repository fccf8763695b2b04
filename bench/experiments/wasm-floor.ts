/**
 * Experiment: are the wasm optimizer passes at the memory floor? Times, over 10M float32 elements
 * in the wasm heap, each pass next to a pass that moves the same kind of traffic with next to no
 * arithmetic (accumulate: 2 reads + 1 write), and reports GB/s moved. If Lion and AdamW reach
 * the accumulate pass's GB/s, they are bound by memory, not by their f32x4 arithmetic.
 *
 *   npx ts-node -T bench/experiments/wasm-floor.ts [threads]
 */
import { setNumThreads } from "../../core/kernels/threads";
import { wasmKernels } from "../../core/wasm/loader";
import { wasmPool } from "../../core/wasm/pool";
import * as W from "../../core/wasm/optim";
import { adamAlphaF32 } from "../../optim/kernels/adam";
import { fillRandom, median } from "../lib/harness";

const N = 10_000_000;
const threads = Number(process.argv[2] ?? 1);
setNumThreads(threads);
if (threads > 1) wasmPool().waitReady();
const { heap } = wasmKernels();
const v = heap.alloc(N),
  g = heap.alloc(N),
  m = heap.alloc(N),
  u = heap.alloc(N);
fillRandom(v, 1);
fillRandom(g, 2, 0.01);
let t = 0;
// name, bytes moved per element (4 per read or write), the pass
const passes: [string, number, () => void][] = [
  ["accumulate (2 reads, 1 write)", 12, () => W.accumulateF32(m, g)],
  ["sgd+momentum (3 r, 2 w)", 20, () => W.sgdMomentumF32(v, g, m, 1e-4, 0.9, false, 0)],
  ["lion + decay (3 r, 2 w)", 20, () => W.lionF32(v, g, m, 1e-4, 0.9, 0.99, 0.004)],
  ["adamw (4 r, 3 w)", 28, () => W.adamF32(v, g, m, u, adamAlphaF32(1e-4, 0.9, 0.999, ++t), 0.9, 0.999, 1e-7, 0.004, 1e-4)],
];
for (const [name, bytes, run] of passes) {
  for (let i = 0; i < 3; i++) run();
  const ts: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    run();
    ts.push(performance.now() - t0);
  }
  const ms = median(ts),
    best = Math.min(...ts);
  console.log(
    `${name.padEnd(32)} median ${ms.toFixed(1)} ms (best ${best.toFixed(1)}), ${((bytes * N) / ms / 1e6).toFixed(1)} GB/s median, ${((bytes * N) / best / 1e6).toFixed(1)} best, ${threads} thread(s)`,
  );
}
