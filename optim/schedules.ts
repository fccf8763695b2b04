/**
 * Learning-rate schedules with Keras 3's formulas (`keras.optimizers.schedules`).
 *
 * Keras computes a schedule in the dtype of `initial_learning_rate`, float32 for a Python float,
 * so every arithmetic step here is rounded with `Math.fround` (`f`) the way a float32 tensor op
 * rounds; that keeps `valueAt` equal to Keras's numbers, not just close.
 *
 * An optimizer evaluates its schedule with the raw count of `apply` calls taken so far
 * (micro-steps included under gradient accumulation), before that count moves.
 *
 * @example
 * const lr = new schedules.CosineDecay({ initialLearningRate: 0, decaySteps: 1000, warmupTarget: 1e-3, warmupSteps: 100 });
 * const opt = new Lion({ learningRate: lr });
 * lr.valueAt(50) // 0.0005
 */
import { checkBoolean, checkNumber, checkOptionKeys, checkOptions, fail, show } from "../core/check";

const f = Math.fround;

/** The base of every schedule: `valueAt(step)` plus Keras-compatible (snake_case) config. */
export abstract class LearningRateSchedule {
  /** The learning rate at `step` (the optimizer's raw iteration count, from 0). */
  abstract valueAt(step: number): number;
  /** Keras's `get_config()`: snake_case keys, loadable by Keras's `from_config`. */
  abstract getConfig(): Record<string, unknown>;
  /** Keras's class name, used by `serializeSchedule`. */
  abstract readonly className: string;
}

/** True for a schedule instance or any object with a `valueAt(step)` method. */
export function isSchedule(x: unknown): x is LearningRateSchedule {
  return typeof x === "object" && x !== null && typeof (x as LearningRateSchedule).valueAt === "function";
}

function checkStep(owner: string, step: number): number {
  return checkNumber(owner, "step", step, { min: 0 });
}

/** Maps a Keras config (snake_case keys) to camelCase options, rejecting unknown keys. */
function optionsFromConfig(owner: string, config: Record<string, unknown>, keys: Record<string, string>): Record<string, unknown> {
  if (typeof config !== "object" || config === null) fail(owner, "config", "an object", config);
  checkOptionKeys(owner, config, Object.keys(keys), "config key");
  const out: Record<string, unknown> = {};
  for (const [snake, camel] of Object.entries(keys)) if (config[snake] !== undefined) out[camel] = config[snake];
  return out;
}

function checkName(owner: string, v: unknown, dflt: string): string {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string") fail(owner, "name", "a string", v);
  return v;
}

export interface ExponentialDecayOptions {
  initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean; name?: string;
}
/** InverseTimeDecay takes exactly ExponentialDecay's options. */
export type InverseTimeDecayOptions = ExponentialDecayOptions;

/**
 * The two schedules driven by `p = step / decaySteps` (floored when `staircase`): same options,
 * validation and config (Keras's keys); only the formula in `valueAt` differs.
 */
abstract class RateDecay extends LearningRateSchedule {
  readonly initialLearningRate: number; readonly decaySteps: number; readonly decayRate: number;
  readonly staircase: boolean; readonly name: string;
  static readonly configKeys = { initial_learning_rate: "initialLearningRate", decay_steps: "decaySteps", decay_rate: "decayRate", staircase: "staircase", name: "name" };

