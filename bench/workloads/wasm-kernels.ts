/**
 * ndgrad's WebAssembly SIMD kernels (core/wasm) against its JavaScript kernels, kernel to kernel,
 * on 1 and on 2 threads (setNumThreads; both backends split the same way), next to tfjs-wasm and
 * jax-js where they have the same product:
 *   - matmul 256 and 1024 fp32: JS `gemm` / wasm `gemmF32` into a preallocated C; tfjs-wasm
 *     tf.matMul + dataSync, jax-js jit(np.matmul) + dataSync (both single-threaded under Node);
 *   - Lion and AdamW passes over 10M float32 parameters (the fused update kernels only, no
 *     pipeline): JS lionF32 / adamF32 (through parallelFor on 2 threads, over shared arrays),
 *     wasm lionF32 / adamF32 (through the wasm pool, over buffers in the wasm heap).
 * The ndgrad-wasm targets are the issue's: ≥ 40 GFLOP/s on 2 threads (≥ 20 on one), Lion ≤ 12 ms,
 * AdamW ≤ 18 ms (both on 2 threads).
 */
import { compare, fillRandom, randomArray } from "../lib/harness";
import { rowFrom } from "../lib/compare-row";
import { Keep, ndSide, ndWasmSide, tfSide } from "../lib/sides";
import type { Tf } from "../lib/tf";
import { Jax, jaxSide } from "../lib/jax";
import { Context, Row, Side, Workload } from "../lib/types";
import { gemm } from "../../core/kernels/gemm";
import { allocateShared } from "../../core/dtype";
import { getNumThreads, parallelFor, setNumThreads } from "../../core/kernels/threads";
import { ADAM, adamAlphaF32, adamF32 } from "../../optim/kernels/adam";
import { LION, lionF32 } from "../../optim/kernels/lion";
import { wasmKernels } from "../../core/wasm/loader";
import { wasmPool } from "../../core/wasm/pool";
import { gemmF32 } from "../../core/wasm/gemm";
import * as W from "../../core/wasm/optim";

const N = 10_000_000;
const LR = 1e-4,
  WD = 0.004;

/** C = A·B with jax-js (jit), read back as tfjs is. */
export function jaxMatmul(a: Float32Array, b: Float32Array, n: number): (j: Jax) => { step: () => void; free: () => void } {
  return (j) => {
    const np = j.numpy;
    const A = np.array(a).reshape([n, n]),
      B = np.array(b).reshape([n, n]);
    const mm = j.jit((x: Jax, y: Jax) => np.matmul(x, y));
    return {
      step: () => {
        mm(A.ref, B.ref).dataSync();
      },
      free: () => {
        A.dispose();
        B.dispose();
      },
    };
  };
}

/** C = A·B with the wasm GEMM on buffers in the wasm heap. */
export function wasmMatmul(a: Float32Array, b: Float32Array, n: number): () => { step: () => void; free: () => void } {
  return () => {
    const { heap } = wasmKernels();
    const A = heap.fromArray(a),
      B = heap.fromArray(b),
      C = heap.alloc(n * n);
    return {
      step: () => gemmF32(A, 0, n, false, B, 0, n, false, C, 0, n, n, n, n, false),
      free: () => {
        heap.free(A);
        heap.free(B);
        heap.free(C);
      },
    };
  };
}

function matmulRows(ctx: Context, threads: number): Promise<Row[]> {
  return (async () => {
    const rows: Row[] = [];
    for (const n of [256, 1024]) {
      ctx.log(`wasm matmul ${n}, ${threads} thread(s)`);
      const a = randomArray(n * n, 61),
        b = randomArray(n * n, 62);
      const reps = n === 256 ? 10 : 2;
      const plan = ctx.quick ? { warmup: 2, rounds: 3, perRound: Math.max(1, reps >> 1) } : { warmup: 3, rounds: 5, perRound: reps };
      const jsMake = (): (() => void) => {
        const C = new Float32Array(n * n);
        return () => gemm(a, 0, n, false, b, 0, n, false, C, 0, n, n, n, n, false);
      };
      const tfMake = (t: Tf, keep: Keep): (() => void) => {
        const A = keep(t.tensor2d(a, [n, n])),
          B = keep(t.tensor2d(b, [n, n]));
        return () => {
          const c = t.matMul(A, B);
          c.dataSync();
          c.dispose();
        };
      };
      const { timings, errors } = await compare([ndSide(jsMake), ndWasmSide(wasmMatmul(a, b, n)), tfSide("wasm", tfMake), jaxSide(jaxMatmul(a, b, n))], plan);
      const flop = 2 * n * n * n;
      rows.push(
        rowFrom(
          {
            id: `wasm-matmul-${n}-t${threads}`,
            workload: "wasm",
            label: `matmul ${n} fp32 kernel, ${threads} thread${threads > 1 ? "s" : ""}`,
            unit: "GFLOP/s",
            target: { op: ">=", value: threads > 1 ? 40 : 20 },
            targetSide: "ndgrad-wasm",
            detail:
              "ndgrad: gemm (JS) / gemmF32 (wasm) kernels into a preallocated C; tfjs-wasm tf.matMul + dataSync; jax-js jit(np.matmul) + dataSync (both 1 thread in Node)",
          },
          timings,
          errors,
          {},
          (ms) => flop / (ms * 1e6),
        ),
      );
    }
    return rows;
  })();
}

