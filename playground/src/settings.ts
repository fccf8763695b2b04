/**
 * Every setting of the playground, declared once: its label, kind, range and default. The
 * controls, the URL hash and validation are all driven by this table, so a setting cannot be
 * shown without being shareable, or shared without being checked.
 *
 * Keys are flat strings: `surface`, `s.lion.lr` (surface panel, Lion's learning rate),
 * `c.adamw.beta2` (classifier panel), ... Optimizer settings are per panel because a good
 * learning rate for a 2-parameter valley is not one for an MLP.
 */

export type Value = number | boolean | string;

export interface NumberSpec {
  kind: "number";
  label: string;
  min: number;
  max: number;
  step: number;
  default: number;
  integer?: boolean;
}
export interface BoolSpec {
  kind: "bool";
  label: string;
  default: boolean;
}
export interface ChoiceSpec {
  kind: "choice";
  label: string;
  options: readonly string[];
  default: string;
}
/** Hidden-layer widths as "16,16": 1 to 4 layers of 1 to 64 units. */
export interface WidthsSpec {
  kind: "widths";
  label: string;
  default: string;
}
export type Spec = NumberSpec | BoolSpec | ChoiceSpec | WidthsSpec;

/** The optimizers, in display order. */
export const OPTIMIZERS = ["lion", "adamw", "adam", "sgd"] as const;
export type OptimizerId = (typeof OPTIMIZERS)[number];
/** Display names (`OPTIMIZER_LABEL.adamw` is "AdamW"). */
export const OPTIMIZER_LABEL: Record<OptimizerId, string> = { lion: "Lion", adamw: "AdamW", adam: "Adam", sgd: "SGD" };

/** The surface menu, the data-set menu, the activations and the panels. */
export const SURFACES = ["rosenbrock", "beale", "saddle", "quadratic", "rastrigin"] as const;
export const DATASETS = ["moons", "circles", "spirals", "xor", "blobs"] as const;
export const ACTIVATIONS = ["relu", "tanh", "gelu", "sigmoid"] as const;
export const PANELS = ["surface", "classifier"] as const;
export type Panel = (typeof PANELS)[number];

const num = (label: string, min: number, max: number, step: number, def: number, integer = false): NumberSpec => ({
  kind: "number",
  label,
  min,
  max,
  step,
  default: def,
  integer,
});

/** Defaults per panel and optimizer: learning rate, weight decay, enabled. */
const OPTIMIZER_DEFAULTS: Record<"s" | "c", Record<OptimizerId, { lr: number; wd: number; on: boolean }>> = {
  // Lion's lr is AdamW's / 3 and its decay AdamW's x 3 (the 3-10x rule at its gentle end).
  s: { lion: { lr: 0.01, wd: 0, on: true }, adamw: { lr: 0.03, wd: 0, on: true }, adam: { lr: 0.03, wd: 0, on: true }, sgd: { lr: 0.0005, wd: 0, on: true } },
  c: {
    lion: { lr: 0.01, wd: 0.03, on: true },
    adamw: { lr: 0.03, wd: 0.01, on: true },
    adam: { lr: 0.03, wd: 0, on: false },
    sgd: { lr: 0.1, wd: 0, on: false },
  },
};

function optimizerSpecs(panel: "s" | "c"): Record<string, Spec> {
  const out: Record<string, Spec> = {};
  for (const id of OPTIMIZERS) {
    const d = OPTIMIZER_DEFAULTS[panel][id];
    const p = `${panel}.${id}.`;
    out[`${p}on`] = { kind: "bool", label: `show ${OPTIMIZER_LABEL[id]}`, default: d.on };
    // The range is wide on purpose: a learning rate far too large is a lesson (divergence), not a typo.
    out[`${p}lr`] = num("learning rate", 1e-6, 1000, 0.001, d.lr);
    if (id === "sgd") {
      out[`${p}momentum`] = num("momentum", 0, 0.999, 0.01, 0.9);
      out[`${p}nesterov`] = { kind: "bool", label: "nesterov", default: false };
    } else {
      out[`${p}beta1`] = num("beta1", 0, 1, 0.01, 0.9);
      out[`${p}beta2`] = num("beta2", 0, 1, 0.001, id === "lion" ? 0.99 : 0.999);
    }
    out[`${p}wd`] = num("weight decay", 0, 10, 0.001, d.wd);
    if (id === "lion") out[`${p}factor`] = num("3-10x factor", 1, 10, 1, 3);
  }
  return out;
}

