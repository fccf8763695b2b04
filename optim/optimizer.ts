/**
 * The base `Optimizer`: it owns Keras 3's update pipeline and leaves only the update rule
 * (`updateStep`) to subclasses. One `apply(grads, params)` call runs, in this order
 * (docs/KERAS-OPTIMIZER-SEMANTICS.md §3–4):
 *
 *   validate everything (no state touched before this passes)
 *   → build on first use
 *   → `overwriteWithGradient` params: assigned their gradient (max-accumulated under accumulation)
 *   → static loss-scale unscaling (÷ lossScaleFactor)                    pipeline/stages.ts
 *   → gradient accumulation: non-final micro-steps only add to the accumulators; the final one
 *     uses (g + acc)/N, then clips, decays and updates, then zeroes every accumulator
 *   → clipping: clipNorm per tensor | globalClipNorm | clipValue          pipeline/clip.ts
 *   → decoupled weight decay v ← v − v·wd·lr (minus excluded params)     pipeline/stages.ts
 *   → the subclass's `updateStep`, one fused pass per parameter
 *   → EMA of all built params (first step copies), maybe overwrite the weights with it
 *   → parameter constraints
 *   → the raw iteration counter moves (on every call, micro-steps included)
 *
 * The learning rate is read once per call, before the counter moves: a schedule sees the raw
 * counter (`microSteps`), Adam's bias correction and the EMA see `iterations` (real updates).
 *
 * @example
 * const opt = new Lion({ learningRate: 1e-4, weightDecay: 0.1 });
 * loss.backward(); opt.step(params); opt.zeroGrad(params);
 */
import { Tensor } from "../core/tensor";
import { Parameter } from "../core/parameter";
import { FloatArray, allocate } from "../core/dtype";
import { allocateState } from "./shared-state";
import { fmt, sameShape } from "../core/shape";
import { record } from "../core/autograd";
import type { Hyper, LearningRate, OptimizerOptions, OptimizerState } from "./types";
import { LearningRateSchedule, isSchedule, serializeSchedule } from "./schedules";
import { ClipOptions, clipActive, clipInPlace } from "./pipeline/clip";
import { accumulate, averageInto, decoupledDecay, emaUpdate, maxInto, swapContents, unscale } from "./pipeline/stages";
import { checkBoolean, checkKnownKeys, checkNumber, checkOptionalNumber, checkOptions, fail, inRange, show } from "./validate";
import { checkLearningRate, firstNonFinite, uniqueName } from "./arguments";

const BASE_OPTION_KEYS = [
  "learningRate", "weightDecay", "clipNorm", "clipValue", "globalClipNorm", "useEma", "emaMomentum",
  "emaOverwriteFrequency", "lossScaleFactor", "gradientAccumulationSteps", "name", "checkFinite",
] as const;

export interface ApplyPlan {
  params: readonly Parameter[];
  grads: readonly (Tensor | null)[];
  lr: number;
}

export abstract class Optimizer {
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

  private lr: LearningRate;
  private rawIterations = 0;
  /** Accumulation period, 0 when off (null, or 1 which is the same as off). */
  private readonly accumN: number;
  private built = false;
  /** The params in build order; slot arrays are indexed alike. */
  protected params: Parameter[] = [];
  private index = new Map<Tensor, number>();
  /** The rule's slots by Keras name (camelCase), one typed array per param. */
  protected slots: Record<string, FloatArray[]> = {};
  private averages: FloatArray[] = [];
  private accumulators: FloatArray[] = [];
  /** Per-param work buffers, allocated on first need and reused: a step allocates nothing. */
  private scratch: (FloatArray | null)[] = [];
  private excludedParams = new Set<Tensor>();
  private excludedNames: RegExp | null = null;
  private decayMask: boolean[] | null = null;
  private pending: OptimizerState | null = null;
  // Reused per call (no per-step allocation of typed arrays; these hold references only).
  private activeIdx: number[] = [];
  private activeGrads: FloatArray[] = [];
  private decayedBuffers = new Set<ArrayBufferLike>();
  /**
   * The decoupled weight decay `updateStep` must fold into its pass for the param it is called
   * for (0: none). Set by the pipeline only when the rule `foldsDecay()`; otherwise the decay has
   * already run as its own pass.
   */
  protected stepDecay = 0;

