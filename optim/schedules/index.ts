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
import { fail } from "../../core/check";
import { LearningRateSchedule } from "./base";
import { ExponentialDecay, InverseTimeDecay } from "./rate-decay";
import { PiecewiseConstantDecay } from "./piecewise-constant";
import { PolynomialDecay } from "./polynomial";
import { CosineDecay } from "./cosine";
import { CosineDecayRestarts } from "./cosine-restarts";

export { LearningRateSchedule, isSchedule } from "./base";
export { ExponentialDecay, InverseTimeDecay } from "./rate-decay";
export type { ExponentialDecayOptions, InverseTimeDecayOptions } from "./rate-decay";
export { PiecewiseConstantDecay } from "./piecewise-constant";
export type { PiecewiseConstantDecayOptions } from "./piecewise-constant";
export { PolynomialDecay } from "./polynomial";
export type { PolynomialDecayOptions } from "./polynomial";
export { CosineDecay } from "./cosine";
export type { CosineDecayOptions } from "./cosine";
export { CosineDecayRestarts } from "./cosine-restarts";
export type { CosineDecayRestartsOptions } from "./cosine-restarts";

const registry: Record<string, { fromConfig(c: Record<string, unknown>): LearningRateSchedule }> = {
  ExponentialDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  InverseTimeDecay,
  CosineDecay,
  CosineDecayRestarts,
};

/** Keras's serialised form: `{ module, class_name, config, registered_name }`. */
export interface SerializedSchedule {
  module: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name: string | null;
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
