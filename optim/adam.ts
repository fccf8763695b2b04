/**
 * Adam (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980) as Keras 3 computes it:
 *
 *   t = iterations + 1                      (real updates, accumulation micro-steps excluded)
 *   α = lr·√(1 − β2^t) / (1 − β1^t)
 *   m ← m + (g − m)(1 − β1);   u ← u + (g² − u)(1 − β2)
 *   amsgrad: û ← max(û, u) and û replaces u below (raw, not bias-corrected)
 *   v ← v − α·m / (√u + ε)                  (ε is "epsilon hat": not bias-corrected)
 *
 * Slots: `momentums`, `velocities` (+ `velocityHats` with amsgrad).
 * `AdamW` is the same rule with decoupled weight decay on by default (0.004).
 *
 * @example const opt = new Adam({ learningRate: 1e-3 }); opt.step(params);
 */
import type { FloatArray } from "../core/dtype";
import { Optimizer } from "./optimizer";
import { checkHyper, readHyper } from "./arguments";
import { registerOptimizer, optionsFromKerasConfig } from "./registry";
import type { Hyper, OptimizerOptions } from "./types";
import { ADAM, ADAM_AMSGRAD, adamAlphaF32, adamAlphaF64 } from "./kernels/adam";
import { runElementwise } from "../core/kernels/elementwise";
import { checkBoolean, checkNumber } from "../core/check";

export interface AdamOptions extends OptimizerOptions {
  /** First-moment decay in [0, 1) (default 0.9). */
  beta1?: Hyper;
  /** Second-moment decay in [0, 1) (default 0.999). */
  beta2?: Hyper;
  /** Added to √u (default 1e-7). */
  epsilon?: number;
  /** Keep the running max of the second moment (default false). */
  amsgrad?: boolean;
}

const BETA = { min: 0, max: 1, maxOpen: true };
export const ADAM_CONFIG_KEYS = { beta_1: "beta1", beta_2: "beta2", epsilon: "epsilon", amsgrad: "amsgrad" };
const ADAM_KEYS = ["beta1", "beta2", "epsilon", "amsgrad"];

/** The shared rule of Adam and AdamW; they differ only in their defaults and class name. */
export abstract class AdamBase extends Optimizer {
  readonly beta1: Hyper;
  readonly beta2: Hyper;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private b1 = 0;
  private b2 = 0;

  protected constructor(className: string, opts: AdamOptions, defaults: { learningRate: number; weightDecay?: number | null }) {
    super(className, opts, defaults, ADAM_KEYS);
    this.beta1 = checkHyper(className, "beta1", opts.beta1 ?? 0.9, BETA);
    this.beta2 = checkHyper(className, "beta2", opts.beta2 ?? 0.999, BETA);
    this.epsilon = checkNumber(className, "epsilon", opts.epsilon ?? 1e-7, { min: 0 });
    this.amsgrad = checkBoolean(className, "amsgrad", opts.amsgrad ?? false);
  }

  protected slotNames(): readonly string[] {
    return this.amsgrad ? ["momentums", "velocities", "velocityHats"] : ["momentums", "velocities"];
  }

  protected resolveHypers(): void {
    this.b1 = readHyper(this.className, "beta1", this.beta1, BETA);
    this.b2 = readHyper(this.className, "beta2", this.beta2, BETA);
  }

  protected foldsDecay(): boolean {
    return true;
  }

  // The loop is a per-dtype kernel in kernels/adam.ts (AdamW's decay folded in); see there for why.
  // runElementwise picks it by dtype and splits a big parameter over the threads (bit-identical).
  protected updateStep(i: number, v: FloatArray, g: FloatArray, lr: number, wd: number): void {
    const m = this.slots.momentums[i],
      u = this.slots.velocities[i];
    const t = this.iterations + 1;
    const alpha = v instanceof Float32Array ? adamAlphaF32(lr, this.b1, this.b2, t) : adamAlphaF64(lr, this.b1, this.b2, t);
    const scalars = [alpha, this.b1, this.b2, this.epsilon, wd, lr];
    if (this.amsgrad) runElementwise(ADAM_AMSGRAD, [v, g, m, u, this.slots.velocityHats[i]], scalars);
    else runElementwise(ADAM, [v, g, m, u], scalars);
  }

  protected ownConfig(): Record<string, unknown> {
    return {
      beta_1: typeof this.beta1 === "number" ? this.beta1 : this.beta1(),
      beta_2: typeof this.beta2 === "number" ? this.beta2 : this.beta2(),
      epsilon: this.epsilon,
      amsgrad: this.amsgrad,
    };
  }
}

/**
 * Adam with Keras's defaults (lr 1e-3, β1 0.9, β2 0.999, ε-hat 1e-7) and optional amsgrad.
 * @example const opt = new Adam({ learningRate: 1e-3, amsgrad: true }); opt.step(params);
 */
export class Adam extends AdamBase {
  constructor(opts: AdamOptions = {}) {
    super("Adam", opts, { learningRate: 0.001 });
  }

  /** @example Adam.fromConfig({ learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }) */
  static fromConfig(config: Record<string, unknown>): Adam {
    return new Adam(optionsFromKerasConfig("Adam", config, ADAM_CONFIG_KEYS));
  }
}

registerOptimizer("Adam", Adam.fromConfig);