  protected constructor(className: string, options: OptimizerOptions | undefined, defaults: { learningRate: number; weightDecay?: number | null }, ownKeys: readonly string[] = []) {
    const o = className;
    const opts = checkOptions(o, options) as Record<string, unknown>;
    checkKnownKeys(o, opts, [...BASE_OPTION_KEYS, ...ownKeys]);
    this.className = className;
    this.lr = checkLearningRate(o, opts.learningRate === undefined ? defaults.learningRate : opts.learningRate);
    this.weightDecay = opts.weightDecay === undefined ? (defaults.weightDecay ?? null) : checkOptionalNumber(o, "weightDecay", opts.weightDecay, { min: 0 });
    this.clipNorm = checkOptionalNumber(o, "clipNorm", opts.clipNorm, { min: 0 });
    this.clipValue = checkOptionalNumber(o, "clipValue", opts.clipValue, { min: 0 });
    this.globalClipNorm = checkOptionalNumber(o, "globalClipNorm", opts.globalClipNorm, { min: 0 });
    if ([this.clipNorm, this.clipValue, this.globalClipNorm].filter((c) => c !== null).length > 1) {
      throw new Error(`${o}: only one of clipNorm, clipValue and globalClipNorm can be set, got clipNorm=${show(this.clipNorm)}, clipValue=${show(this.clipValue)}, globalClipNorm=${show(this.globalClipNorm)}`);
    }
    this.useEma = checkBoolean(o, "useEma", opts.useEma ?? false);
    this.emaMomentum = checkNumber(o, "emaMomentum", opts.emaMomentum ?? 0.99, { min: 0, max: 1 });
    // Keras: 0 means "never", like null.
    this.emaOverwriteFrequency = opts.emaOverwriteFrequency === 0 ? null : checkOptionalNumber(o, "emaOverwriteFrequency", opts.emaOverwriteFrequency, { min: 1, integer: true });
    this.lossScaleFactor = checkOptionalNumber(o, "lossScaleFactor", opts.lossScaleFactor, { min: 0, minOpen: true });
    this.gradientAccumulationSteps = checkOptionalNumber(o, "gradientAccumulationSteps", opts.gradientAccumulationSteps, { min: 1, integer: true });
    this.checkFinite = checkBoolean(o, "checkFinite", opts.checkFinite ?? false);
    this.accumN = this.gradientAccumulationSteps !== null && this.gradientAccumulationSteps > 1 ? this.gradientAccumulationSteps : 0;
    if (opts.name !== undefined && opts.name !== null && typeof opts.name !== "string") fail(o, "name", "a string", opts.name);
    this.name = typeof opts.name === "string" ? opts.name : uniqueName(className);
  }

  // ---------------------------------------------------------------- the subclass contract

  /** The rule's slot names in Keras order, camelCase (`["momentums"]` for Lion). */
  protected abstract slotNames(): readonly string[];

  /**
   * The update rule for param `i`, in place, as one fused pass over `param`, `grad` and
   * `this.slots[...][i]`. `grad` is the final gradient (unscaled, averaged, clipped). Weight
   * decay has already been applied, unless the rule `foldsDecay()`: then it applies
   * `v ← v − v·stepDecay·lr` to each element (when `stepDecay` is not 0) before updating it.
   * Must not allocate.
   */
  protected abstract updateStep(i: number, param: FloatArray, grad: FloatArray, lr: number): void;

  /**
   * True when `updateStep` applies `stepDecay` itself, in the same pass (saves a full read and
   * write of every decayed weight). Keras decays every variable before updating any, but each
   * decay touches only its own variable, so folding it per variable gives the same bits — the
   * pipeline falls back to the separate pass when gradients or weights share memory.
   */
  protected foldsDecay(): boolean {
    return false;
  }

