/** CosineDecay (with optional linear warmup), and the cosine formula CosineDecayRestarts shares. */
import { checkNumber, checkOptionKeys, checkOptions } from "../../core/check";
import { LearningRateSchedule, checkStep, optionsFromConfig, checkName, f } from "./base";

/** Options of `CosineDecay` (Keras's arguments in camelCase). @example new CosineDecay({ initialLearningRate: 0, decaySteps: 9000, warmupTarget: 1e-3, warmupSteps: 1000, alpha: 0.1 }) */
export interface CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  alpha?: number;
  name?: string;
  /** Linear warmup from `initialLearningRate` to this value over `warmupSteps`, then cosine decay from it. */
  warmupTarget?: number | null;
  warmupSteps?: number;
}

/** `from · ((1 − α)·½(1 + cos(π·s/D)) + α)`, with s clamped to D. */
export function cosineDecayed(s: number, d: number, from: number, alpha: number): number {
  const frac = f(s / d);
  const cos = f(f(0.5) * f(1 + f(Math.cos(f(f(Math.PI) * frac)))));
  return f(from * f(f(f(1 - alpha) * cos) + alpha));
}

/**
 * Cosine decay (SGDR without restarts), optionally after a linear warmup.
 * @example new CosineDecay({ initialLearningRate: 1, decaySteps: 1000 }).valueAt(500) // 0.5
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = "CosineDecay";
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly name: string;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;
  static readonly configKeys = {
    initial_learning_rate: "initialLearningRate",
    decay_steps: "decaySteps",
    alpha: "alpha",
    name: "name",
    warmup_target: "warmupTarget",
    warmup_steps: "warmupSteps",
  };

  constructor(opts: CosineDecayOptions) {
    super();
    const o = "CosineDecay";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(CosineDecay.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.decaySteps = checkNumber(o, "decaySteps", opts.decaySteps, { min: 0, minOpen: true });
    this.alpha = checkNumber(o, "alpha", opts.alpha ?? 0, { min: 0, max: 1 });
    this.name = checkName(o, opts.name, "CosineDecay");
    this.warmupTarget = opts.warmupTarget === undefined || opts.warmupTarget === null ? null : checkNumber(o, "warmupTarget", opts.warmupTarget, { min: 0 });
    this.warmupSteps = checkNumber(o, "warmupSteps", opts.warmupSteps ?? 0, { min: 0 });
  }

  valueAt(step: number): number {
    const s = f(checkStep(this.className, step));
    const d = f(this.decaySteps),
      lr0 = f(this.initialLearningRate),
      alpha = f(this.alpha);
    if (this.warmupTarget === null) return cosineDecayed(Math.min(s, d), d, lr0, alpha);
    const target = f(this.warmupTarget),
      w = f(this.warmupSteps);
    const sc = Math.min(s, f(d + w));
    if (sc < w) return f(f(f(target - lr0) * f(sc / w)) + lr0);
    return cosineDecayed(f(sc - w), d, target, alpha);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      alpha: this.alpha,
      name: this.name,
      warmup_target: this.warmupTarget,
      warmup_steps: this.warmupSteps,
    };
  }

  /** Rebuilds the schedule from its Keras config (snake_case keys, as `getConfig()` gives). @example CosineDecay.fromConfig(schedule.getConfig()) */
  static fromConfig(config: Record<string, unknown>): CosineDecay {
    return new CosineDecay(optionsFromConfig("CosineDecay", config, CosineDecay.configKeys) as unknown as CosineDecayOptions);
  }
}
