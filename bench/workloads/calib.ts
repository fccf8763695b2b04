/**
 * (0) Machine calibration: a plain-JS fused Lion loop over 10M float32 (branchless sign,
 * arrays passed as arguments: the "generic kernel" shape of docs/PERFORMANCE.md §1a, where it ran in
 * 30.5–33 ms on an idle machine). Not ndgrad code: the column shows how loaded this machine was
 * during the run — if this row is far above ~31 ms, every absolute figure in the table is inflated
 * by about the same factor (ratios, being measured alternately in the same process, hold better).
 */
import { compare, randomArray } from "../lib/harness";
import { rowFrom } from "../lib/compare-row";
import { Context, Row, Workload } from "../lib/types";

function lionLoop(v: Float32Array, g: Float32Array, m: Float32Array, lr: number, b1: number, b2: number): void {
  const n = v.length;
  for (let k = 0; k < n; k++) {
    const gk = g[k],
      mk = m[k];
    const c = b1 * mk + (1 - b1) * gk;
    v[k] -= lr * (+(c > 0) - +(c < 0));
    m[k] = b2 * mk + (1 - b2) * gk;
  }
}

export const calib: Workload = {
  name: "calib",
  summary: "machine check: plain-JS fused Lion loop, 10M (docs/PERFORMANCE.md: ~31 ms idle)",
  async run(ctx: Context): Promise<Row[]> {
    ctx.log("calib");
    const N = 10_000_000;
    const v = randomArray(N, 1),
      g = randomArray(N, 2, 0.01);
    // staggered views (docs/PERFORMANCE.md §1a trap 3)
    const m = new Float32Array(N + 512).subarray(256);
    const { timings, errors } = await compare(
      [{ name: "ndgrad", run: () => lionLoop(v, g, m, 1e-4, 0.9, 0.99) }],
      ctx.quick ? { warmup: 2, rounds: 3, perRound: 3 } : { warmup: 3, rounds: 5, perRound: 4 },
    );
    return [
      rowFrom(
        {
          id: "calib-lion-loop",
          workload: "calib",
          label: "[machine] plain-JS Lion loop 10M",
          unit: "ms",
          detail: "not ndgrad: reference loop, docs/PERFORMANCE.md 30.5-33 ms on an idle machine; a higher figure means a loaded machine",
        },
        timings,
        errors,
        { "tfjs-cpu": "reference row", "tfjs-wasm": "reference row" },
      ),
    ];
  },
};
