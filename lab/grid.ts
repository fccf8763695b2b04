/**
 * Grids of optimizer options: which options each optimizer takes, the crossing of list-valued
 * options into configurations, building an optimizer from one, and the key that names a run.
 */
import { createHash } from "crypto";
import { optim } from "ndgrad";

const COMMON = [
  "learningRate",
  "weightDecay",
  "clipNorm",
  "clipValue",
  "globalClipNorm",
  "useEma",
  "emaMomentum",
  "emaOverwriteFrequency",
  "gradientAccumulationSteps",
];

/** The options a study may give (or grid over) per optimizer. @example OPTIMIZER_KEYS.lion.includes("beta2") // true */
export const OPTIMIZER_KEYS: Record<string, readonly string[]> = {
  adamw: [...COMMON, "beta1", "beta2", "epsilon", "amsgrad"],
  adam: [...COMMON, "beta1", "beta2", "epsilon", "amsgrad"],
  lion: [...COMMON, "beta1", "beta2", "fromAdamW"],
  sgd: [...COMMON, "momentum", "nesterov"],
};

/** The display names used in tables. @example OPTIMIZER_TITLES.adamw // "AdamW" */
export const OPTIMIZER_TITLES: Record<string, string> = { adamw: "AdamW", adam: "Adam", lion: "Lion", sgd: "SGD" };

/** One configuration: option name to a single value (`fromAdamW` to its single factors). */
export type Config = Record<string, unknown>;

function cross(axes: [string, unknown[]][]): Config[] {
  let points: Config[] = [{}];
  for (const [key, values] of axes) points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return points;
}

/**
 * Every configuration of a grid: each list is an axis, crossed with the others, in the order written.
 * @example expandGrid({ learningRate: [1e-3, 3e-3], weightDecay: 0.1 }).length // 2
 */
export function expandGrid(grid: Record<string, unknown>): Config[] {
  const axes: [string, unknown[]][] = [];
  for (const [key, v] of Object.entries(grid)) {
    if (key === "fromAdamW" && typeof v === "object" && v !== null && !Array.isArray(v)) {
      const inner = cross(Object.entries(v).map(([f, fv]) => [f, Array.isArray(fv) ? fv : [fv]]));
      axes.push([key, inner]);
    } else axes.push([key, Array.isArray(v) ? v : [v]]);
  }
  return cross(axes);
}

/** A learning-rate schedule built for one run from its peak value. */
export type ScheduleFor = (peak: number) => optim.LearningRate;

/**
 * The optimizer of one configuration. `fromAdamW` configurations need `base`, the AdamW
 * configuration they scale (the lab passes AdamW's chosen one); the schedule is applied to
 * AdamW's peak and then scaled as a whole by `Lion.fromAdamW`.
 * @example buildOptimizer("lion", { learningRate: 3e-4, weightDecay: 1 }, (peak) => peak)
 */
export function buildOptimizer(name: string, config: Config, schedule: ScheduleFor, base?: Config): optim.Optimizer {
  const opts: Record<string, unknown> = { ...config };
  if (typeof opts.learningRate === "number") opts.learningRate = schedule(opts.learningRate);
  if (name === "lion" && opts.fromAdamW !== undefined) {
    if (!base) throw new Error("lab: a fromAdamW configuration needs the AdamW configuration it scales");
    const factors = opts.fromAdamW as optim.FromAdamWFactors;
    delete opts.fromAdamW;
    const adamw: Record<string, unknown> = { ...base };
    for (const k of ["beta1", "beta2", "epsilon", "amsgrad"]) delete adamw[k];
    if (typeof adamw.learningRate === "number") adamw.learningRate = schedule(adamw.learningRate);
    // Lion-only options of the grid (betas) go with the factors; nothing else may sit next to fromAdamW.
    return optim.Lion.fromAdamW(adamw, { ...factors, ...opts });
  }
  switch (name) {
    case "adamw":
      return new optim.AdamW(opts);
    case "adam":
      return new optim.Adam(opts);
    case "lion":
      return new optim.Lion(opts);
    case "sgd":
      return new optim.SGD(opts);
    default:
      throw new Error(`lab: unknown optimizer ${JSON.stringify(name)} (allowed: ${Object.keys(OPTIMIZER_KEYS).join(", ")})`);
  }
}

/**
 * The peak learning rate and weight decay a configuration really uses (fromAdamW resolved).
 * @example effectiveLrWd("lion", { fromAdamW: { lrFactor: 0.1 } }, { learningRate: 3e-3, weightDecay: 0.01 }) // { lr: 3e-4, wd: 0.05 }
 */
export function effectiveLrWd(name: string, config: Config, base?: Config): { lr: number; wd: number } {
  const defaults: Record<string, [number, number]> = { adamw: [0.001, 0.004], adam: [0.001, 0], lion: [0.001, 0], sgd: [0.01, 0] };
  if (config.fromAdamW !== undefined && base) {
    const f = config.fromAdamW as optim.FromAdamWFactors;
    const b = effectiveLrWd("adamw", base);
    return { lr: b.lr * (f.lrFactor ?? optim.FROM_ADAMW_DEFAULTS.lrFactor), wd: b.wd * (f.wdFactor ?? optim.FROM_ADAMW_DEFAULTS.wdFactor) };
  }
  const [lr, wd] = defaults[name] ?? [0.001, 0];
  return { lr: typeof config.learningRate === "number" ? config.learningRate : lr, wd: typeof config.weightDecay === "number" ? config.weightDecay : wd };
}

/**
 * Throws a lab error, prefixed with `where`, when one configuration cannot build its optimizer.
 * @example checkOptimizerPoint("lion", { beta1: 1.5 }, "study.optimizers.lion") // throws "...Lion: beta1 must be in (0, 1], got 1.5"
 */
export function checkOptimizerPoint(name: string, config: Config, where: string): void {
  try {
    buildOptimizer(name, config, (peak) => peak, { learningRate: 1e-3, weightDecay: 0.01 });
  } catch (e) {
    throw new Error(`lab: ${where}: ${(e as Error).message}`);
  }
}

/**
 * JSON with sorted keys, so equal objects give equal text (and equal hashes).
 * @example canonical({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * A short stable hash of a value (sha256 of its canonical JSON, 16 hex digits).
 * @example hashOf({ a: 1 }).length // 16
 */
export function hashOf(v: unknown): string {
  return createHash("sha256").update(canonical(v)).digest("hex").slice(0, 16);
}
