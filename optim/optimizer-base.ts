/**
 * What every optimizer keeps, apart from the pipeline (optimizer.ts): the checked base options,
 * the counters and learning rate, the slots built per parameter, `variables`, the Keras config
 * and the saved state. `Optimizer` extends it with the pipeline and the public step methods.
 *
 * @example
 * const opt = new Lion({ learningRate: 1e-4 }); // an OptimizerCore through Optimizer
 * opt.build(params); opt.stateDict().slots.momentums.length // params.length
 */
import { Tensor } from "../core/tensor";
import type { Parameter } from "../core/parameter";
import type { FloatArray } from "../core/dtype";
import { allocateState } from "./shared-state";
import type { LearningRate, OptimizerOptions, OptimizerState } from "./types";
import { LearningRateSchedule, isSchedule, serializeSchedule } from "./schedules";
import { inRange, show } from "../core/check";
import { checkLearningRate } from "./arguments";
import { parseBaseOptions } from "./base-options";
import { checkParamList } from "./apply-check";
import { SlotEntries, checkSavedState, checkSlotsFit, copySlotsIn, copySlotsOut } from "./state-dict";

/**
 * The state half of `Optimizer` (see the file comment); not used on its own.
 * @example class MyRule extends Optimizer { ... } // never extends OptimizerCore directly
 */
export abstract class OptimizerCore {
  /** Keras's class name ("Lion", "AdamW", ...), used in messages and serialisation. */
  readonly className: string;
  readonly name: string;
  readonly weightDecay: number | null;
  readonly clipNorm: number | null;
  readonly clipValue: number | null;
  readonly globalClipNorm: number | null;
  readonly useEma: boolean;
  readonly emaMomentum: number;
  readonly emaOverwriteFrequency: number | null;
  readonly lossScaleFactor: number | null;
  readonly gradientAccumulationSteps: number | null;
  /** ndgrad's guard (not a Keras option, not in getConfig): reject non-finite gradients before any change. */
  readonly checkFinite: boolean;

  protected lr: LearningRate;
  protected rawIterations = 0;
  /** Accumulation period, 0 when off (null, or 1 which is the same as off). */
  protected readonly accumN: number;
  protected built = false;
  /** The params in build order; slot arrays are indexed alike. */
  protected params: Parameter[] = [];
  protected index = new Map<Tensor, number>();
  /** The rule's slots by Keras name (camelCase), one typed array per param. */
  protected slots: Record<string, FloatArray[]> = {};
  protected averages: FloatArray[] = [];
  protected accumulators: FloatArray[] = [];
  /** Per-param work buffers, allocated on first need and reused: a step allocates no typed array. */
  protected scratch: (FloatArray | null)[] = [];
  /** A `loadStateDict` given before `build`: copied in by the first build. */
  protected pending: OptimizerState | null = null;

  protected constructor(
    className: string,
    options: OptimizerOptions | undefined,
    defaults: { learningRate: number; weightDecay?: number | null },
    ownKeys: readonly string[] = [],
  ) {
    const s = parseBaseOptions(className, options, defaults, ownKeys);
    this.className = className;
    this.name = s.name;
    this.lr = s.learningRate;
    this.weightDecay = s.weightDecay;
    this.clipNorm = s.clipNorm;
    this.clipValue = s.clipValue;
    this.globalClipNorm = s.globalClipNorm;
    this.useEma = s.useEma;
    this.emaMomentum = s.emaMomentum;
    this.emaOverwriteFrequency = s.emaOverwriteFrequency;
    this.lossScaleFactor = s.lossScaleFactor;
    this.gradientAccumulationSteps = s.gradientAccumulationSteps;
    this.checkFinite = s.checkFinite;
    this.accumN = s.gradientAccumulationSteps !== null && s.gradientAccumulationSteps > 1 ? s.gradientAccumulationSteps : 0;
  }

  // ---------------------------------------------------------------- what the rule provides

  /** The rule's slot names in Keras order, camelCase (`["momentums"]` for Lion). */
  protected abstract slotNames(): readonly string[];

