/** What a workload reports: rows of the results table (and of bench/results/latest.json). */

/**
 * "ndgrad" is the library as users run it (its default backend: "wasm" where the module
 * validates); "ndgrad-js" the same code on `setBackend("js")`; "ndgrad-wasm" the WebAssembly SIMD
 * kernels of core/wasm called directly on heap buffers (no tape, no ops); "jax-js"
 * is @jax-js/jax on its wasm device (single-threaded under Node: it needs a web Worker).
 */
export const SIDES = ["ndgrad", "ndgrad-js", "ndgrad-wasm", "tfjs-cpu", "tfjs-wasm", "jax-js"] as const;
export type Side = (typeof SIDES)[number];

/**
 * A row's target: a bound on the target side's figure (`op`, `value`), and/or how many times better
 * than other sides it must be (`timesBetter`: side -> factor, as the "x vs" columns count).
 */
export interface Target {
  /** "<=" for times and bytes, ">=" for throughput. */
  op?: "<=" | ">=";
  value?: number;
  timesBetter?: Partial<Record<Side, number>>;
}

export interface Row {
  /** Stable key, compared across runs: "mlp", "matmul-512", ... */
  id: string;
  /** The workload (`--only` name) that produced it. */
  workload: string;
  label: string;
  unit: "ms" | "us/op" | "GFLOP/s" | "B/param";
  /** Median per call (or the throughput / size), null when the side did not run. */
  values: Partial<Record<Side, number | null>>;
  /** min..max of the per-round medians, in `unit`. */
  spread?: Partial<Record<Side, [number, number]>>;
  /** Why a side shows n/a. */
  notes?: Partial<Record<Side, string>>;
  target?: Target;
  /** The side the target is for (default "ndgrad"). */
  targetSide?: Side;
  /** What exactly ran (optimizer, shapes ...). */
  detail?: string;
}

export interface Context {
  quick: boolean;
  /** Print progress lines. */
  log: (s: string) => void;
}

export interface Workload {
  name: string;
  summary: string;
  run: (ctx: Context) => Promise<Row[]>;
}

/** Larger is better for this unit (then the ratio is ndgrad / tfjs). */
export function higherIsBetter(unit: Row["unit"]): boolean {
  return unit === "GFLOP/s";
}
