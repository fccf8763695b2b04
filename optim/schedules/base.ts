/**
 * The base of the learning-rate schedules (Keras 3's `keras.optimizers.schedules`, one schedule a
 * file in this folder) and the checks they share.
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
import { checkNumber, checkOptionKeys, fail } from "../../core/check";

/** Float32 rounding, written at every step where Keras's float32 tensor ops round. */
export const f = Math.fround;

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

/** Checks a schedule's step argument (a finite number >= 0). */
export function checkStep(owner: string, step: number): number {
  return checkNumber(owner, "step", step, { min: 0 });
}

/** Maps a Keras config (snake_case keys) to camelCase options, rejecting unknown keys. */
export function optionsFromConfig(owner: string, config: Record<string, unknown>, keys: Record<string, string>): Record<string, unknown> {
  if (typeof config !== "object" || config === null) fail(owner, "config", "an object", config);
  checkOptionKeys(owner, config, Object.keys(keys), "config key");
  const out: Record<string, unknown> = {};
  for (const [snake, camel] of Object.entries(keys)) if (config[snake] !== undefined) out[camel] = config[snake];
  return out;
}

/** A schedule's `name` option (a string), or `dflt`. */
export function checkName(owner: string, v: unknown, dflt: string): string {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string") fail(owner, "name", "a string", v);
  return v;
}