  /** The rule's own config entries (snake_case, as Keras). */
  protected ownConfig(): Record<string, unknown> {
    return {};
  }

  // ---------------------------------------------------------------- counters and lr

  /** Completed real updates (Keras's public `iterations`: micro-steps ÷ accumulation steps). */
  get iterations(): number {
    return this.accumN ? Math.floor(this.rawIterations / this.accumN) : this.rawIterations;
  }

  /** Raw `apply` calls (Keras's `_iterations`); schedules are evaluated at this count. */
  get microSteps(): number {
    return this.rawIterations;
  }

  /** Reading gives the current value (a schedule evaluated now); a number lr is float32 as in Keras. */
  get learningRate(): number {
    const lr = this.lr;
    if (typeof lr === "number") return Math.fround(lr);
    if (isSchedule(lr)) return lr.valueAt(this.rawIterations);
    return lr();
  }

  /**
   * Set a number, a schedule or a function. A number cannot replace a schedule or function the
   * optimizer was created with (Keras raises too).
   */
  set learningRate(v: LearningRate) {
    if (typeof v === "number" && typeof this.lr !== "number") {
      throw new Error(
        `${this.className}: learningRate is a ${isSchedule(this.lr) ? "LearningRateSchedule" : "function"}, so it cannot be set to the number ${show(v)}; assign a schedule or a function instead`,
      );
    }
    this.lr = checkLearningRate(this.className, v);
  }

  /** The learning rate as given (number, schedule or function). */
  get learningRateSetting(): LearningRate {
    return this.lr;
  }

  /** The learning rate at the current iteration (a schedule or function evaluated), as float32. */
  protected evalLearningRate(): number {
    const v = this.learningRate;
    if (!inRange(v, { min: 0 }))
      throw new Error(
        `${this.className}: learningRate ${typeof this.lr === "function" ? "function" : "schedule"} returned ${show(v)} at step ${this.rawIterations}, must be a finite number >= 0`,
      );
    return v;
  }

  // ---------------------------------------------------------------- build and slots

  /** The params the optimizer was built on, in build order (slot order). */
  get builtParams(): readonly Parameter[] {
    return this.params;
  }

  /** @internal Build-order index of a param, -1 when unknown. */
  _indexOf(p: Tensor): number {
    return this.index.get(p) ?? -1;
  }

  /** Whether `build` has run. */
  get isBuilt(): boolean {
    return this.built;
  }

  /**
   * Keras's `optimizer.variables`, as tensors: the iteration counter, the learning rate (only
   * when it is a number), then EMA averages, accumulators and the rule's slots. Slot tensors
   * share memory with the optimizer; the first two are copies. (The count matches Keras; the
   * order within the rule's slots is grouped by slot name, where Keras interleaves Adam's m/v.)
   */
  get variables(): Tensor[] {
    const out = [new Tensor(Float64Array.of(this.rawIterations), [])];
    if (typeof this.lr === "number") out.push(new Tensor(Float32Array.of(this.lr), []));
    for (const [, arrays] of this.slotEntries()) arrays.forEach((a, i) => out.push(new Tensor(a, this.params[i].shape)));
    return out;
  }

  /** Every slot list in state order: averages, accumulatedGradients, then the rule's own. */
  protected expectedSlotNames(): string[] {
    const names: string[] = [];
    if (this.useEma) names.push("averages");
    if (this.accumN) names.push("accumulatedGradients");
    return names.concat(this.slotNames());
  }

  /** The optimizer's slots by name (Keras's names in camelCase), one array per parameter. */
  protected slotEntries(): SlotEntries {
    const out: SlotEntries = [];
    if (this.useEma) out.push(["averages", this.averages]);
    if (this.accumN) out.push(["accumulatedGradients", this.accumulators]);
    for (const n of this.slotNames()) out.push([n, this.slots[n] ?? []]);
    return out;
  }

