/**
 * The study spec and its validation. A study names a dataset and its splits, a model, a training
 * budget, batch sizes, seeds, a schedule and, per optimizer, a grid: every list under an
 * optimizer is a grid axis crossed with the others. Everything is checked before any run starts;
 * an error names the key and shows the value (`lab: study.seeds[1] must be an integer, got 1.5`).
 */
import { badValue, show } from "./show";
import { datasetDef, datasetNames, DataSpec } from "./data";
import { parseModel } from "./models";
import { OPTIMIZER_KEYS, checkOptimizerPoint, expandGrid } from "./grid";

/** Training length: exactly one of epochs, steps or examples (examples compare batch sizes fairly). */
export interface Budget {
  epochs?: number;
  steps?: number;
  examples?: number;
}

/** The peak learning rate of each configuration, shaped over the run's steps. */
export interface ScheduleSpec {
  /** Fraction of the steps spent in linear warmup from 0, in [0, 1) (default 0.05). */
  warmup?: number;
  /** After warmup: "cosine" (to alpha x peak, default), "linear" (to alpha x peak) or "constant". */
  decay?: "cosine" | "linear" | "constant";
  /** The final learning rate as a fraction of the peak, in [0, 1] (default 0.1). */
  alpha?: number;
}

/** A grid: option name to a value or a list of values (a grid axis). */
export type OptimizerGrid = Record<string, unknown>;

/** A study, as written in a JSON file (see lab/README section in the repository README). */
export interface Study {
  name: string;
  data: DataSpec;
  model: string;
  budget: Budget;
  batchSizes: number[];
  seeds: number[];
  schedule?: ScheduleSpec;
  optimizers: Record<string, OptimizerGrid>;
  /** Validation accuracy for "time to target" in the report (default: 99% of the worse chosen optimizer's). */
  targetAccuracy?: number;
  /** Batch size for validation and test evaluation (default 1000). */
  evalBatchSize?: number;
}

const STUDY_KEYS = ["name", "data", "model", "budget", "batchSizes", "seeds", "schedule", "optimizers", "targetAccuracy", "evalBatchSize"];
const DATA_KEYS = ["dataset", "train", "validation", "test", "splitSeed", "noise"];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function knownKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new Error(`lab: ${where} has an unknown key ${JSON.stringify(k)} (allowed: ${allowed.join(", ")})`);
  }
}

function int(where: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER, note = ""): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    badValue(where, `an integer in [${min}, ${max}]${note}`, v);
  }
  return v;
}

function num(where: string, v: unknown, min: number, max: number, maxOpen = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (maxOpen && v === max)) {
    badValue(where, `a number in [${min}, ${max}${maxOpen ? ")" : "]"}`, v);
  }
  return v;
}

function list(where: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) badValue(where, "a list", v);
  if (v.length === 0) badValue(where, "a non-empty list (an empty grid has no runs)", v);
  return v;
}

function checkData(raw: unknown): DataSpec {
  if (!isObject(raw)) badValue("study.data", "an object { dataset, train, validation, test }", raw);
  knownKeys("study.data", raw, DATA_KEYS);
  const name = raw.dataset;
  const def = typeof name === "string" ? datasetDef(name) : undefined;
  if (!def) badValue("study.data.dataset", `one of ${datasetNames().join(", ")}`, name);
  const why = def.unavailable();
  if (why) throw new Error(`lab: study.data.dataset ${show(name)} cannot be loaded here: ${why}`);
  const pool = def.pool;
  const validation = int("study.data.validation", raw.validation, 1, pool === null ? 10_000_000 : pool);
  if (pool === null && raw.train === undefined) badValue("study.data.train", `a positive integer (${name} is generated, so its size must be given)`, raw.train);
  const room = pool === null ? 10_000_000 : pool - validation;
  if (room < 1) throw new Error(`lab: study.data.validation ${validation} leaves no training data (the ${name} training pool has ${pool})`);
  const train =
    raw.train === undefined
      ? room
      : int("study.data.train", raw.train, 1, room, pool === null ? "" : ` (${name}'s ${pool} training images minus the ${validation} of validation)`);
  const test = int("study.data.test", raw.test, 1, def.testPool ?? 10_000_000);
  const out: DataSpec = { dataset: name as string, train, validation, test };
  if (raw.splitSeed !== undefined) out.splitSeed = int("study.data.splitSeed", raw.splitSeed, 0, 2 ** 32 - 1);
  if (raw.noise !== undefined) {
    if (pool !== null) badValue("study.data.noise", `absent for ${name} (only synthetic sets take noise)`, raw.noise);
    out.noise = num("study.data.noise", raw.noise, 0, 10);
  }
  return out;
}

function checkBudget(raw: unknown): Budget {
  if (!isObject(raw)) badValue("study.budget", "an object with one of epochs, steps, examples", raw);
  knownKeys("study.budget", raw, ["epochs", "steps", "examples"]);
  const keys = Object.keys(raw);
  if (keys.length !== 1) badValue("study.budget", "exactly one of epochs, steps, examples", raw);
  const k = keys[0] as keyof Budget;
  return { [k]: int(`study.budget.${k}`, raw[k], 1) };
}

