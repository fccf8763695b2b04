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
import { roundFor } from "./pipeline/round";
import { checkBoolean, checkNumber } from "./validate";

export interface SGDOptions extends OptimizerOptions {
  /** In [0, 1] (default 0). */
  momentum?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

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

  protected updateStep(i: number, v: FloatArray, g: FloatArray, lr: number): void {
    const r = roundFor(v);
    const lrr = r(lr);
    if (this.momentum === 0) {
      for (let k = 0; k < v.length; k++) v[k] = v[k] - r(g[k] * lrr);
      return;
    }
    const b = this.slots.momentums[i];
    const mu = r(this.momentum);
    for (let k = 0; k < v.length; k++) {
      const step = r(g[k] * lrr);
      const bk = r(r(b[k] * mu) - step);
      b[k] = bk;
      v[k] = v[k] + (this.nesterov ? r(r(bk * mu) - step) : bk);
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}

registerOptimizer("SGD", SGD.fromConfig);
