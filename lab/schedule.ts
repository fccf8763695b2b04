/**
 * The study's learning-rate schedule for one run: linear warmup from 0 to the configuration's
 * peak over `warmup` of the steps, then cosine (Keras's CosineDecay), linear, or constant to
 * `alpha` x peak at the last step. Every optimizer of a study gets the same shape.
 */
import { optim } from "ndgrad";
import type { ScheduleSpec } from "./spec";

/** Warmup then a linear ramp, or a constant, to alpha x peak (the shapes Keras has no class for). */
class WarmupThen extends optim.schedules.LearningRateSchedule {
  readonly className = "WarmupThen";
  constructor(
    readonly peak: number,
    readonly warmupSteps: number,
    readonly totalSteps: number,
    readonly decay: "linear" | "constant",
    readonly alpha: number,
  ) {
    super();
  }
  valueAt(step: number): number {
    if (step < this.warmupSteps) return Math.fround((this.peak * step) / this.warmupSteps);
    if (this.decay === "constant") return Math.fround(this.peak);
    const span = Math.max(1, this.totalSteps - 1 - this.warmupSteps);
    const p = Math.min(1, (step - this.warmupSteps) / span);
    return Math.fround(this.peak * (1 - (1 - this.alpha) * p));
  }
  getConfig(): Record<string, unknown> {
    return { peak: this.peak, warmup_steps: this.warmupSteps, total_steps: this.totalSteps, decay: this.decay, alpha: this.alpha };
  }
}

/** The schedule defaults: 5% warmup, cosine decay to 10% of the peak. @example { ...SCHEDULE_DEFAULTS, ...study.schedule } */
export const SCHEDULE_DEFAULTS: Required<ScheduleSpec> = { warmup: 0.05, decay: "cosine", alpha: 0.1 };

/**
 * A function from a peak learning rate to the run's schedule over `totalSteps` optimizer calls.
 * @example scheduleFor({ warmup: 0.1 }, 100)(1e-3).valueAt(5) // 5e-4
 */
export function scheduleFor(spec: ScheduleSpec | undefined, totalSteps: number): (peak: number) => optim.LearningRate {
  const s = { ...SCHEDULE_DEFAULTS, ...spec };
  const warmupSteps = Math.round(s.warmup * totalSteps);
  return (peak) => {
    if (s.decay !== "cosine") return new WarmupThen(peak, warmupSteps, totalSteps, s.decay, s.alpha);
    const decaySteps = Math.max(1, totalSteps - warmupSteps);
    if (warmupSteps === 0) return new optim.schedules.CosineDecay({ initialLearningRate: peak, decaySteps, alpha: s.alpha });
    return new optim.schedules.CosineDecay({ initialLearningRate: 0, warmupTarget: peak, warmupSteps, decaySteps, alpha: s.alpha });
  };
}
