/**
 * SGD with optional (Nesterov) momentum, Keras 3's form: the velocity stores lr-scaled steps.
 *
 *   momentum = 0:  v ← v − lr·g                        (no slot; nesterov has no effect)
 *   otherwise:     b ← μ·b − lr·g;  v ← v + b          (nesterov: v ← v + μ·b − lr·g)
 *
 * PyTorch instead keeps b = μ·b + g and multiplies by the current lr; the two differ only
 * when lr changes over time.
 *
 * @example const opt = new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
 */
import type { FloatArray } from "../core/dtype";
import { Optimizer } from "./optimizer";
import { registerOptimizer, optionsFromKerasConfig } from "./registry";
import type { OptimizerOptions } from "./types";
import { SGD as SGD_PLAIN, SGD_MOMENTUM } from "./kernels/sgd";
import { runElementwise } from "../core/kernels/elementwise";
import { checkBoolean, checkNumber } from "../core/check";

export interface SGDOptions extends OptimizerOptions {
  /** In [0, 1] (default 0). */
  momentum?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

/**
 * SGD with optional (Nesterov) momentum; Keras keeps lr inside the velocity (`b ← μb − lr·g`).
 * @example const opt = new SGD({ learningRate: 0.01, momentum: 0.9, nesterov: true }); opt.step(params);
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  static readonly configKeys = { momentum: "momentum", nesterov: "nesterov" };

  constructor(opts: SGDOptions = {}) {
    super("SGD", opts, { learningRate: 0.01 }, ["momentum", "nesterov"]);
    this.momentum = checkNumber("SGD", "momentum", opts.momentum ?? 0, { min: 0, max: 1 });
    this.nesterov = checkBoolean("SGD", "nesterov", opts.nesterov ?? false);
  }

  /** @example SGD.fromConfig({ learning_rate: 0.01, momentum: 0.9, nesterov: true }) */
  static fromConfig(config: Record<string, unknown>): SGD {
    return new SGD(optionsFromKerasConfig("SGD", config, SGD.configKeys));
  }

  protected slotNames(): readonly string[] {
    return this.momentum !== 0 ? ["momentums"] : [];
  }

  protected foldsDecay(): boolean {
    return true;
  }

  // The loops are per-dtype kernels in kernels/sgd.ts (decay folded in); see there for why.
  // runElementwise picks one by dtype and splits a big parameter over the threads (bit-identical).
  protected updateStep(i: number, v: FloatArray, g: FloatArray, lr: number, wd: number): void {
    if (this.momentum === 0) runElementwise(SGD_PLAIN, [v, g], [lr, wd]);
    else runElementwise(SGD_MOMENTUM, [v, g, this.slots.momentums[i]], [lr, this.momentum, this.nesterov, wd]);
  }

  protected ownConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}

registerOptimizer("SGD", SGD.fromConfig);
