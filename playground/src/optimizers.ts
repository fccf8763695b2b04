/**
 * ndgrad's real optimizers from the playground's settings, Lion's "from AdamW" conversion, and
 * the optimizer state each keeps (read from its own `stateDict()`).
 */
import { optim } from "ndgrad";
import type { OptimizerSettings } from "./settings";

/** One line colour per optimizer, used by every plot (`COLORS.lion` is red). */
export const COLORS: Record<string, string> = { lion: "#d62728", adamw: "#1f77b4", adam: "#2ca02c", sgd: "#9467bd" };

/**
 * The optimizer these settings describe. A weight decay of 0 means none (Keras's `None`).
 * Invalid hyper-parameters (e.g. Lion's beta1 = 0) throw ndgrad's own message.
 * @example makeOptimizer({ id: "lion", on: true, lr: 0.01, beta1: 0.9, beta2: 0.99, wd: 0, momentum: 0, nesterov: false })
 */
export function makeOptimizer(o: OptimizerSettings): optim.Optimizer {
  const weightDecay = o.wd === 0 ? null : o.wd;
  const name = `playground_${o.id}`;
  switch (o.id) {
    case "lion":
      return new optim.Lion({ learningRate: o.lr, beta1: o.beta1, beta2: o.beta2, weightDecay, name });
    case "adamw":
      return new optim.AdamW({ learningRate: o.lr, beta1: o.beta1, beta2: o.beta2, weightDecay: weightDecay ?? 0, name });
    case "adam":
      return new optim.Adam({ learningRate: o.lr, beta1: o.beta1, beta2: o.beta2, weightDecay, name });
    case "sgd":
      return new optim.SGD({ learningRate: o.lr, momentum: o.momentum, nesterov: o.nesterov, weightDecay, name });
  }
}

/**
 * Lion's settings from AdamW's by the paper's 3-10x rule, through ndgrad's own
 * `Lion.fromAdamW`: the learning rate `factor` times smaller, the weight decay `factor` times
 * larger (so the effective decay lr·wd is kept), the betas Lion's own defaults.
 * @example lionFromAdamW({ lr: 0.03, wd: 0.01 }, 3) // { lr: 0.01, wd: 0.03, beta1: 0.9, beta2: 0.99 }
 */
export function lionFromAdamW(adamw: { lr: number; wd: number }, factor: number): { lr: number; wd: number; beta1: number; beta2: number } {
  if (!Number.isFinite(factor) || factor < 1) throw new Error(`lionFromAdamW: factor must be a number >= 1, got ${factor}`);
  const lion = optim.Lion.fromAdamW({ learningRate: adamw.lr, weightDecay: adamw.wd }, { lrFactor: 1 / factor, wdFactor: factor });
  const config = lion.getConfig() as { learning_rate: number; weight_decay: number; beta_1: number; beta_2: number };
  // The optimizer keeps float32 values, as Keras does; 6 significant digits show 0.01 in the
  // fields and the URL, not 0.009999999776482582.
  const round = (v: number) => Number(v.toPrecision(6));
  return { lr: round(config.learning_rate), wd: round(config.weight_decay), beta1: round(config.beta_1), beta2: round(config.beta_2) };
}

export interface StateMemory {
  /** Slot names per parameter, e.g. ["momentums"] for Lion, ["momentums", "velocities"] for AdamW. */
  slots: string[];
  /** Float values held, over all parameters. */
  floats: number;
  bytes: number;
}

/**
 * What the optimizer keeps between steps, from its `stateDict()` (empty until the first step
 * builds the slots). SGD without momentum keeps nothing.
 * @example stateMemory(opt).slots // ["momentums"]
 */
export function stateMemory(opt: optim.Optimizer): StateMemory {
  const { slots } = opt.stateDict();
  let floats = 0,
    bytes = 0;
  const names: string[] = [];
  for (const [name, tensors] of Object.entries(slots)) {
    if (tensors.length === 0) continue;
    names.push(name);
    for (const t of tensors) {
      floats += t.size;
      bytes += t.values.byteLength;
    }
  }
  return { slots: names, floats, bytes };
}
