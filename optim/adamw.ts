/**
 * AdamW (Loshchilov & Hutter 2019, https://arxiv.org/abs/1711.05101): Adam plus decoupled
 * weight decay `v ← v − v·wd·lr`, applied by the base pipeline before the Adam step (as
 * PyTorch's AdamW). Keras defaults: lr 1e-3, weightDecay 0.004, which must be a number.
 *
 * @example
 * const opt = new AdamW({ learningRate: 3e-3, weightDecay: 0.01 });
 * opt.excludeFromWeightDecay({ names: ["bias"] });
 */
import { AdamBase, AdamOptions, ADAM_CONFIG_KEYS } from "./adam";
import { registerOptimizer, optionsFromKerasConfig } from "./registry";
import { fail } from "../core/check";

/** AdamW's options: Adam's, with a decoupled weight decay that defaults to 0.004 (Keras). @example new AdamW({ learningRate: 1e-3, weightDecay: 0.01 }) */
export type AdamWOptions = AdamOptions;

/**
 * AdamW: Adam plus decoupled weight decay (default 0.004, as Keras).
 * @example const opt = new AdamW({ learningRate: 3e-3, weightDecay: 0.01 }); opt.step(params);
 */
export class AdamW extends AdamBase {
  constructor(opts: AdamWOptions = {}) {
    if (opts !== null && typeof opts === "object" && opts.weightDecay === null) fail("AdamW", "weightDecay", "a finite number >= 0", null);
    super("AdamW", opts, { learningRate: 0.001, weightDecay: 0.004 });
  }

  /** @example AdamW.fromConfig({ learning_rate: 0.001, weight_decay: 0.004 }) */
  static fromConfig(config: Record<string, unknown>): AdamW {
    return new AdamW(optionsFromKerasConfig("AdamW", config, ADAM_CONFIG_KEYS));
  }
}

registerOptimizer("AdamW", AdamW.fromConfig);
