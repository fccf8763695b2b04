/**
 * What the training loop needs from an optimizer. `optim.Optimizer` satisfies it; keeping it
 * structural spares nn/ an import of optim/ and lets tests pass a small stand-in.
 */
import type { Parameter, Tensor } from "../core";
import { show } from "../core/check";

/** What `fit` needs of an optimizer (every ndgrad optimizer is one). @example const opt: OptimizerLike = new optim.Lion() */
export interface OptimizerLike {
  /** One update from each param's `.grad` (a micro-step when the optimizer accumulates). */
  step(params: Parameter[]): void;
  /** Clears the params' `.grad`. */
  zeroGrad(params: Parameter[]): void;
  /** Copies the EMA weights into the params (called by fit after the last epoch when `useEma`). */
  finalizeVariableValues?(params: Parameter[]): void;
  /** Exchanges the params with their EMA weights (a second call swaps back). */
  swapEmaWeights?(params: Parameter[]): void;
  /** Multiplies the loss by the loss-scale factor before backward (Keras's `scale_loss`). */
  scaleLoss?(loss: Tensor): Tensor;
  readonly useEma?: boolean;
  readonly iterations?: number;
  readonly gradientAccumulationSteps?: number | null;
  readonly isBuilt?: boolean;
  /** A wrapper's wrapped optimizer (LossScaleOptimizer), whose EMA/accumulation settings apply. */
  readonly inner?: OptimizerLike;
}

/**
 * An optimizer's saved state as nn keeps it (BackupAndRestore): the slots as tensors, everything
 * else plain JSON. optim's `OptimizerState` is one; nn never imports optim.
 * @example const saved: SavedOptimizerState = opt.stateDict();
 */
export interface SavedOptimizerState {
  slots: Record<string, Tensor[]>;
  [key: string]: unknown;
}

/** Throws unless `opt` has step and zeroGrad; `where` names the caller. */
export function checkOptimizer(opt: unknown, where: string): OptimizerLike {
  const o = opt as OptimizerLike | null | undefined;
  if (typeof o !== "object" || o === null || typeof o.step !== "function" || typeof o.zeroGrad !== "function") {
    throw new Error(`${where}: optimizer must be an optimizer (an object with step(params) and zeroGrad(params), e.g. new optim.Adam()), got ${show(o)}`);
  }
  return o;
}

/** The optimizer's accumulation steps (a wrapper's inner one's), 1 when it does not accumulate. */
export function accumulationOf(opt: OptimizerLike): number {
  const k = opt.gradientAccumulationSteps;
  if (typeof k === "number" && k > 1) return k;
  return opt.inner ? accumulationOf(opt.inner) : 1;
}

/** Whether the optimizer (or the one it wraps) keeps EMA weights. */
export function emaEnabled(opt: OptimizerLike): boolean {
  return opt.useEma === true || (opt.inner !== undefined && emaEnabled(opt.inner));
}
