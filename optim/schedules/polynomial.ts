/** PolynomialDecay: from the initial to the end learning rate along (1 − step/decaySteps)^power, optionally cycling. */
import { checkBoolean, checkNumber, checkOptionKeys, checkOptions } from "../../core/check";
import { LearningRateSchedule, checkStep, optionsFromConfig, checkName, f } from "./base";

/** Options of `PolynomialDecay` (Keras's arguments in camelCase). @example new PolynomialDecay({ initialLearningRate: 1e-3, decaySteps: 10000, endLearningRate: 1e-5, power: 2 }) */
export interface PolynomialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  endLearningRate?: number;
  power?: number;
  cycle?: boolean;
  name?: string;
}

/**
 * `(lr0 − end)·(1 − min(step, D)/D)^power + end`; with `cycle`, D grows to the next multiple of itself.
 * @example new PolynomialDecay({ initialLearningRate: 0.05, decaySteps: 10, endLearningRate: 0.001 }).valueAt(5) // 0.0255
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly className = "PolynomialDecay";
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;
  static readonly configKeys = {
    initial_learning_rate: "initialLearningRate",
    decay_steps: "decaySteps",
    end_learning_rate: "endLearningRate",
    power: "power",
    cycle: "cycle",
    name: "name",
  };

  constructor(opts: PolynomialDecayOptions) {
    super();
    const o = "PolynomialDecay";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(PolynomialDecay.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.decaySteps = checkNumber(o, "decaySteps", opts.decaySteps, { min: 0, minOpen: true });
    this.endLearningRate = checkNumber(o, "endLearningRate", opts.endLearningRate ?? 0.0001, { min: 0 });
    this.power = checkNumber(o, "power", opts.power ?? 1.0);
    this.cycle = checkBoolean(o, "cycle", opts.cycle ?? false);
    this.name = checkName(o, opts.name, "PolynomialDecay");
  }

  valueAt(step: number): number {
    let s = f(checkStep(this.className, step));
    let d = f(this.decaySteps);
    if (this.cycle) d = f(d * (s === 0 ? 1 : Math.ceil(f(s / d))));
    else s = Math.min(s, d);
    const p = f(s / d);
    const lr0 = f(this.initialLearningRate),
      end = f(this.endLearningRate);
    return f(f(f(lr0 - end) * f(Math.pow(f(1 - p), f(this.power)))) + end);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      end_learning_rate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
      name: this.name,
    };
  }

  /** Rebuilds the schedule from its Keras config (snake_case keys, as `getConfig()` gives). @example PolynomialDecay.fromConfig(schedule.getConfig()) */
  static fromConfig(config: Record<string, unknown>): PolynomialDecay {
    return new PolynomialDecay(optionsFromConfig("PolynomialDecay", config, PolynomialDecay.configKeys) as unknown as PolynomialDecayOptions);
  }
}
