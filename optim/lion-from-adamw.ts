/**
 * Turning an AdamW setting into a Lion one, following the Lion paper's advice (Chen et al. 2023,
 * section 5): Lion's sign update has a larger norm than Adam's, so its learning rate should be
 * 3-10x smaller and, to keep the effective decay strength lr·wd about the same, its weight decay
 * 3-10x larger. The defaults take the geometric middle of that range, lrFactor 0.2 and
 * wdFactor 5, so lr·wd is unchanged.
 *
 * The learning rate is scaled as a whole: a number is multiplied; a Keras schedule is rebuilt
 * with every learning-rate field of its config scaled (peak, warmup target, end value, piecewise
 * values), so it stays serialisable and its shape (warmup, decay steps, alpha) is kept; any other
 * schedule or function is wrapped so that each value it returns is scaled.
 *
 * What carries over: clipping, EMA, gradient accumulation, loss scaling, checkFinite. What does
 * not: AdamW's beta1/beta2/epsilon/amsgrad (Lion's betas mean something else; they keep Lion's
 * defaults 0.9 and 0.99 unless given next to the factors) and the name.
 */
import * as schedules from "./schedules";
import { checkOptionKeys, fail } from "../core/check";
import type { AdamWOptions } from "./adamw";
import { BASE_OPTION_KEYS } from "./base-options";
import type { Hyper, LearningRate } from "./types";

/** How far to move from AdamW: Lion's lr = lrFactor·AdamW's, its wd = wdFactor·AdamW's. */
export interface FromAdamWFactors {
  /** Multiplies the learning rate (schedule included), in (0, ∞); default 0.2 (5x smaller). */
  lrFactor?: number;
  /** Multiplies the weight decay, in (0, ∞); default 5 (5x larger). */
  wdFactor?: number;
  /** Lion's own beta1 (default 0.9): AdamW's betas do not carry over. */
  beta1?: Hyper;
  /** Lion's own beta2 (default 0.99). */
  beta2?: Hyper;
}

/** The defaults of `Lion.fromAdamW`: the geometric middle of the paper's 3-10x advice. @example FROM_ADAMW_DEFAULTS.lrFactor // 0.2 */
export const FROM_ADAMW_DEFAULTS = { lrFactor: 0.2, wdFactor: 5 } as const;

const ADAMW_ONLY = ["beta1", "beta2", "epsilon", "amsgrad", "name"];
// Every base option but the two that are scaled and the name (an optimizer's own) carries over.
const CARRIED = BASE_OPTION_KEYS.filter((k) => k !== "learningRate" && k !== "weightDecay" && k !== "name");
const KERAS_ADAMW_DEFAULTS = { learningRate: 0.001, weightDecay: 0.004 };
const O = "Lion.fromAdamW";

function factor(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) fail(O, name, "a finite number > 0", v);
  return v;
}

/** A schedule whose every value is `factor` times another's (for schedules we cannot rebuild). */
class ScaledSchedule extends schedules.LearningRateSchedule {
  readonly className: string;
  constructor(
    readonly inner: schedules.LearningRateSchedule,
    readonly factor: number,
  ) {
    super();
    this.className = inner.className;
  }
  valueAt(step: number): number {
    return Math.fround(this.inner.valueAt(step) * this.factor);
  }
  getConfig(): Record<string, unknown> {
    return scaledConfig(this.inner.className, this.inner.getConfig(), this.factor) ?? this.inner.getConfig();
  }
}

