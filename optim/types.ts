/** The public types of `optim`: options, learning-rate forms and the saved state. */
import type { Tensor } from "../core/tensor";
import type { LearningRateSchedule } from "./schedules";

export type { LearningRateSchedule } from "./schedules";

/** A fixed number, a schedule evaluated at the optimizer's step, or a zero-argument function read once per `apply`. */
export type LearningRate = number | LearningRateSchedule | (() => number);

/** A hyper-parameter such as `beta1`: a number, or a zero-argument function read once per `apply`. */
export type Hyper = number | (() => number);

/** Options shared by every optimizer (Keras 3's base arguments, camelCase). */
export interface OptimizerOptions {
  learningRate?: LearningRate;
  /** Decoupled decay `v ← v − v·wd·lr` before each real update; null = none. */
  weightDecay?: number | null;
  /** Clip each gradient tensor to this L2 norm. At most one of the three clip options may be set. */
  clipNorm?: number | null;
  /** Clip each gradient element to [−c, c]. */
  clipValue?: number | null;
  /** Clip all gradients together to this global L2 norm. */
  globalClipNorm?: number | null;
  /** Keep an exponential moving average of the weights (slot `averages`). */
  useEma?: boolean;
  /** EMA momentum in [0, 1] (default 0.99). */
  emaMomentum?: number;
  /** Copy the EMA into the weights every N steps; null = never. */
  emaOverwriteFrequency?: number | null;
  /** Static loss scaling: `scaleLoss` multiplies by it, gradients are divided by it. */
  lossScaleFactor?: number | null;
  /** Accumulate N micro-steps; every N-th `apply` updates with the mean gradient. */
  gradientAccumulationSteps?: number | null;
  /** Default: snake_case of the class name made unique (`adam`, `adam_1`, ...), as Keras. */
  name?: string;
  /**
   * ndgrad's guard, off by default (Keras applies a NaN gradient as given, so the weights turn
   * NaN): when true, `apply` throws, naming the parameter and element, if any gradient holds a
   * NaN or ±Infinity, before anything changes. A runtime setting, not part of `getConfig`.
   */
  checkFinite?: boolean;
}

/**
 * Everything needed to resume an optimizer bit-identically. Plain data apart from the slot
 * tensors; `stateToJSON`/`stateFromJSON` turn it into JSON-safe numbers and back.
 */
export interface OptimizerState {
  /** `getConfig()` at save time (informational; `loadStateDict` does not change hyper-parameters). */
  config: Record<string, unknown>;
  /** Completed real updates (Keras's public `iterations`). */
  iterations: number;
  /** Raw `apply` calls, micro-steps included (Keras's `_iterations`); equals `iterations` without accumulation. */
  microSteps?: number;
  /**
   * One tensor per parameter, in build order, under Keras's slot names in camelCase:
   * `averages` (EMA weights), `accumulatedGradients`, then the rule's own (`momentums`,
   * `velocities`, `velocityHats`).
   */
  slots: Record<string, Tensor[]>;
  /** LossScaleOptimizer only: the dynamic scale and the finite-step counter. */
  lossScale?: { scale: number; stepCounter: number };
}