function checkSchedule(raw: unknown): ScheduleSpec {
  if (raw === undefined) return {};
  if (!isObject(raw)) badValue("study.schedule", "an object { warmup?, decay?, alpha? }", raw);
  knownKeys("study.schedule", raw, ["warmup", "decay", "alpha"]);
  const out: ScheduleSpec = {};
  if (raw.warmup !== undefined) out.warmup = num("study.schedule.warmup", raw.warmup, 0, 1, true);
  if (raw.decay !== undefined) {
    if (raw.decay !== "cosine" && raw.decay !== "linear" && raw.decay !== "constant")
      badValue("study.schedule.decay", `"cosine", "linear" or "constant"`, raw.decay);
    out.decay = raw.decay;
  }
  if (raw.alpha !== undefined) out.alpha = num("study.schedule.alpha", raw.alpha, 0, 1);
  return out;
}

function checkOptimizers(raw: unknown): Record<string, OptimizerGrid> {
  if (!isObject(raw) || Object.keys(raw).length === 0)
    badValue("study.optimizers", `an object with at least one of ${Object.keys(OPTIMIZER_KEYS).join(", ")}`, raw);
  knownKeys("study.optimizers", raw, Object.keys(OPTIMIZER_KEYS));
  for (const [name, grid] of Object.entries(raw)) {
    const where = `study.optimizers.${name}`;
    if (!isObject(grid)) badValue(where, "an object of options (a list is a grid axis)", grid);
    knownKeys(where, grid, OPTIMIZER_KEYS[name]);
    for (const [key, v] of Object.entries(grid)) {
      if (key === "fromAdamW") {
        if (name !== "lion") badValue(`${where}.fromAdamW`, "used under lion only", v);
        if (!("adamw" in raw)) badValue(`${where}.fromAdamW`, "used with an adamw grid in the same study (it scales AdamW's chosen setting)", v);
        if ("learningRate" in grid || "weightDecay" in grid) badValue(`${where}`, "either fromAdamW or learningRate/weightDecay, not both", Object.keys(grid));
        if (!isObject(v)) badValue(`${where}.fromAdamW`, "an object { lrFactor?, wdFactor? }", v);
        knownKeys(`${where}.fromAdamW`, v, ["lrFactor", "wdFactor"]);
        for (const [f, fv] of Object.entries(v)) if (Array.isArray(fv)) list(`${where}.fromAdamW.${f}`, fv);
      } else if (Array.isArray(v)) list(`${where}.${key}`, v);
    }
    expandGrid(grid).forEach((point, i) => checkOptimizerPoint(name, point, `${where} (grid point ${i + 1}: ${show(point)})`));
  }
  return raw as Record<string, OptimizerGrid>;
}

/**
 * Checks a study (parsed JSON or a module's object) and returns it with defaults filled in.
 * Throws on the first problem, naming the key and the value.
 * @example const study = checkStudy(JSON.parse(fs.readFileSync("lab/studies/quick.json", "utf8")));
 */
export function checkStudy(raw: unknown): Study {
  if (!isObject(raw)) badValue("study", "an object", raw);
  knownKeys("study", raw, STUDY_KEYS);
  if (typeof raw.name !== "string" || !/^[A-Za-z0-9._-]+$/.test(raw.name)) badValue("study.name", "a name of letters, digits, '.', '_' or '-'", raw.name);
  const data = checkData(raw.data);
  if (typeof raw.model !== "string") badValue("study.model", `"mlp", "cnn" or sizes such as "mlp-256-128"`, raw.model);
  parseModel(raw.model, datasetDef(data.dataset)!.image, "study.model");
  const budget = checkBudget(raw.budget);
  const batchSizes = list("study.batchSizes", raw.batchSizes).map((b, i) => int(`study.batchSizes[${i}]`, b, 1, data.train!, " (the training split)"));
  const seeds = list("study.seeds", raw.seeds).map((s, i) => int(`study.seeds[${i}]`, s, 0, 2 ** 31 - 1));
  for (const [what, arr] of [
    ["batchSizes", batchSizes],
    ["seeds", seeds],
  ] as const) {
    const dup = arr.find((v, i) => arr.indexOf(v) !== i);
    if (dup !== undefined) badValue(`study.${what}`, "a list without repeats", arr);
  }
  const study: Study = {
    name: raw.name,
    data,
    model: raw.model,
    budget,
    batchSizes,
    seeds,
    schedule: checkSchedule(raw.schedule),
    optimizers: checkOptimizers(raw.optimizers),
  };
  if (raw.targetAccuracy !== undefined) study.targetAccuracy = num("study.targetAccuracy", raw.targetAccuracy, 0, 1);
  if (raw.evalBatchSize !== undefined) study.evalBatchSize = int("study.evalBatchSize", raw.evalBatchSize, 1);
  return study;
}