  constructor(readonly className: "ExponentialDecay" | "InverseTimeDecay", opts: ExponentialDecayOptions) {
    super();
    const o = className;
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(RateDecay.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.decaySteps = checkNumber(o, "decaySteps", opts.decaySteps, { min: 0, minOpen: true });
    this.decayRate = checkNumber(o, "decayRate", opts.decayRate, { min: 0 });
    this.staircase = checkBoolean(o, "staircase", opts.staircase ?? false);
    this.name = checkName(o, opts.name, className);
  }

  /** `p = step / decaySteps` in float32, floored when `staircase`. */
  protected progress(step: number): number {
    const p = f(f(checkStep(this.className, step)) / f(this.decaySteps));
    return this.staircase ? Math.floor(p) : p;
  }

  getConfig(): Record<string, unknown> {
    return { initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, decay_rate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

/**
 * `lr0 · rate^(step / decaySteps)` (the exponent floored when `staircase`).
 * @example new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 }).valueAt(500)
 */
export class ExponentialDecay extends RateDecay {
  static readonly configKeys = RateDecay.configKeys;

  constructor(opts: ExponentialDecayOptions) {
    super("ExponentialDecay", opts);
  }

  valueAt(step: number): number {
    return f(f(this.initialLearningRate) * f(Math.pow(f(this.decayRate), this.progress(step))));
  }

  static fromConfig(config: Record<string, unknown>): ExponentialDecay {
    return new ExponentialDecay(optionsFromConfig("ExponentialDecay", config, ExponentialDecay.configKeys) as unknown as ExponentialDecayOptions);
  }
}

export interface PiecewiseConstantDecayOptions { boundaries: number[]; values: number[]; name?: string }

/**
 * `values[0]` up to and including `boundaries[0]`, `values[i]` on (b[i-1], b[i]], `values[last]` after.
 * @example new PiecewiseConstantDecay({ boundaries: [100, 200], values: [1e-3, 5e-4, 1e-4] }).valueAt(150) // 5e-4
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = "PiecewiseConstantDecay";
  readonly boundaries: number[]; readonly values: number[]; readonly name: string;
  static readonly configKeys = { boundaries: "boundaries", values: "values", name: "name" };

  constructor(opts: PiecewiseConstantDecayOptions) {
    super();
    const o = "PiecewiseConstantDecay";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(PiecewiseConstantDecay.configKeys));
    const { boundaries, values } = opts;
    if (!Array.isArray(boundaries) || !boundaries.every((b) => Number.isFinite(b))) fail(o, "boundaries", "an array of finite numbers", boundaries);
    if (!Array.isArray(values) || !values.every((v) => Number.isFinite(v) && v >= 0)) fail(o, "values", "an array of finite numbers >= 0", values);
    if (boundaries.length !== values.length - 1) {
      throw new Error(`${o}: the length of boundaries should be 1 less than the length of values, got boundaries=${show(boundaries)} of length ${boundaries.length} and values=${show(values)} of length ${values.length}`);
    }
    this.boundaries = boundaries.slice();
    this.values = values.slice();
    this.name = checkName(o, opts.name, "PiecewiseConstant");
  }

  valueAt(step: number): number {
    const s = checkStep(this.className, step);
    const b = this.boundaries, v = this.values;
    // Keras sums masked values; for increasing boundaries exactly one mask is on.
    if (b.length === 0) return f(v[0]);
    let out = 0;
    if (s <= b[0]) out += f(v[0]);
    for (let i = 1; i < b.length; i++) if (s > b[i - 1] && s <= b[i]) out += f(v[i]);
    if (s > b[b.length - 1]) out += f(v[v.length - 1]);
    return f(out);
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: this.boundaries.slice(), values: this.values.slice(), name: this.name };
  }

  static fromConfig(config: Record<string, unknown>): PiecewiseConstantDecay {
    return new PiecewiseConstantDecay(optionsFromConfig("PiecewiseConstantDecay", config, PiecewiseConstantDecay.configKeys) as unknown as PiecewiseConstantDecayOptions);
  }
}

export interface PolynomialDecayOptions {
  initialLearningRate: number; decaySteps: number; endLearningRate?: number; power?: number; cycle?: boolean; name?: string;
}

/**
 * `(lr0 − end)·(1 − min(step, D)/D)^power + end`; with `cycle`, D grows to the next multiple of itself.
 * @example new PolynomialDecay({ initialLearningRate: 0.05, decaySteps: 10, endLearningRate: 0.001 }).valueAt(5) // 0.0255
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly className = "PolynomialDecay";
  readonly initialLearningRate: number; readonly decaySteps: number; readonly endLearningRate: number;
  readonly power: number; readonly cycle: boolean; readonly name: string;
  static readonly configKeys = { initial_learning_rate: "initialLearningRate", decay_steps: "decaySteps", end_learning_rate: "endLearningRate", power: "power", cycle: "cycle", name: "name" };

  constructor(opts: PolynomialDecayOptions) {
    super();
    const o = "PolynomialDecay";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(PolynomialDecay.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.decaySteps = checkNumber(o, "decaySteps", opts.decaySteps, { min: 0, minOpen: true });
    this.endLearningRate = checkNumber(o, "endLearningRate", opts.endLearningRate ?? 0.0001, { min: 0 });
    this.power = checkNumber(o, "power", opts.power ?? 1.0);
    this.cycle = checkBoolean(o, "cycle", opts.cycle ?? false);
    this.name = checkName(o, opts.name, "PolynomialDecay");
  }

  valueAt(step: number): number {
    let s = f(checkStep(this.className, step));
    let d = f(this.decaySteps);
    if (this.cycle) d = f(d * (s === 0 ? 1 : Math.ceil(f(s / d))));
    else s = Math.min(s, d);
    const p = f(s / d);
    const lr0 = f(this.initialLearningRate), end = f(this.endLearningRate);
    return f(f(f(lr0 - end) * f(Math.pow(f(1 - p), f(this.power)))) + end);
  }

  getConfig(): Record<string, unknown> {
    return { initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, end_learning_rate: this.endLearningRate, power: this.power, cycle: this.cycle, name: this.name };
  }

  static fromConfig(config: Record<string, unknown>): PolynomialDecay {
    return new PolynomialDecay(optionsFromConfig("PolynomialDecay", config, PolynomialDecay.configKeys) as unknown as PolynomialDecayOptions);
  }
}

/**
 * `lr0 / (1 + rate · step / decaySteps)` (the ratio floored when `staircase`).
 * @example new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.96 }).valueAt(10) // 0.0510204
 */
export class InverseTimeDecay extends RateDecay {
  static readonly configKeys = RateDecay.configKeys;

  constructor(opts: InverseTimeDecayOptions) {
    super("InverseTimeDecay", opts);
  }

  valueAt(step: number): number {
    return f(f(this.initialLearningRate) / f(1 + f(f(this.decayRate) * this.progress(step))));
  }

  static fromConfig(config: Record<string, unknown>): InverseTimeDecay {
    return new InverseTimeDecay(optionsFromConfig("InverseTimeDecay", config, InverseTimeDecay.configKeys) as unknown as InverseTimeDecayOptions);
  }
}

export interface CosineDecayOptions {
  initialLearningRate: number; decaySteps: number; alpha?: number; name?: string;
  /** Linear warmup from `initialLearningRate` to this value over `warmupSteps`, then cosine decay from it. */
  warmupTarget?: number | null; warmupSteps?: number;
}

/** `from · ((1 − α)·½(1 + cos(π·s/D)) + α)`, with s clamped to D. */
function cosineDecayed(s: number, d: number, from: number, alpha: number): number {
  const frac = f(s / d);
  const cos = f(f(0.5) * f(1 + f(Math.cos(f(f(Math.PI) * frac)))));
  return f(from * f(f(f(1 - alpha) * cos) + alpha));
}

/**
 * Cosine decay (SGDR without restarts), optionally after a linear warmup.
 * @example new CosineDecay({ initialLearningRate: 1, decaySteps: 1000 }).valueAt(500) // 0.5
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = "CosineDecay";
  readonly initialLearningRate: number; readonly decaySteps: number; readonly alpha: number; readonly name: string;
  readonly warmupTarget: number | null; readonly warmupSteps: number;
  static readonly configKeys = { initial_learning_rate: "initialLearningRate", decay_steps: "decaySteps", alpha: "alpha", name: "name", warmup_target: "warmupTarget", warmup_steps: "warmupSteps" };

  constructor(opts: CosineDecayOptions) {
    super();
    const o = "CosineDecay";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(CosineDecay.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.decaySteps = checkNumber(o, "decaySteps", opts.decaySteps, { min: 0, minOpen: true });
    this.alpha = checkNumber(o, "alpha", opts.alpha ?? 0, { min: 0, max: 1 });
    this.name = checkName(o, opts.name, "CosineDecay");
    this.warmupTarget = opts.warmupTarget === undefined || opts.warmupTarget === null ? null : checkNumber(o, "warmupTarget", opts.warmupTarget, { min: 0 });
    this.warmupSteps = checkNumber(o, "warmupSteps", opts.warmupSteps ?? 0, { min: 0 });
  }

  valueAt(step: number): number {
    const s = f(checkStep(this.className, step));
    const d = f(this.decaySteps), lr0 = f(this.initialLearningRate), alpha = f(this.alpha);
    if (this.warmupTarget === null) return cosineDecayed(Math.min(s, d), d, lr0, alpha);
    const target = f(this.warmupTarget), w = f(this.warmupSteps);
    const sc = Math.min(s, f(d + w));
    if (sc < w) return f(f(f(target - lr0) * f(sc / w)) + lr0);
    return cosineDecayed(f(sc - w), d, target, alpha);
  }

  getConfig(): Record<string, unknown> {
    return { initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, alpha: this.alpha, name: this.name, warmup_target: this.warmupTarget, warmup_steps: this.warmupSteps };
  }

  static fromConfig(config: Record<string, unknown>): CosineDecay {
    return new CosineDecay(optionsFromConfig("CosineDecay", config, CosineDecay.configKeys) as unknown as CosineDecayOptions);
  }
}

export interface CosineDecayRestartsOptions {
  initialLearningRate: number; firstDecaySteps: number; tMul?: number; mMul?: number; alpha?: number; name?: string;
}

/**
 * SGDR: cosine decay restarted every period; periods grow by `tMul`, peaks shrink by `mMul`.
 * @example new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 1000 }).valueAt(1000) // 1 (restart)
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly className = "CosineDecayRestarts";
  readonly initialLearningRate: number; readonly firstDecaySteps: number; readonly tMul: number;
  readonly mMul: number; readonly alpha: number; readonly name: string;
  static readonly configKeys = { initial_learning_rate: "initialLearningRate", first_decay_steps: "firstDecaySteps", t_mul: "tMul", m_mul: "mMul", alpha: "alpha", name: "name" };

  constructor(opts: CosineDecayRestartsOptions) {
    super();
    const o = "CosineDecayRestarts";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(CosineDecayRestarts.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.firstDecaySteps = checkNumber(o, "firstDecaySteps", opts.firstDecaySteps, { min: 0, minOpen: true });
    this.tMul = checkNumber(o, "tMul", opts.tMul ?? 2.0, { min: 0, minOpen: true });
    this.mMul = checkNumber(o, "mMul", opts.mMul ?? 1.0, { min: 0 });
    this.alpha = checkNumber(o, "alpha", opts.alpha ?? 0, { min: 0, max: 1 });
    this.name = checkName(o, opts.name, "SGDRDecay");
  }

  valueAt(step: number): number {
    const s = f(checkStep(this.className, step));
    const tMul = f(this.tMul), mMul = f(this.mMul), alpha = f(this.alpha);
    let frac = f(s / f(this.firstDecaySteps));
    let i: number;
    if (tMul === 1) {
      i = Math.floor(frac);
      frac = f(frac - i);
    } else {
      i = Math.floor(f(f(Math.log(f(1 - f(frac * f(1 - tMul))))) / f(Math.log(tMul))));
      const ti = f(Math.pow(tMul, i));
      const sumR = f(f(1 - ti) / f(1 - tMul));
      frac = f(f(frac - sumR) / ti);
    }
    const mFac = f(Math.pow(mMul, i));
    const cos = f(f(f(0.5) * mFac) * f(1 + f(Math.cos(f(f(Math.PI) * frac)))));
    return f(f(this.initialLearningRate) * f(f(f(1 - alpha) * cos) + alpha));
  }

  getConfig(): Record<string, unknown> {
    return { initial_learning_rate: this.initialLearningRate, first_decay_steps: this.firstDecaySteps, t_mul: this.tMul, m_mul: this.mMul, alpha: this.alpha, name: this.name };
  }

  static fromConfig(config: Record<string, unknown>): CosineDecayRestarts {
    return new CosineDecayRestarts(optionsFromConfig("CosineDecayRestarts", config, CosineDecayRestarts.configKeys) as unknown as CosineDecayRestartsOptions);
  }
}

const registry: Record<string, { fromConfig(c: Record<string, unknown>): LearningRateSchedule }> = {
  ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts,
};

/** Keras's serialised form: `{ module, class_name, config, registered_name }`. */
export interface SerializedSchedule {
  module: string; class_name: string; config: Record<string, unknown>; registered_name: string | null;
}

/** @example serializeSchedule(s) // { module: "keras.optimizers.schedules", class_name: "CosineDecay", config: {...}, registered_name: null } */
export function serializeSchedule(s: LearningRateSchedule): SerializedSchedule {
  return { module: "keras.optimizers.schedules", class_name: s.className, config: s.getConfig(), registered_name: null };
}

/** The inverse of `serializeSchedule` (also accepts a Keras-written dict). */
export function deserializeSchedule(obj: { class_name?: unknown; config?: unknown }): LearningRateSchedule {
  const name = obj?.class_name;
  const cls = typeof name === "string" ? registry[name] : undefined;
  if (!cls) fail("schedules", "class_name", `one of ${Object.keys(registry).join(", ")}`, name);
  return cls.fromConfig((obj.config ?? {}) as Record<string, unknown>);
}
