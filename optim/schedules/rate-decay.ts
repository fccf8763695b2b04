/** ExponentialDecay and InverseTimeDecay: the two schedules driven by `step / decaySteps`, on one base. */
import { checkBoolean, checkNumber, checkOptionKeys, checkOptions } from "../../core/check";
import { LearningRateSchedule, checkStep, optionsFromConfig, checkName, f } from "./base";

/** Options of `ExponentialDecay` (Keras's arguments in camelCase). @example new ExponentialDecay({ initialLearningRate: 1e-3, decaySteps: 1000, decayRate: 0.96, staircase: true }) */
export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
  name?: string;
}
/** InverseTimeDecay takes exactly ExponentialDecay's options. */
export type InverseTimeDecayOptions = ExponentialDecayOptions;

/**
 * The two schedules driven by `p = step / decaySteps` (floored when `staircase`): same options,
 * validation and config (Keras's keys); only the formula in `valueAt` differs.
 */
abstract class RateDecay extends LearningRateSchedule {
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  static readonly configKeys = {
    initial_learning_rate: "initialLearningRate",
    decay_steps: "decaySteps",
    decay_rate: "decayRate",
    staircase: "staircase",
    name: "name",
  };

  constructor(
    readonly className: "ExponentialDecay" | "InverseTimeDecay",
    opts: ExponentialDecayOptions,
  ) {
    super();
    const o = className;
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(RateDecay.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.decaySteps = checkNumber(o, "decaySteps", opts.decaySteps, { min: 0, minOpen: true });
    this.decayRate = checkNumber(o, "decayRate", opts.decayRate, { min: 0 });
    this.staircase = checkBoolean(o, "staircase", opts.staircase ?? false);
    this.name = checkName(o, opts.name, className);
  }

  /** `p = step / decaySteps` in float32, floored when `staircase`. */
  protected progress(step: number): number {
    const p = f(f(checkStep(this.className, step)) / f(this.decaySteps));
    return this.staircase ? Math.floor(p) : p;
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }
}

/**
 * `lr0 · rate^(step / decaySteps)` (the exponent floored when `staircase`).
 * @example new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 }).valueAt(500)
 */
export class ExponentialDecay extends RateDecay {
  static readonly configKeys = RateDecay.configKeys;

  constructor(opts: ExponentialDecayOptions) {
    super("ExponentialDecay", opts);
  }

  valueAt(step: number): number {
    return f(f(this.initialLearningRate) * f(Math.pow(f(this.decayRate), this.progress(step))));
  }

  /** Rebuilds the schedule from its Keras config (snake_case keys, as `getConfig()` gives). @example ExponentialDecay.fromConfig(schedule.getConfig()) */
  static fromConfig(config: Record<string, unknown>): ExponentialDecay {
    return new ExponentialDecay(optionsFromConfig("ExponentialDecay", config, ExponentialDecay.configKeys) as unknown as ExponentialDecayOptions);
  }
}

/**
 * `lr0 / (1 + rate · step / decaySteps)` (the ratio floored when `staircase`).
 * @example new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.96 }).valueAt(10) // 0.0510204
 */
export class InverseTimeDecay extends RateDecay {
  static readonly configKeys = RateDecay.configKeys;

  constructor(opts: InverseTimeDecayOptions) {
    super("InverseTimeDecay", opts);
  }

  valueAt(step: number): number {
    return f(f(this.initialLearningRate) / f(1 + f(f(this.decayRate) * this.progress(step))));
  }

  /** Rebuilds the schedule from its Keras config (snake_case keys, as `getConfig()` gives). @example InverseTimeDecay.fromConfig(schedule.getConfig()) */
  static fromConfig(config: Record<string, unknown>): InverseTimeDecay {
    return new InverseTimeDecay(optionsFromConfig("InverseTimeDecay", config, InverseTimeDecay.configKeys) as unknown as InverseTimeDecayOptions);
  }
}