  /**
   * Creates the slots (zeros, one per param per slot name). Called by the first `apply`;
   * calling it again does nothing, as in Keras.
   * @example opt.build(model.parameters())
   */
  build(params: Parameter[]): void {
    if (this.built) return;
    const list = checkParamList(this.className, params, "params");
    if (this.pending) checkSlotsFit(this.className, this.pending, list);
    this.params = list.slice();
    this.index = new Map(list.map((p, i) => [p, i]));
    const zerosLike = () => list.map((p) => allocateState(p.dtype, p.size));
    if (this.useEma) this.averages = zerosLike();
    if (this.accumN) this.accumulators = zerosLike();
    this.slots = {};
    for (const n of this.slotNames()) this.slots[n] = zerosLike();
    this.scratch = list.map(() => null);
    this.built = true;
    if (this.pending) {
      copySlotsIn(this.slotEntries(), this.pending);
      this.pending = null;
    }
  }

  // ---------------------------------------------------------------- config and state

  /**
   * Keras's `get_config()`: snake_case keys in Keras's order; a number lr is float32-rounded, a
   * schedule is Keras's serialised dict. A function lr (or beta) is saved as its current value,
   * since a JS function cannot be serialised.
   * @example new Lion({ learningRate: 1e-4 }).getConfig().learning_rate // 0.00009999999747378752
   */
  getConfig(): Record<string, unknown> {
    const lr = this.lr;
    const lrConfig = typeof lr === "number" ? Math.fround(lr) : isSchedule(lr) ? (lr instanceof LearningRateSchedule ? serializeSchedule(lr) : lr) : lr();
    return {
      name: this.name,
      learning_rate: lrConfig,
      weight_decay: this.weightDecay,
      clipnorm: this.clipNorm,
      global_clipnorm: this.globalClipNorm,
      clipvalue: this.clipValue,
      use_ema: this.useEma,
      ema_momentum: this.emaMomentum,
      ema_overwrite_frequency: this.emaOverwriteFrequency,
      loss_scale_factor: this.lossScaleFactor,
      gradient_accumulation_steps: this.gradientAccumulationSteps,
      ...this.ownConfig(),
    };
  }

  /**
   * A copy of everything that evolves: iterations (real and raw) and every slot, in build order.
   * `loadStateDict` of it into a fresh optimizer with the same options resumes bit-identically.
   * @example const saved = opt.stateDict(); fresh.loadStateDict(saved);
   */
  stateDict(): OptimizerState {
    let slots: Record<string, Tensor[]> = {};
    if (this.built) slots = copySlotsOut(this.slotEntries(), this.params);
    else if (this.pending) for (const [n, ts] of Object.entries(this.pending.slots)) slots[n] = ts.map((t) => t.clone());
    else for (const n of this.expectedSlotNames()) slots[n] = [];
    return { config: this.getConfig(), iterations: this.iterations, microSteps: this.rawIterations, slots };
  }

  /**
   * Restores `stateDict()` output. On a built optimizer the slots are copied in now; on a fresh
   * one they are kept and copied in by the first `build`/`apply` (after checking the shapes).
   * Hyper-parameters are not changed. Validates everything first: on error nothing changes.
   * @example fresh.loadStateDict(opt.stateDict())
   */
  loadStateDict(s: OptimizerState): void {
    const expected = this.expectedSlotNames();
    const { micro, empty } = checkSavedState(`${this.className}: loadStateDict`, s, expected, this.accumN || 1, this.gradientAccumulationSteps);
    if (this.built) {
      checkSlotsFit(this.className, s, this.params);
      copySlotsIn(this.slotEntries(), s);
    } else if (!empty) {
      this.pending = {
        config: s.config,
        iterations: s.iterations,
        microSteps: micro,
        slots: Object.fromEntries(expected.map((n) => [n, s.slots[n].map((t) => t.clone())])),
      };
    }
    this.rawIterations = micro;
  }

  /** The work buffer of param `i`, allocated on first need. */
  protected scratchFor(i: number): FloatArray {
    let s = this.scratch[i];
    if (!s) {
      const p = this.params[i];
      s = this.scratch[i] = allocateState(p.dtype, p.size);
    }
    return s;
  }
}
