/** CosineDecayRestarts: SGDR, cosine decay restarted every (growing) period. */
import { checkNumber, checkOptionKeys, checkOptions } from "../../core/check";
import { LearningRateSchedule, checkStep, optionsFromConfig, checkName, f } from "./base";

/** Options of `CosineDecayRestarts` (Keras's arguments in camelCase). @example new CosineDecayRestarts({ initialLearningRate: 1e-3, firstDecaySteps: 1000, tMul: 2, mMul: 0.9 }) */
export interface CosineDecayRestartsOptions {
  initialLearningRate: number;
  firstDecaySteps: number;
  tMul?: number;
  mMul?: number;
  alpha?: number;
  name?: string;
}

/**
 * SGDR: cosine decay restarted every period; periods grow by `tMul`, peaks shrink by `mMul`.
 * @example new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 1000 }).valueAt(1000) // 1 (restart)
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  readonly className = "CosineDecayRestarts";
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;
  readonly name: string;
  static readonly configKeys = {
    initial_learning_rate: "initialLearningRate",
    first_decay_steps: "firstDecaySteps",
    t_mul: "tMul",
    m_mul: "mMul",
    alpha: "alpha",
    name: "name",
  };

  constructor(opts: CosineDecayRestartsOptions) {
    super();
    const o = "CosineDecayRestarts";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(CosineDecayRestarts.configKeys));
    this.initialLearningRate = checkNumber(o, "initialLearningRate", opts.initialLearningRate, { min: 0 });
    this.firstDecaySteps = checkNumber(o, "firstDecaySteps", opts.firstDecaySteps, { min: 0, minOpen: true });
    this.tMul = checkNumber(o, "tMul", opts.tMul ?? 2.0, { min: 0, minOpen: true });
    this.mMul = checkNumber(o, "mMul", opts.mMul ?? 1.0, { min: 0 });
    this.alpha = checkNumber(o, "alpha", opts.alpha ?? 0, { min: 0, max: 1 });
    this.name = checkName(o, opts.name, "SGDRDecay");
  }

  valueAt(step: number): number {
    const s = f(checkStep(this.className, step));
    const tMul = f(this.tMul),
      mMul = f(this.mMul),
      alpha = f(this.alpha);
    let frac = f(s / f(this.firstDecaySteps));
    let i: number;
    if (tMul === 1) {
      i = Math.floor(frac);
      frac = f(frac - i);
    } else {
      i = Math.floor(f(f(Math.log(f(1 - f(frac * f(1 - tMul))))) / f(Math.log(tMul))));
      const ti = f(Math.pow(tMul, i));
      const sumR = f(f(1 - ti) / f(1 - tMul));
      frac = f(f(frac - sumR) / ti);
    }
    const mFac = f(Math.pow(mMul, i));
    const cos = f(f(f(0.5) * mFac) * f(1 + f(Math.cos(f(f(Math.PI) * frac)))));
    return f(f(this.initialLearningRate) * f(f(f(1 - alpha) * cos) + alpha));
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      first_decay_steps: this.firstDecaySteps,
      t_mul: this.tMul,
      m_mul: this.mMul,
      alpha: this.alpha,
      name: this.name,
    };
  }

  /** Rebuilds the schedule from its Keras config (snake_case keys, as `getConfig()` gives). @example CosineDecayRestarts.fromConfig(schedule.getConfig()) */
  static fromConfig(config: Record<string, unknown>): CosineDecayRestarts {
    return new CosineDecayRestarts(optionsFromConfig("CosineDecayRestarts", config, CosineDecayRestarts.configKeys) as unknown as CosineDecayRestartsOptions);
  }
}
