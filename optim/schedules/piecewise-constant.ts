/** PiecewiseConstantDecay: constant values between step boundaries. */
import { checkOptionKeys, checkOptions, fail, show } from "../../core/check";
import { LearningRateSchedule, checkStep, optionsFromConfig, checkName, f } from "./base";

/** Options of `PiecewiseConstantDecay` (Keras's arguments in camelCase). @example new PiecewiseConstantDecay({ boundaries: [1000, 2000], values: [1e-3, 5e-4, 1e-4] }) */
export interface PiecewiseConstantDecayOptions {
  boundaries: number[];
  values: number[];
  name?: string;
}

/**
 * `values[0]` up to and including `boundaries[0]`, `values[i]` on (b[i-1], b[i]], `values[last]` after.
 * @example new PiecewiseConstantDecay({ boundaries: [100, 200], values: [1e-3, 5e-4, 1e-4] }).valueAt(150) // 5e-4
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = "PiecewiseConstantDecay";
  readonly boundaries: number[];
  readonly values: number[];
  readonly name: string;
  static readonly configKeys = { boundaries: "boundaries", values: "values", name: "name" };

  constructor(opts: PiecewiseConstantDecayOptions) {
    super();
    const o = "PiecewiseConstantDecay";
    opts = checkOptions(o, opts);
    checkOptionKeys(o, opts, Object.values(PiecewiseConstantDecay.configKeys));
    const { boundaries, values } = opts;
    if (!Array.isArray(boundaries) || !boundaries.every((b) => Number.isFinite(b))) fail(o, "boundaries", "an array of finite numbers", boundaries);
    if (!Array.isArray(values) || !values.every((v) => Number.isFinite(v) && v >= 0)) fail(o, "values", "an array of finite numbers >= 0", values);
    if (boundaries.length !== values.length - 1) {
      throw new Error(
        `${o}: the length of boundaries should be 1 less than the length of values, got boundaries=${show(boundaries)} of length ${boundaries.length} and values=${show(values)} of length ${values.length}`,
      );
    }
    this.boundaries = boundaries.slice();
    this.values = values.slice();
    this.name = checkName(o, opts.name, "PiecewiseConstant");
  }

  valueAt(step: number): number {
    const s = checkStep(this.className, step);
    const b = this.boundaries,
      v = this.values;
    // Keras sums masked values; for increasing boundaries exactly one mask is on.
    if (b.length === 0) return f(v[0]);
    let out = 0;
    if (s <= b[0]) out += f(v[0]);
    for (let i = 1; i < b.length; i++) if (s > b[i - 1] && s <= b[i]) out += f(v[i]);
    if (s > b[b.length - 1]) out += f(v[v.length - 1]);
    return f(out);
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: this.boundaries.slice(), values: this.values.slice(), name: this.name };
  }

  /** Rebuilds the schedule from its Keras config (snake_case keys, as `getConfig()` gives). @example PiecewiseConstantDecay.fromConfig(schedule.getConfig()) */
  static fromConfig(config: Record<string, unknown>): PiecewiseConstantDecay {
    return new PiecewiseConstantDecay(
      optionsFromConfig("PiecewiseConstantDecay", config, PiecewiseConstantDecay.configKeys) as unknown as PiecewiseConstantDecayOptions,
    );
  }
}
