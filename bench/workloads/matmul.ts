/**
 * (5) fp32 matmul C = A·B, square n = 128, 256, 512, 1024, forward only (ndgrad under noGrad),
 * reported as GFLOP/s = 2n³ / median time. tfjs calls `dataSync()` on the result (both its
 * backends are synchronous, so this is only the read-back, and disposes it); jax-js runs
 * jit(np.matmul) + dataSync; ndgrad-wasm is the wasm GEMM kernel into a preallocated C (it is not
 * wired into nd.matmul yet), on the same thread count as ndgrad.
 */
import * as nd from "../../index";
import { compare, randomArray } from "../lib/harness";
import { rowFrom } from "../lib/compare-row";
import { Keep, ndSide, ndWasmSide, tfSide } from "../lib/sides";
import { jaxSide } from "../lib/jax";
import { jaxMatmul, wasmMatmul } from "./wasm-kernels";
import type { Tf } from "../lib/tf";
import { Context, Row, Side, Workload } from "../lib/types";

export const matmul: Workload = {
  name: "matmul",
  summary: "matmul 128/256/512/1024, GFLOP/s",
  async run(ctx: Context): Promise<Row[]> {
    const rows: Row[] = [];
    for (const n of [128, 256, 512, 1024]) {
      ctx.log(`matmul ${n}`);
      const a = randomArray(n * n, 61);
      const b = randomArray(n * n, 62);
      const ndMake = (): (() => void) => {
        const A = nd.tensor(a, { shape: [n, n] });
        const Bm = nd.tensor(b, { shape: [n, n] });
        return () => {
          nd.noGrad(() => nd.matmul(A, Bm));
        };
      };
      const tfMake = (t: Tf, keep: Keep): (() => void) => {
        const A = keep(t.tensor2d(a, [n, n]));
        const Bm = keep(t.tensor2d(b, [n, n]));
        return () => {
          const c = t.matMul(A, Bm);
          c.dataSync();
          c.dispose();
        };
      };
      const big = n >= 512;
      const reps = n <= 256 ? 10 : n === 512 ? 4 : 2;
      const plan = ctx.quick ? { warmup: 2, rounds: 3, perRound: Math.max(1, reps >> 1) } : { warmup: 3, rounds: 5, perRound: reps };
      const skipped: Partial<Record<Side, string>> = {};
      const sides = [ndSide(ndMake), ndSide(ndMake, {}, "js"), ndWasmSide(wasmMatmul(a, b, n)), tfSide("wasm", tfMake), jaxSide(jaxMatmul(a, b, n))];
      // tfjs-cpu: ~0.9 GFLOP/s, 2.5 s per 1024 product
      if (ctx.quick && n === 1024) skipped["tfjs-cpu"] = "skipped in --quick (~2.5 s per call)";
      else sides.push(tfSide("cpu", tfMake, { warmup: 1, perRound: big ? 1 : 3 }));
      const { timings, errors } = await compare(sides, plan);
      const flop = 2 * n * n * n;
      rows.push(
        rowFrom(
          {
            id: `matmul-${n}`,
            workload: "matmul",
            label: `matmul ${n}x${n} fp32`,
            unit: "GFLOP/s",
            target: n === 256 || n === 1024 ? { timesBetter: { "jax-js": 1.5, "tfjs-wasm": 1.2 } } : undefined, // issue #14
            detail: "ndgrad nd.matmul under noGrad; ndgrad-wasm gemmF32 kernel; tfjs tf.matMul + dataSync; jax-js jit(np.matmul) + dataSync",
          },
          timings,
          errors,
          skipped,
          (ms) => flop / (ms * 1e6),
        ),
      );
    }
    return rows;
  },
};
