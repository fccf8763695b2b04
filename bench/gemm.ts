/**
 * GEMM throughput: `npx ts-node -T bench/gemm.ts [float32|float64|all]` (NDGRAD_THREADS=1 for one thread).
 * Prints GFLOP/s (2·n³ flop per product, packing included) for square n = 128..1024,
 * plus the transposed-operand variants used by backward passes at n = 512.
 */
import { gemm } from "../core/kernels/gemm";
import { getNumThreads, waitForThreads } from "../core/kernels/threads";

type Arr = Float32Array | Float64Array;

function make(dtype: string, n: number, seed: number): Arr {
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 2147483648 - 0.5;
  }
  return a;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

function time(n: number, dtype: string, transA: boolean, transB: boolean): number {
  const a = make(dtype, n * n, 1);
  const b = make(dtype, n * n, 2);
  const c = make(dtype, n * n, 3);
  const reps = n <= 128 ? 40 : n <= 256 ? 20 : n <= 512 ? 6 : 3;
  const run = (): void => gemm(a, 0, n, transA, b, 0, n, transB, c, 0, n, n, n, n, false);
  run();
  run();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (2 * n * n * n) / median(times) / 1e9;
}

const which = process.argv[2] ?? "all";
waitForThreads(); // helpers start lazily; have them ready before timing
console.log(`threads: ${getNumThreads()} (NDGRAD_THREADS)`);
const dtypes = which === "all" ? ["float32", "float64"] : [which];
// warm both dtypes first, so the figures are those of the shared (dtype-polymorphic) call sites
for (const d of dtypes) time(64, d, false, false);
for (const dtype of dtypes) {
  const row = [128, 256, 512, 1024].map((n) => `${n}: ${time(n, dtype, false, false).toFixed(2)}`);
  console.log(`${dtype} A·B   GFLOP/s  ${row.join("  ")}`);
  const t = [
    `A·Bᵀ ${time(512, dtype, false, true).toFixed(2)}`,
    `Aᵀ·B ${time(512, dtype, true, false).toFixed(2)}`,
    `Aᵀ·Bᵀ ${time(512, dtype, true, true).toFixed(2)}`,
  ];
  console.log(`${dtype} n=512   GFLOP/s  ${t.join("  ")}`);
}
