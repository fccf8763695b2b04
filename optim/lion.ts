/**
 * Lion (EvoLved Sign Momentum, Chen et al. 2023, https://arxiv.org/abs/2302.06675), Keras 3's rule:
 *
 *   c ← β1·m + (1 − β1)·g        (the OLD momentum)
 *   v ← v − lr·sign(c)           (every element moves by exactly lr, or 0 where c = 0)
 *   m ← β2·m + (1 − β2)·g        (updated after the weights)
 *
 * Decoupled weight decay `v ← v − v·wd·lr` applies to the weight before the step (folded into
 * the same pass), so it never changes the sign direction. One slot per parameter (`momentums`): half of AdamW's memory.
 *
 * Guidance from the paper: because the sign update has a larger norm than Adam's, use a
 * learning rate 3-10x smaller than for AdamW, and a weight decay 3-10x larger (the effective
 * decay strength is lr·wd). Keras's defaults are lr 1e-3 and no weight decay; β1 must be in
 * (0, 1] (β1 = 0 degenerates to signSGD), β2 in [0, 1].
 *
 * @example
 * const opt = new Lion({ learningRate: 3e-4, weightDecay: 0.1 }); // AdamW was lr 3e-3, wd 0.01
 * loss.backward(); opt.step(params); opt.zeroGrad(params);
 */
import type { FloatArray } from "../core/dtype";
import { Optimizer } from "./optimizer";
import { checkHyper, readHyper } from "./arguments";
import { registerOptimizer, optionsFromKerasConfig } from "./registry";
import type { Hyper, OptimizerOptions } from "./types";
import { LION } from "./kernels/lion";
import { runElementwise } from "../core/kernels/elementwise";
import { lionOptionsFromAdamW, FromAdamWFactors } from "./lion-from-adamw";
import type { AdamWOptions } from "./adamw";

export interface LionOptions extends OptimizerOptions {
  /** Interpolation for the update direction, in (0, 1] (default 0.9). */
  beta1?: Hyper;
  /** Decay of the stored momentum, in [0, 1] (default 0.99). */
  beta2?: Hyper;
}

const BETA1 = { min: 0, minOpen: true, max: 1 };
const BETA2 = { min: 0, max: 1 };

/**
 * Lion (see the file comment for the rule and the lr/wd guidance).
 * @example const opt = new Lion({ learningRate: 3e-4, weightDecay: 0.1 }); opt.step(params);
 */
export class Lion extends Optimizer {
  readonly beta1: Hyper;
  readonly beta2: Hyper;
  private b1 = 0;
  private b2 = 0;
  static readonly configKeys = { beta_1: "beta1", beta_2: "beta2" };

  constructor(opts: LionOptions = {}) {
    super("Lion", opts, { learningRate: 0.001 }, ["beta1", "beta2"]);
    this.beta1 = checkHyper("Lion", "beta1", opts.beta1 ?? 0.9, BETA1);
    this.beta2 = checkHyper("Lion", "beta2", opts.beta2 ?? 0.99, BETA2);
  }

  /** @example Lion.fromConfig({ learning_rate: 1e-4, beta_1: 0.9, beta_2: 0.99, weight_decay: 0.1 }) */
  static fromConfig(config: Record<string, unknown>): Lion {
    return new Lion(optionsFromKerasConfig("Lion", config, Lion.configKeys));
  }

  /**
   * A Lion setting from an AdamW one, by the paper's 3-10x rule: learning rate x `lrFactor`
   * (default 0.2; a schedule is scaled as a whole), weight decay x `wdFactor` (default 5), so
   * lr·wd stays the same; clipping, EMA, accumulation and loss scaling carry over, AdamW's betas,
   * epsilon and amsgrad do not (see optim/lion-from-adamw.ts).
   * @example const lion = Lion.fromAdamW({ learningRate: 3e-3, weightDecay: 0.01 }); // lr 6e-4, wd 0.05
   */
  static fromAdamW(adamwOptions: AdamWOptions, factors: FromAdamWFactors = {}): Lion {
    return new Lion(lionOptionsFromAdamW(adamwOptions, factors) as LionOptions);
  }

  protected slotNames(): readonly string[] {
    return ["momentums"];
  }

  protected resolveHypers(): void {
    this.b1 = readHyper("Lion", "beta1", this.beta1, BETA1);
    this.b2 = readHyper("Lion", "beta2", this.beta2, BETA2);
  }

  protected foldsDecay(): boolean {
    return true;
  }

  // The loop is the per-dtype kernel in kernels/lion.ts (decay folded in); see there for why.
  // runElementwise picks it by dtype and splits a big parameter over the threads (bit-identical).
  protected updateStep(i: number, v: FloatArray, g: FloatArray, lr: number, wd: number): void {
    runElementwise(LION, [v, g, this.slots.momentums[i]], [lr, this.b1, this.b2, wd]);
  }

  protected ownConfig(): Record<string, unknown> {
    // A function hyper-parameter is saved as its current value (functions do not serialise).
    return { beta_1: typeof this.beta1 === "number" ? this.beta1 : this.beta1(), beta_2: typeof this.beta2 === "number" ? this.beta2 : this.beta2() };
  }
}

registerOptimizer("Lion", Lion.fromConfig);