  /** Reads callable hyper-parameters and checks them; runs before anything is mutated. */
  protected resolveHypers(): void {}

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
      throw new Error(`${this.className}: learningRate is a ${isSchedule(this.lr) ? "LearningRateSchedule" : "function"}, so it cannot be set to the number ${show(v)}; assign a schedule or a function instead`);
    }
    this.lr = checkLearningRate(this.className, v);
  }

  /** The learning rate as given (number, schedule or function). */
  get learningRateSetting(): LearningRate {
    return this.lr;
  }

  private evalLearningRate(): number {
    const v = this.learningRate;
    if (!inRange(v, { min: 0 })) throw new Error(`${this.className}: learningRate ${typeof this.lr === "function" ? "function" : "schedule"} returned ${show(v)} at step ${this.rawIterations}, must be a finite number >= 0`);
    return v;
  }

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

  // ---------------------------------------------------------------- build

  /** Every slot list in state order: averages, accumulatedGradients, then the rule's own. */
  private expectedSlotNames(): string[] {
    const names: string[] = [];
    if (this.useEma) names.push("averages");
    if (this.accumN) names.push("accumulatedGradients");
    return names.concat(this.slotNames());
  }

  private slotEntries(): [string, FloatArray[]][] {
    const out: [string, FloatArray[]][] = [];
    if (this.useEma) out.push(["averages", this.averages]);
    if (this.accumN) out.push(["accumulatedGradients", this.accumulators]);
    for (const n of this.slotNames()) out.push([n, this.slots[n] ?? []]);
    return out;
  }

  private checkParamList(params: unknown, what: string): readonly Parameter[] {
    if (!Array.isArray(params)) fail(this.className, what, "an array of Parameters", params);
    const seen = new Set<unknown>();
    params.forEach((p, k) => {
      if (!(p instanceof Tensor)) fail(this.className, `${what}[${k}]`, "a Parameter", p);
      if (seen.has(p)) throw new Error(`${this.className}: ${what}[${k}]${p.name ? ` ("${p.name}")` : ""} appears twice in the list`);
      seen.add(p);
    });
    return params as Parameter[];
  }

  /** Throws when a pending `loadStateDict` does not fit `params`. */
  private checkPendingFits(params: readonly Parameter[]): void {
    if (this.pending) this.checkSlotsFit(this.pending, params);
  }

  /**
   * Creates the slots (zeros, one per param per slot name). Called by the first `apply`;
   * calling it again does nothing, as in Keras.
   * @example opt.build(model.parameters())
   */
  build(params: Parameter[]): void {
    if (this.built) return;
    const list = this.checkParamList(params, "params");
    this.checkPendingFits(list);
    this.params = list.slice();
    this.index = new Map(list.map((p, i) => [p, i]));
    const zerosLike = () => list.map((p) => allocateState(p.dtype, p.size));
    if (this.useEma) this.averages = zerosLike();
    if (this.accumN) this.accumulators = zerosLike();
    this.slots = {};
    for (const n of this.slotNames()) this.slots[n] = zerosLike();
    this.scratch = list.map(() => null);
    this.decayMask = null;
    this.built = true;
    if (this.pending) {
      this.copySlotsIn(this.pending);
      this.pending = null;
    }
  }

  // ---------------------------------------------------------------- apply

  /** @internal Validates an `apply` call and reads the hyper-parameters; mutates nothing. Returns null for an empty list. */
  _plan(grads: readonly (Tensor | null | undefined)[], params?: readonly Parameter[]): ApplyPlan | null {
    const o = this.className;
    if (!Array.isArray(grads)) fail(o, "grads", "an array of Tensors (or nulls)", grads);
    if (grads.length === 0) return null;
    let vars: readonly Parameter[];
    if (params === undefined) {
      if (!this.built) throw new Error(`${o}: apply(grads) without params needs a built optimizer: call build(params) first or pass params`);
      if (grads.length !== this.params.length) {
        throw new Error(`${o}: got ${grads.length} gradients but the optimizer tracks ${this.params.length} parameters; pass params, or one gradient per built parameter`);
      }
      vars = this.params;
    } else {
      vars = this.checkParamList(params, "params");
      if (vars.length !== grads.length) throw new Error(`${o}: grads and params differ in length: ${grads.length} gradients for ${vars.length} parameters`);
    }
    let any = false;
    for (let k = 0; k < vars.length; k++) {
      const p = vars[k];
      if (this.built && !this.index.has(p)) {
        throw new Error(`${o}: unknown parameter params[${k}]${p.name ? ` ("${p.name}")` : ""} of shape ${fmt(p.shape)}: this optimizer was built on other parameters; create a new optimizer for a new set`);
      }
      const g = grads[k];
      if (g === null || g === undefined) continue;
      if (!(g instanceof Tensor)) fail(o, `grads[${k}]`, "a Tensor or null", g);
      if (!sameShape(g.shape, p.shape)) {
        throw new Error(`${o}: grads[${k}] has shape ${fmt(g.shape)} but its parameter${p.name ? ` "${p.name}"` : ""} has shape ${fmt(p.shape)}`);
      }
      if (g.dtype !== p.dtype) {
        throw new Error(`${o}: grads[${k}] is ${g.dtype} but its parameter${p.name ? ` "${p.name}"` : ""} is ${p.dtype} (mixing dtypes is not allowed; convert the gradient)`);
      }
      if (this.checkFinite) {
        const at = firstNonFinite(g.values);
        if (at >= 0) {
          throw new Error(`${o}: grads[${k}]${p.name ? ` (parameter "${p.name}")` : ""} is not finite: element ${at} is ${g.values[at]}; nothing was changed (checkFinite is on; use LossScaleOptimizer to skip such steps instead)`);
        }
      }
      any = true;
    }
    if (!any) throw new Error(`${o}: no gradients provided for any parameter (all ${vars.length} are null; did you call loss.backward()?)`);
    if (!this.built) this.checkPendingFits(vars);
    const lr = this.evalLearningRate();
    this.resolveHypers();
    return { params: vars, grads: grads.map((g) => g ?? null), lr };
  }

  /**
   * Keras's `apply(grads, vars)`: one optimizer step. `params` may be omitted once built (then
   * one gradient per built param); a null gradient skips its param this step (EMA still runs).
   * Throws, with nothing changed, on any bad input.
   * @example opt.apply([gW, gB], [w, b])
   */
  apply(grads: readonly (Tensor | null | undefined)[], params?: readonly Parameter[]): void {
    const plan = this._plan(grads, params);
    if (plan) this.run(plan);
  }

  /**
   * Keras's `apply_gradients(zip(grads, vars))`.
   * @example opt.applyGradients([[gW, w], [gB, b]])
   */
  applyGradients(pairs: readonly (readonly [Tensor | null, Parameter])[]): void {
    if (!Array.isArray(pairs) || !pairs.every((pr) => Array.isArray(pr) && pr.length === 2)) fail(this.className, "pairs", "an array of [gradient, parameter] pairs", pairs);
    this.apply(pairs.map((pr) => pr[0]), pairs.map((pr) => pr[1]));
  }

  /**
   * PyTorch style: one step using each param's `.grad` (params without a grad are skipped).
   * @example loss.backward(); opt.step(params); opt.zeroGrad(params);
   */
  step(params: Parameter[]): void {
    const list = this.checkParamList(params, "params");
    this.apply(list.map((p) => p.grad), list);
  }

  /** Clears `.grad` of every param (set to null, PyTorch's `set_to_none`). */
  zeroGrad(params: Parameter[]): void {
    for (const p of this.checkParamList(params, "params")) p.grad = null;
  }

  private scratchFor(i: number): FloatArray {
    let s = this.scratch[i];
    if (!s) {
      const p = this.params[i];
      s = this.scratch[i] = allocateState(p.dtype, p.size);
    }
    return s;
  }

  private run(plan: ApplyPlan): void {
    if (!this.built) this.build(plan.params as Parameter[]);
    const N = this.accumN;
    const isUpdate = N === 0 || (this.rawIterations + 1) % N === 0;
    const idx = this.activeIdx, eff = this.activeGrads;
    idx.length = 0;
    eff.length = 0;
    for (let k = 0; k < plan.params.length; k++) {
      const g = plan.grads[k];
      if (g === null) continue;
      const p = plan.params[k];
      const i = this.index.get(p)!;
      if ((p as Parameter).overwriteWithGradient === true) {
        this.overwrite(i, p, g.values, isUpdate);
        continue;
      }
      // Unscale into a work buffer; also copy when the dtypes differ, so the rule sees its own dtype.
      let src: FloatArray = g.values;
      if (this.lossScaleFactor !== null) {
        const s = this.scratchFor(i);
        unscale(src, this.lossScaleFactor, s);
        src = s;
      } else if (g.dtype !== p.dtype) {
        const s = this.scratchFor(i);
        s.set(src);
        src = s;
      }
      idx.push(i);
      eff.push(src);
    }
    if (idx.length > 0) {
      if (N === 0) {
        this.realUpdate(plan.lr);
      } else if (!isUpdate) {
        for (let j = 0; j < idx.length; j++) accumulate(this.accumulators[idx[j]], eff[j]);
      } else {
        for (let j = 0; j < idx.length; j++) {
          const acc = this.accumulators[idx[j]];
          averageInto(acc, eff[j], N);
          eff[j] = acc;
        }
        this.realUpdate(plan.lr);
        for (const acc of this.accumulators) acc.fill(0); // all of them, as TF/torch
      }
      if (this.useEma) this.emaStage();
      for (const i of idx) {
        const p = this.params[i];
        if (p instanceof Parameter) p.applyConstraint();
      }
    }
    this.rawIterations++;
  }

  /** `overwriteWithGradient` (float8 scales): the param takes its gradient, no other stage. */
  private overwrite(i: number, p: Parameter, g: FloatArray, isUpdate: boolean): void {
    if (!this.accumN) {
      p.values.set(g);
      return;
    }
    const acc = this.accumulators[i];
    maxInto(acc, g);
    if (isUpdate) {
      p.values.set(acc);
      acc.fill(0);
    }
  }

  /** Clip → decay → update, on the active params (`activeIdx`/`activeGrads`). */
  private realUpdate(lr: number): void {
    const idx = this.activeIdx, eff = this.activeGrads;
    if (clipActive(this)) {
      // Clipping writes in place, so never into the caller's gradient tensors.
      for (let j = 0; j < idx.length; j++) {
        const i = idx[j];
        if (eff[j] !== this.scratch[i] && eff[j] !== this.accumulators[i]) {
          const s = this.scratchFor(i);
          s.set(eff[j]);
          eff[j] = s;
        }
      }
      clipInPlace(eff, this as ClipOptions);
    }
    const wd = this.weightDecay;
    if (wd !== null && wd !== 0) {
      const mask = this.decayMaskNow();
      if (this.foldsDecay() && !this.decayOrderMatters(mask)) {
        try {
          for (let j = 0; j < idx.length; j++) {
            const i = idx[j];
            this.stepDecay = mask[i] ? wd : 0;
            this.updateStep(i, this.params[i].values, eff[j], lr);
          }
        } finally {
          this.stepDecay = 0;
        }
        return;
      }
      for (const i of idx) if (mask[i]) decoupledDecay(this.params[i].values, wd, lr);
    }
    for (let j = 0; j < idx.length; j++) this.updateStep(idx[j], this.params[idx[j]].values, eff[j], lr);
  }

  /**
   * Whether folding the decay into each update would change the result: only when a decayed
   * weight shares memory with another active weight or with a gradient (then Keras's "decay all,
   * then update" order is observable). Reuses one Set: no allocation in the steady state.
   */
  private decayOrderMatters(mask: boolean[]): boolean {
    const idx = this.activeIdx, eff = this.activeGrads, decayed = this.decayedBuffers;
    decayed.clear();
    let count = 0;
    for (const i of idx) {
      if (!mask[i]) continue;
      decayed.add(this.params[i].values.buffer);
      count++;
    }
    let aliased = decayed.size !== count;
    for (let j = 0; j < idx.length && !aliased; j++) {
      const i = idx[j];
      if (!mask[i] && decayed.has(this.params[i].values.buffer)) aliased = true;
      else if (eff[j] !== this.scratch[i] && eff[j] !== this.accumulators[i] && decayed.has(eff[j].buffer)) aliased = true;
    }
    decayed.clear();
    return aliased;
  }

  private emaStage(): void {
    const it = this.iterations; // real updates so far (this call not yet counted)
    const momentum = it !== 0 ? this.emaMomentum : 0;
    for (let i = 0; i < this.params.length; i++) {
      if (this.params[i].overwriteWithGradient === true) continue;
      emaUpdate(this.averages[i], this.params[i].values, momentum);
    }
    const freq = this.emaOverwriteFrequency;
    if (freq !== null && (it + 1) % freq === 0) {
      for (let i = 0; i < this.params.length; i++) {
        if (this.params[i].overwriteWithGradient !== true) this.params[i].values.set(this.averages[i]);
      }
    }
  }

  // ---------------------------------------------------------------- clipping and decay (public)

  /**
   * The clipping stage alone, on copies: `clipNorm` per tensor, or `globalClipNorm`, or `clipValue`.
   * @example new SGD({ clipNorm: 1 }).clipGradients([tensor([100, 100])]) // [[0.7071, 0.7071]]
   */
  clipGradients(grads: Tensor[]): Tensor[] {
    if (!Array.isArray(grads) || !grads.every((g) => g instanceof Tensor)) fail(this.className, "grads", "an array of Tensors", grads);
    const out = grads.map((g) => g.clone());
    clipInPlace(out.map((g) => g.values), this);
    return out;
  }

  /**
   * Exempts params from weight decay, by identity and/or by name: `names` are regular-expression
   * fragments searched in each param's name (Keras: "bias" matches "dense/bias"). Each call
   * replaces the previous exclusions.
   * @example opt.excludeFromWeightDecay({ names: ["bias", "norm"] })
   */
  excludeFromWeightDecay(opts: { params?: Parameter[]; names?: string[] }): void {
    const o = this.className;
    if (typeof opts !== "object" || opts === null) fail(o, "excludeFromWeightDecay options", "an object { params?, names? }", opts);
    checkKnownKeys(`${o}.excludeFromWeightDecay`, opts, ["params", "names"]);
    const params = opts.params === undefined ? [] : this.checkParamList(opts.params, "excludeFromWeightDecay params");
    let re: RegExp | null = null;
    if (opts.names !== undefined) {
      if (!Array.isArray(opts.names) || !opts.names.every((n) => typeof n === "string")) fail(o, "excludeFromWeightDecay names", "an array of strings", opts.names);
      if (opts.names.length > 0) {
        try {
          re = new RegExp(opts.names.join("|"));
        } catch (e) {
          throw new Error(`${o}: excludeFromWeightDecay names ${show(opts.names)} are not a valid regular expression: ${(e as Error).message}`);
        }
      }
    }
    this.excludedParams = new Set(params);
    this.excludedNames = re;
    this.decayMask = null;
  }

  private decayMaskNow(): boolean[] {
    if (!this.decayMask) {
      this.decayMask = this.params.map((p) => !this.excludedParams.has(p) && !(this.excludedNames && this.excludedNames.test(p.name ?? "")));
    }
    return this.decayMask;
  }

  // ---------------------------------------------------------------- EMA

  private checkEmaParams(params: unknown, what: string): readonly Parameter[] {
    const list = this.checkParamList(params, "params");
    if (list.length !== this.params.length) {
      throw new Error(`${this.className}: ${what}: got ${list.length} parameters but the optimizer holds EMA weights for ${this.params.length}${this.built ? "" : " (it was never applied/built)"}`);
    }
    list.forEach((p, k) => {
      if (!this.index.has(p)) throw new Error(`${this.className}: ${what}: params[${k}]${p.name ? ` ("${p.name}")` : ""} is not one of the optimizer's parameters`);
    });
    return list;
  }

  /**
   * Copies the EMA weights into the params (Keras: called by `fit` at the end of training). No-op
   * without `useEma`.
   */
  finalizeVariableValues(params: Parameter[]): void {
    if (!this.useEma) return;
    for (const p of this.checkEmaParams(params, "finalizeVariableValues")) {
      const i = this.index.get(p)!;
      if (p.overwriteWithGradient !== true) p.values.set(this.averages[i]);
    }
  }

  /**
   * Exchanges the params' values with their EMA weights, in place; calling it again swaps back.
   * Use it to evaluate with the averaged weights during training (or use `withEmaWeights`).
   * Throws without `useEma`.
   * @example opt.swapEmaWeights(params); evaluate(); opt.swapEmaWeights(params);
   */
  swapEmaWeights(params: Parameter[]): void {
    if (!this.useEma) throw new Error(`${this.className}: swapEmaWeights needs useEma: true, got useEma=false`);
    for (const p of this.checkEmaParams(params, "swapEmaWeights")) {
      const i = this.index.get(p)!;
      if (p.overwriteWithGradient !== true) swapContents(p.values, this.averages[i]);
    }
  }

  /**
   * Runs `fn` with the EMA weights swapped in, and swaps the training weights back afterwards
   * (also when `fn` throws).
   * @example const acc = opt.withEmaWeights(params, () => evaluate(model, testSet));
   */
  withEmaWeights<T>(params: Parameter[], fn: () => T): T {
    if (typeof fn !== "function") fail(this.className, "withEmaWeights fn", "a function", fn);
    this.swapEmaWeights(params);
    try {
      return fn();
    } finally {
      this.swapEmaWeights(params);
    }
  }

  // ---------------------------------------------------------------- loss scaling

  /** The factor `scaleLoss` multiplies by (1 when none). */
  protected currentLossScale(): number {
    return this.lossScaleFactor ?? 1;
  }

  /**
   * `loss · lossScaleFactor` (a recorded op, so `backward()` flows through it); the loss itself
   * when there is no factor.
   * @example opt.scaleLoss(loss).backward(); opt.step(params) // gradients are unscaled inside
   */
  scaleLoss(loss: Tensor): Tensor {
    if (!(loss instanceof Tensor)) fail(this.className, "loss", "a Tensor", loss);
    const s = this.currentLossScale();
    const v = loss.values;
    const out = allocate(loss.dtype, v.length);
    for (let k = 0; k < v.length; k++) out[k] = v[k] * s;
    return record("scaleLoss", [loss], new Tensor(out, loss.shape.slice()), (g) => {
      const gv = allocate(g.dtype, g.size);
      for (let k = 0; k < gv.length; k++) gv[k] = g.values[k] * s;
      return [new Tensor(gv, g.shape.slice())];
    });
  }

  /** @internal LossScaleOptimizer turns the inner optimizer's static factor off (Keras does too). */
  _clearLossScaleFactor(): void {
    (this as { lossScaleFactor: number | null }).lossScaleFactor = null;
  }

  // ---------------------------------------------------------------- config and state

  /**
   * Keras's `get_config()`: snake_case keys in Keras's order; a number lr is float32-rounded, a
   * schedule is Keras's serialised dict. A function lr (or beta) is saved as its current value,
   * since a JS function cannot be serialised.
   */
  getConfig(): Record<string, unknown> {
    const lr = this.lr;
    const lrConfig = typeof lr === "number" ? Math.fround(lr) : isSchedule(lr) ? (lr instanceof LearningRateSchedule ? serializeSchedule(lr) : lr) : lr();
    return {
      name: this.name, learning_rate: lrConfig, weight_decay: this.weightDecay, clipnorm: this.clipNorm,
      global_clipnorm: this.globalClipNorm, clipvalue: this.clipValue, use_ema: this.useEma,
      ema_momentum: this.emaMomentum, ema_overwrite_frequency: this.emaOverwriteFrequency,
      loss_scale_factor: this.lossScaleFactor, gradient_accumulation_steps: this.gradientAccumulationSteps,
      ...this.ownConfig(),
    };
  }

  /**
   * A copy of everything that evolves: iterations (real and raw) and every slot, in build order.
   * `loadStateDict` of it into a fresh optimizer with the same options resumes bit-identically.
   */
  stateDict(): OptimizerState {
    const slots: Record<string, Tensor[]> = {};
    if (this.built) {
      for (const [n, arrays] of this.slotEntries()) slots[n] = arrays.map((a, i) => new Tensor(a.slice(), this.params[i].shape.slice()));
    } else if (this.pending) {
      for (const [n, ts] of Object.entries(this.pending.slots)) slots[n] = ts.map((t) => t.clone());
    } else {
      for (const n of this.expectedSlotNames()) slots[n] = [];
    }
    return { config: this.getConfig(), iterations: this.iterations, microSteps: this.rawIterations, slots };
  }

  private checkSlotsFit(s: OptimizerState, params: readonly Tensor[]): void {
    for (const [n, ts] of Object.entries(s.slots)) {
      if (ts.length !== params.length) throw new Error(`${this.className}: loadStateDict: slot "${n}" has ${ts.length} tensors but there are ${params.length} parameters`);
      ts.forEach((t, i) => {
        if (!sameShape(t.shape, params[i].shape)) {
          throw new Error(`${this.className}: loadStateDict: slots.${n}[${i}] has shape ${fmt(t.shape)} but parameter ${i}${params[i].name ? ` ("${params[i].name}")` : ""} has shape ${fmt(params[i].shape)}`);
        }
      });
    }
  }

  private copySlotsIn(s: OptimizerState): void {
    for (const [n, arrays] of this.slotEntries()) s.slots[n].forEach((t, i) => arrays[i].set(t.values));
  }

  /**
   * Restores `stateDict()` output. On a built optimizer the slots are copied in now; on a fresh
   * one they are kept and copied in by the first `build`/`apply` (after checking the shapes).
   * Hyper-parameters are not changed. Validates everything first: on error nothing changes.
   */
  loadStateDict(s: OptimizerState): void {
    const o = `${this.className}: loadStateDict`;
    if (typeof s !== "object" || s === null) fail(o, "state", "an object from stateDict()", s);
    checkNumber(o, "iterations", s.iterations, { min: 0, integer: true });
    const N = this.accumN || 1;
    const micro = s.microSteps === undefined ? s.iterations * N : checkNumber(o, "microSteps", s.microSteps, { min: 0, integer: true });
    if (Math.floor(micro / N) !== s.iterations) throw new Error(`${o}: iterations=${s.iterations} and microSteps=${micro} disagree for gradientAccumulationSteps=${this.gradientAccumulationSteps}`);
    if (typeof s.slots !== "object" || s.slots === null) fail(o, "slots", "an object of tensor lists", s.slots);
    const expected = this.expectedSlotNames();
    const got = Object.keys(s.slots);
    if (got.length !== expected.length || !expected.every((n) => got.includes(n))) {
      throw new Error(`${o}: slots ${show(got)} do not match this optimizer's slots ${show(expected)} (check useEma, gradientAccumulationSteps and the rule's options)`);
    }
    for (const n of expected) {
      const ts = s.slots[n];
      if (!Array.isArray(ts) || !ts.every((t) => t instanceof Tensor)) fail(o, `slots.${n}`, "an array of Tensors", ts);
    }
    const counts = new Set(expected.map((n) => s.slots[n].length));
    if (counts.size > 1) throw new Error(`${o}: slot lists have different lengths ${show(expected.map((n) => s.slots[n].length))}`);
    const empty = expected.length === 0 || s.slots[expected[0]].length === 0;
    if (this.built) {
      this.checkSlotsFit(s, this.params);
      this.copySlotsIn(s);
    } else if (!empty) {
      this.pending = { config: s.config, iterations: s.iterations, microSteps: micro, slots: Object.fromEntries(expected.map((n) => [n, s.slots[n].map((t) => t.clone())])) };
    }
    this.rawIterations = micro;
  }
}