/** The whole table, in the order the URL hash lists it (`SPECS["c.batch"].max` is 256). */
export const SPECS: Record<string, Spec> = {
  panel: { kind: "choice", label: "panel", options: PANELS, default: "surface" },
  surface: { kind: "choice", label: "surface", options: SURFACES, default: "rosenbrock" },
  "s.noise": num("gradient noise", 0, 2, 0.05, 0),
  "s.startX": num("start x", -6, 6, 0.01, -1.5),
  "s.startY": num("start y", -6, 6, 0.01, 2),
  "s.speed": num("steps per frame", 1, 50, 1, 4, true),
  "s.steps": num("steps to run", 10, 20000, 10, 2000, true),
  "s.seed": num("noise seed", 0, 1e9, 1, 0, true),
  ...optimizerSpecs("s"),
  dataset: { kind: "choice", label: "data set", options: DATASETS, default: "moons" },
  "c.noise": num("data noise", 0, 1, 0.01, 0.1),
  "c.samples": num("samples", 50, 2000, 50, 400, true),
  "c.train": num("train fraction", 0.1, 0.9, 0.05, 0.7),
  "c.widths": { kind: "widths", label: "hidden widths", default: "16,16" },
  "c.activation": { kind: "choice", label: "activation", options: ACTIVATIONS, default: "tanh" },
  "c.batch": num("batch size", 1, 256, 1, 32, true),
  "c.steps": num("steps to run", 100, 100000, 100, 5000, true),
  "c.seed": num("seed", 0, 1e9, 1, 0, true),
  ...optimizerSpecs("c"),
};

export type Settings = Record<string, Value>;

/**
 * A fresh copy of every default.
 * @example defaultSettings()["s.lion.lr"] // 0.01
 */
export function defaultSettings(): Settings {
  const s: Settings = {};
  for (const [k, spec] of Object.entries(SPECS)) s[k] = spec.default;
  return s;
}

/**
 * How a number reads in a message: as it is (NaN as NaN, never JSON).
 * @example showNumber(NaN) // "NaN"
 */
export function showNumber(v: number): string {
  return String(v);
}

/**
 * The widths "16, 16" as [16, 16], or an error message.
 * @example parseWidths("8, 4") // [8, 4]
 */
export function parseWidths(text: string): number[] | string {
  const parts = text.split(",").map((p) => p.trim());
  const widths = parts.map(Number);
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === "") || widths.some((w) => !Number.isInteger(w) || w < 1 || w > 64)) {
    return `must be 1 to 4 comma-separated whole numbers from 1 to 64 (e.g. 16,16), got "${text}"`;
  }
  return widths;
}

/**
 * Checks a raw value (a string from a field or the hash, or an already typed value) against
 * its spec. Returns the typed value, or `{ error }` with what is wrong and what is allowed.
 * @example checkValue("c.batch", "512") // { error: "batch size must be from 1 to 256, got 512" }
 */
export function checkValue(key: string, raw: unknown): { value: Value } | { error: string } {
  const spec = SPECS[key];
  if (!spec) return { error: `unknown setting "${key}"` };
  const name = describe(key);
  switch (spec.kind) {
    case "number": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      const shown = typeof raw === "number" ? showNumber(raw) : `"${String(raw)}"`;
      if (!Number.isFinite(n)) return { error: `${name} must be a number from ${spec.min} to ${spec.max}, got ${shown}` };
      if (n < spec.min || n > spec.max) return { error: `${name} must be from ${spec.min} to ${spec.max}, got ${showNumber(n)}` };
      if (spec.integer && !Number.isInteger(n)) return { error: `${name} must be a whole number, got ${showNumber(n)}` };
      return { value: n };
    }
    case "bool":
      if (raw === true || raw === "1" || raw === "true") return { value: true };
      if (raw === false || raw === "0" || raw === "false") return { value: false };
      return { error: `${name} must be 0 or 1, got "${String(raw)}"` };
    case "choice":
      if (typeof raw === "string" && spec.options.includes(raw)) return { value: raw };
      return { error: `${name} must be one of ${spec.options.join(", ")}, got "${String(raw)}"` };
    case "widths": {
      const w = parseWidths(String(raw));
      return typeof w === "string" ? { error: `${name} ${w}` } : { value: w.join(",") };
    }
  }
}

/**
 * The words a message uses for a key.
 * @example describe("s.lion.lr") // "Lion learning rate (surfaces)"
 */
export function describe(key: string): string {
  const spec = SPECS[key];
  const parts = key.split(".");
  if (parts.length === 3) {
    const panel = parts[0] === "s" ? "surfaces" : "classifier";
    return `${OPTIMIZER_LABEL[parts[1] as OptimizerId]} ${spec.label} (${panel})`;
  }
  return spec ? spec.label : key;
}

/** The settings of one optimizer on one panel, typed. */
export interface OptimizerSettings {
  id: OptimizerId;
  on: boolean;
  lr: number;
  beta1: number;
  beta2: number;
  wd: number;
  momentum: number;
  nesterov: boolean;
}

/**
 * Reads one optimizer's settings for panel "s" or "c".
 * @example optimizerSettings(defaultSettings(), "c", "lion").wd // 0.03
 */
export function optimizerSettings(s: Settings, panel: "s" | "c", id: OptimizerId): OptimizerSettings {
  const p = `${panel}.${id}.`;
  const n = (k: string, d: number) => (typeof s[p + k] === "number" ? (s[p + k] as number) : d);
  return {
    id,
    on: s[`${p}on`] === true,
    lr: n("lr", 0),
    beta1: n("beta1", 0.9),
    beta2: n("beta2", 0.999),
    wd: n("wd", 0),
    momentum: n("momentum", 0),
    nesterov: s[`${p}nesterov`] === true,
  };
}