/** The Keras config of a built-in schedule with its learning-rate fields scaled, or null if unknown. */
function scaledConfig(className: string, c: Record<string, unknown>, k: number): Record<string, unknown> | null {
  const mul = (v: unknown) => (typeof v === "number" ? v * k : v);
  switch (className) {
    case "ExponentialDecay":
    case "InverseTimeDecay":
    case "CosineDecayRestarts":
      return { ...c, initial_learning_rate: mul(c.initial_learning_rate) };
    case "CosineDecay":
      return { ...c, initial_learning_rate: mul(c.initial_learning_rate), warmup_target: c.warmup_target === null ? null : mul(c.warmup_target) };
    case "PolynomialDecay":
      return { ...c, initial_learning_rate: mul(c.initial_learning_rate), end_learning_rate: mul(c.end_learning_rate) };
    case "PiecewiseConstantDecay":
      return { ...c, values: (c.values as number[]).map((v) => v * k) };
    default:
      return null;
  }
}

/**
 * A learning rate (number, schedule or function) multiplied by `k` as a whole.
 * @example scaleLearningRate(new schedules.CosineDecay({ initialLearningRate: 1e-3, decaySteps: 100 }), 0.1).valueAt(0) // 1e-4
 */
export function scaleLearningRate(lr: LearningRate, k: number): LearningRate {
  if (typeof lr === "number") return lr * k;
  if (typeof lr === "function") return () => lr() * k;
  const built = schedules.isSchedule(lr) && typeof lr.getConfig === "function" ? scaledConfig(lr.className, lr.getConfig(), k) : null;
  const exact = built ? safeDeserialize(lr.className, built) : null;
  return exact ?? new ScaledSchedule(lr, k);
}

function safeDeserialize(className: string, config: Record<string, unknown>): schedules.LearningRateSchedule | null {
  try {
    return schedules.deserializeSchedule({ class_name: className, config });
  } catch {
    return null; // a subclass with extra fields: fall back to wrapping it
  }
}

/**
 * Lion options from AdamW options: lr x lrFactor (schedule scaled whole), wd x wdFactor, the
 * rest carried over (see the file comment). Used by `Lion.fromAdamW`.
 * @example lionOptionsFromAdamW({ learningRate: 3e-3, weightDecay: 0.01 }) // { learningRate: 6e-4, weightDecay: 0.05 }
 */
export function lionOptionsFromAdamW(adamw: AdamWOptions, factors: FromAdamWFactors = {}): Record<string, unknown> {
  if (typeof adamw !== "object" || adamw === null || Array.isArray(adamw)) fail(O, "adamwOptions", "an AdamW options object", adamw);
  if (typeof factors !== "object" || factors === null || Array.isArray(factors)) fail(O, "factors", "an object { lrFactor?, wdFactor? }", factors);
  checkOptionKeys(O, adamw as Record<string, unknown>, ["learningRate", "weightDecay", ...ADAMW_ONLY, ...CARRIED], "AdamW option");
  checkOptionKeys(O, factors as Record<string, unknown>, ["lrFactor", "wdFactor", "beta1", "beta2"], "factor");
  const lrFactor = factor("lrFactor", factors.lrFactor, FROM_ADAMW_DEFAULTS.lrFactor);
  const wdFactor = factor("wdFactor", factors.wdFactor, FROM_ADAMW_DEFAULTS.wdFactor);
  const wd = adamw.weightDecay === undefined ? KERAS_ADAMW_DEFAULTS.weightDecay : adamw.weightDecay;
  if (typeof wd !== "number" || !Number.isFinite(wd) || wd < 0) fail(O, "adamwOptions.weightDecay", "a finite number >= 0", wd);
  const lr = adamw.learningRate ?? KERAS_ADAMW_DEFAULTS.learningRate;
  if (typeof lr === "number" && (!Number.isFinite(lr) || lr < 0)) fail(O, "adamwOptions.learningRate", "a finite number >= 0, a schedule or a function", lr);
  const out: Record<string, unknown> = { learningRate: scaleLearningRate(lr, lrFactor), weightDecay: wd * wdFactor };
  if (factors.beta1 !== undefined) out.beta1 = factors.beta1;
  if (factors.beta2 !== undefined) out.beta2 = factors.beta2;
  for (const key of CARRIED) {
    const v = (adamw as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