type Rule = "lion" | "adamw";

function jsPass(rule: Rule, threads: number): () => () => void {
  return () => {
    const v = allocateShared("float32", N) as Float32Array,
      g = allocateShared("float32", N) as Float32Array;
    const m = allocateShared("float32", N) as Float32Array,
      u = allocateShared("float32", N) as Float32Array;
    fillRandom(v, 51);
    fillRandom(g, 52, 0.01);
    let t = 0;
    if (rule === "lion") {
      return threads > 1 ? () => parallelFor(LION.f32, [v, g, m], [LR, 0.9, 0.99, WD], N) : () => lionF32(v, g, m, LR, 0.9, 0.99, WD);
    }
    return () => {
      const alpha = adamAlphaF32(LR, 0.9, 0.999, ++t);
      if (threads > 1) parallelFor(ADAM.f32, [v, g, m, u], [alpha, 0.9, 0.999, 1e-7, WD, LR], N);
      else adamF32(v, g, m, u, alpha, 0.9, 0.999, 1e-7, WD, LR);
    };
  };
}

function wasmPass(rule: Rule): () => { step: () => void; free: () => void } {
  return () => {
    const { heap } = wasmKernels();
    const v = heap.alloc(N),
      g = heap.alloc(N),
      m = heap.alloc(N),
      u = heap.alloc(N);
    fillRandom(v, 51);
    fillRandom(g, 52, 0.01);
    let t = 0;
    const free = () => {
      for (const a of [v, g, m, u]) heap.free(a);
    };
    if (rule === "lion") return { step: () => W.lionF32(v, g, m, LR, 0.9, 0.99, WD), free };
    return { step: () => W.adamF32(v, g, m, u, adamAlphaF32(LR, 0.9, 0.999, ++t), 0.9, 0.999, 1e-7, WD, LR), free };
  };
}

async function optimizerRows(ctx: Context, threads: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const rule of ["lion", "adamw"] as const) {
    ctx.log(`wasm ${rule} 10M, ${threads} thread(s)`);
    const plan = ctx.quick ? { warmup: 2, rounds: 3, perRound: 2 } : { warmup: 3, rounds: 5, perRound: 4 };
    const { timings, errors } = await compare([ndSide(jsPass(rule, threads)), ndWasmSide(wasmPass(rule))], plan);
    const skipped: Partial<Record<Side, string>> = { "tfjs-wasm": "see the lion-10m / adamw-10m rows", "jax-js": "not measured" };
    rows.push(
      rowFrom(
        {
          id: `wasm-${rule}-10m-t${threads}`,
          workload: "wasm",
          label: `${rule === "lion" ? "Lion" : "AdamW"} pass 10M kernel, ${threads} thread${threads > 1 ? "s" : ""}`,
          unit: "ms",
          target: threads > 1 ? { op: "<=", value: rule === "lion" ? 12 : 18 } : undefined,
          targetSide: "ndgrad-wasm",
          detail: `ndgrad: the fused ${rule === "lion" ? "lionF32" : "adamF32 (wd 0.004)"} kernel only, JS (parallelFor over shared arrays) vs wasm (its pool, buffers in the wasm heap)`,
        },
        timings,
        errors,
        skipped,
      ),
    );
  }
  return rows;
}

export const wasmKernelsWorkload: Workload = {
  name: "wasm",
  summary: "ndgrad's wasm kernels vs its JS kernels (matmul 256/1024, Lion/AdamW 10M), 1 and 2 threads",
  async run(ctx: Context): Promise<Row[]> {
    const before = getNumThreads();
    const rows: Row[] = [];
    try {
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        if (threads > 1) wasmPool().waitReady();
        rows.push(...(await matmulRows(ctx, threads)), ...(await optimizerRows(ctx, threads)));
      }
    } finally {
      setNumThreads(before);
    }
    return rows;
  },
};
