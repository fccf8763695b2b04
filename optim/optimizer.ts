/**
 * The base `Optimizer`: it owns Keras 3's update pipeline and leaves only the update rule
 * (`updateStep`) to subclasses. `apply(grads, params)` (below, "the pipeline") runs, in this
 * order (docs/KERAS-OPTIMIZER-SEMANTICS.md §3–4):
 *
 *   check the call (apply-check.ts; nothing changes before this passes) → build on first use
 *   → overwrite: `overwriteWithGradient` params take their gradient (max-accumulated)
 *   → unscale: ÷ lossScaleFactor                                  pipeline/stages.ts
 *   → accumulate: non-final micro-steps only add to the accumulators; the final one uses
 *     (g + acc)/N, then clips, decays and updates, then zeroes every accumulator
 *   → clip: clipNorm per tensor | globalClipNorm | clipValue       pipeline/clip.ts
 *   → decay: decoupled v ← v − v·wd·lr (minus exclusions, decay-mask.ts), folded into the rule's pass when it can be
 *   → rule: the subclass's `updateStep`, one fused pass per parameter
 *   → EMA of the weights (ema.ts) → parameter constraints → the raw counter moves (every call)
 *
 * The learning rate is read once per call, before the counter moves: a schedule sees the raw
 * counter (`microSteps`), Adam's bias correction and the EMA see `iterations` (real updates).
 * The state (options, counters, slots, config, saved state) is the base class, optimizer-base.ts.
 *
 * @example
 * const opt = new Lion({ learningRate: 1e-4, weightDecay: 0.1 });
 * loss.backward(); opt.step(params); opt.zeroGrad(params);
 */
import { Tensor } from "../core/tensor";
import { Parameter } from "../core/parameter";
import { inWasmHeap } from "../core/backend";
import { releaseGradient } from "../core/gradient-buffer";
import type { FloatArray } from "../core/dtype";
import type { OptimizerOptions } from "./types";
import { clipActive, clipInPlace } from "./pipeline/clip";
import { accumulate, averageInto, decoupledDecay, maxInto, swapContents, unscale } from "./pipeline/stages";
import { scaleLoss } from "../core/ops/scale";
import { checkOptionKeys, fail, show } from "../core/check";
import { OptimizerCore } from "./optimizer-base";
import { ApplyPlan, checkApplyCall, checkParamList } from "./apply-check";
import { DecayExclusions, NO_EXCLUSIONS, decayMask, parseDecayExclusions } from "./decay-mask";
import { checkEmaParams, emaStep } from "./ema";
import { checkSlotsFit } from "./state-dict";

export type { ApplyPlan } from "./apply-check";

/** The parameters one call updates: their build indices and their gradients as the stages leave them. */
interface Active {
  index: number[];
  grads: FloatArray[];
}

/**
 * The base of every optimizer: Keras 3's pipeline around the subclass's `updateStep` (see the
 * file comment for the order of the stages).
 * @example class Sign extends Optimizer { protected slotNames() { return []; } protected updateStep(i, v, g, lr) { ... } }
 */
/**
 * Options of `optimizer.zeroGrad`.
 * @example opt.zeroGrad(params, { reuseBuffers: true })
 */
export interface ZeroGradOptions {
  /** The caller keeps none of the cleared gradients, so the next backward may reuse their buffers (default false). */
  reuseBuffers?: boolean;
}

export abstract class Optimizer extends OptimizerCore {
  private exclusions: DecayExclusions = NO_EXCLUSIONS;
  private decayMaskCache: boolean[] | null = null;

  protected constructor(
    className: string,
    options: OptimizerOptions | undefined,
    defaults: { learningRate: number; weightDecay?: number | null },
    ownKeys: readonly string[] = [],
  ) {
    super(className, options, defaults, ownKeys);
  }

  // ---------------------------------------------------------------- the subclass contract

  /**
   * The update rule for param `i`, in place, as one fused pass over `param`, `grad` and
   * `this.slots[...][i]`. `grad` is the final gradient (unscaled, averaged, clipped). `wd` is
   * the decoupled weight decay to apply first, `v ← v − v·wd·lr` per element: 0 unless the rule
   * `foldsDecay()` (otherwise the decay has already run as its own pass). Must not allocate.
   */
  protected abstract updateStep(i: number, param: FloatArray, grad: FloatArray, lr: number, wd: number): void;

  /**
   * True when `updateStep` applies `wd` itself, in the same pass (saves a full read and write of
   * every decayed weight). Keras decays every variable before updating any, but each decay
   * touches only its own variable, so folding it per variable gives the same bits — the
   * pipeline falls back to the separate pass when gradients or weights share memory.
   */
  protected foldsDecay(): boolean {
    return false;
  }

  /** Reads callable hyper-parameters and checks them; runs before anything is mutated. */
  protected resolveHypers(): void {}

  // ---------------------------------------------------------------- the pipeline

  /**
   * Keras's `apply(grads, vars)`: one optimizer step. `params` may be omitted once built (then
   * one gradient per built param); a null gradient skips its param this step (EMA still runs).
   * Throws, with nothing changed, on any bad input.
   * @example opt.apply([gW, gB], [w, b])
   */
  apply(grads: readonly (Tensor | null | undefined)[], params?: readonly Parameter[]): void {
    const plan = this._checkApply(grads, params);
    if (plan) this._applyChecked(plan);
  }

  /**
   * @internal Checks an `apply` call and reads the learning rate and hyper-parameters; mutates
   * no state. Null for an empty list. LossScaleOptimizer checks with it before unscaling.
   */
  _checkApply(grads: readonly (Tensor | null | undefined)[], params?: readonly Parameter[]): ApplyPlan | null {
    const plan = checkApplyCall(this, grads, params);
    if (!plan) return null;
    if (!this.built && this.pending) checkSlotsFit(this.className, this.pending, plan.params);
    plan.lr = this.evalLearningRate();
    this.resolveHypers();
    return plan;
  }

  /** @internal Runs a call `_checkApply` accepted: Keras's stages, in order. */
  _applyChecked(plan: ApplyPlan): void {
    if (!this.built) this.build(plan.params as Parameter[]);
    const period = this.accumN;
    const isUpdate = period === 0 || (this.rawIterations + 1) % period === 0;
    const active = this.overwriteStage(plan, isUpdate);
    if (active.index.length > 0) {
      this.unscaleStage(active);
      if (!isUpdate) {
        this.accumulateStage(active);
      } else {
        if (period !== 0) this.averageStage(active);
        this.clipStage(active);
        this.decayAndRuleStage(active, plan.lr);
        if (period !== 0) for (const acc of this.accumulators) acc.fill(0); // all of them, as TF/torch
      }
      if (this.useEma)
        emaStep(this.averages, this.params, { iterations: this.iterations, momentum: this.emaMomentum, overwriteFrequency: this.emaOverwriteFrequency });
      this.constraintStage(active);
    }
    this.rawIterations++;
  }

  /** `overwriteWithGradient` params (float8 scales) take their gradient and skip every other stage; returns the rest. */
  private overwriteStage(plan: ApplyPlan, isUpdate: boolean): Active {
    const active: Active = { index: [], grads: [] };
    for (let k = 0; k < plan.params.length; k++) {
      const g = plan.grads[k];
      if (g === null) continue;
      const p = plan.params[k];
      const i = this.index.get(p)!;
      if (p.overwriteWithGradient !== true) {
        active.index.push(i);
        active.grads.push(g.values);
      } else if (!this.accumN) {
        p.values.set(g.values);
      } else {
        const acc = this.accumulators[i];
        maxInto(acc, g.values);
        if (isUpdate) {
          p.values.set(acc);
          acc.fill(0);
        }
      }
    }
    return active;
  }

  /**
   * On the wasm backend a parameter in the wasm heap needs its gradient there too, so every later
   * stage and the rule run in wasm in place: a gradient already in the heap (backward's gradient
   * buffer, core/gradient-buffer.ts) is read as it is, any other is copied once into the
   * parameter's work buffer, which lives in the heap.
   */
  private gradLeavesHeap(i: number, g: FloatArray): boolean {
    return inWasmHeap(this.params[i].values) && !inWasmHeap(g);
  }

  /** ÷ lossScaleFactor into a work buffer; a gradient of another dtype is copied, so the rule sees its own. */
  private unscaleStage(a: Active): void {
    for (let j = 0; j < a.index.length; j++) {
      const i = a.index[j];
      if (this.lossScaleFactor !== null) {
        const s = this.scratchFor(i);
        unscale(a.grads[j], this.lossScaleFactor, s);
        a.grads[j] = s;
      } else if (!(a.grads[j] instanceof this.params[i].values.constructor) || this.gradLeavesHeap(i, a.grads[j])) {
        const s = this.scratchFor(i);
        s.set(a.grads[j]);
        a.grads[j] = s;
      }
    }
  }

  /** Non-final micro-step: the gradients are only added to the accumulators. */
  private accumulateStage(a: Active): void {
    for (let j = 0; j < a.index.length; j++) accumulate(this.accumulators[a.index[j]], a.grads[j]);
  }

  /** Final micro-step: the gradient becomes (g + acc)/N, held in the accumulator. */
  private averageStage(a: Active): void {
    for (let j = 0; j < a.index.length; j++) {
      const acc = this.accumulators[a.index[j]];
      averageInto(acc, a.grads[j], this.accumN);
      a.grads[j] = acc;
    }
  }

  /** Clipping, in place: on a work-buffer copy when the gradient is still the caller's tensor. */
  private clipStage(a: Active): void {
    if (!clipActive(this)) return;
    for (let j = 0; j < a.index.length; j++) {
      if (this.isCallersGradient(a, j)) {
        const s = this.scratchFor(a.index[j]);
        s.set(a.grads[j]);
        a.grads[j] = s;
      }
    }
    clipInPlace(a.grads, this);
  }

  /** Decoupled weight decay and the rule: the decay folded into the rule's pass when the bits allow. */
  private decayAndRuleStage(a: Active, lr: number): void {
    const wd = this.weightDecay;
    const decays = wd !== null && wd !== 0;
    const mask = decays ? this.decayMaskNow() : null;
    const fold = mask !== null && this.foldsDecay() && !this.decayOrderMatters(a, mask);
    if (mask !== null && !fold) for (const i of a.index) if (mask[i]) decoupledDecay(this.params[i].values, wd!, lr);
    for (let j = 0; j < a.index.length; j++) {
      const i = a.index[j];
      this.updateStep(i, this.params[i].values, a.grads[j], lr, fold && mask![i] ? wd! : 0);
    }
  }

  /** Parameter constraints (`Parameter.constraint`) after the update. */
  private constraintStage(a: Active): void {
    for (const i of a.index) {
      const p = this.params[i];
      if (p instanceof Parameter) p.applyConstraint();
    }
  }

  private isCallersGradient(a: Active, j: number): boolean {
    const i = a.index[j];
    return a.grads[j] !== this.scratch[i] && a.grads[j] !== this.accumulators[i];
  }

  /**
   * Whether folding the decay into each update would change the result: only when a decayed
   * weight shares memory with another active weight or with a gradient (then Keras's "decay all,
   * then update" order is observable).
   */
  private decayOrderMatters(a: Active, mask: boolean[]): boolean {
    // By byte range, not by buffer: on the wasm backend every parameter is a view into one memory.
    const decayed: FloatArray[] = [];
    for (const i of a.index) {
      if (!mask[i]) continue;
      const v = this.params[i].values;
      if (decayed.some((d) => overlap(d, v))) return true;
      decayed.push(v);
    }
    for (let j = 0; j < a.index.length; j++) {
      const i = a.index[j];
      if (!mask[i] && decayed.some((d) => overlap(d, this.params[i].values))) return true;
      if (this.isCallersGradient(a, j) && decayed.some((d) => overlap(d, a.grads[j]))) return true;
    }
    return false;
  }

  /**
   * Keras's `apply_gradients(zip(grads, vars))`.
   * @example opt.applyGradients([[gW, w], [gB, b]])
   */
  applyGradients(pairs: readonly (readonly [Tensor | null, Parameter])[]): void {
    if (!Array.isArray(pairs) || !pairs.every((pr) => Array.isArray(pr) && pr.length === 2))
      fail(this.className, "pairs", "an array of [gradient, parameter] pairs", pairs);
    this.apply(
      pairs.map((pr) => pr[0]),
      pairs.map((pr) => pr[1]),
    );
  }

  /**
   * PyTorch style: one step using each param's `.grad` (params without a grad are skipped).
   * @example loss.backward(); opt.step(params); opt.zeroGrad(params);
   */
  step(params: Parameter[]): void {
    const list = checkParamList(this.className, params, "params");
    this.apply(
      list.map((p) => p.grad),
      list,
    );
  }

  /**
   * Clears `.grad` of every param (set to null, PyTorch's `set_to_none`). With `reuseBuffers:
   * true` you also promise that nobody keeps those gradients: on the wasm backend the next
   * `backward()` may then write each parameter's gradient into the heap buffer its last one used,
   * where the optimizer reads it without a copy (core/gradient-buffer.ts), so a `.grad` kept
   * from before would see the new values, as with PyTorch's `zero_grad(set_to_none=False)`.
   * `fit()` does this after each of its steps.
   * @example loss.backward(); opt.step(params); opt.zeroGrad(params);
   * @example opt.zeroGrad(params, { reuseBuffers: true }); // a training loop that keeps no .grad
   */
  zeroGrad(params: Parameter[], opts: ZeroGradOptions = {}): void {
    const list = checkParamList(this.className, params, "params");
    checkOptionKeys(`${this.className}.zeroGrad`, opts, ["reuseBuffers"]);
    const reuse = opts.reuseBuffers;
    if (reuse !== undefined && typeof reuse !== "boolean") {
      throw new Error(`${this.className}.zeroGrad: reuseBuffers must be a boolean, got ${show(reuse)}`);
    }
    for (const p of list) {
      if (reuse === true) releaseGradient(p);
      p.grad = null;
    }
  }

  /**
   * Creates the slots (zeros, one per param per slot name). Called by the first `apply`;
   * calling it again does nothing, as in Keras.
   * @example opt.build(model.parameters())
   */
  build(params: Parameter[]): void {
    if (this.built) return;
    super.build(params);
    this.decayMaskCache = null;
  }

  // ---------------------------------------------------------------- clipping and decay (public)

  /**
   * The clipping stage alone, on copies: `clipNorm` per tensor, or `globalClipNorm`, or `clipValue`.
   * @example new SGD({ clipNorm: 1 }).clipGradients([tensor([100, 100])]) // [[0.7071, 0.7071]]
   */
  clipGradients(grads: Tensor[]): Tensor[] {
    if (!Array.isArray(grads) || !grads.every((g) => g instanceof Tensor)) fail(this.className, "grads", "an array of Tensors", grads);
    const out = grads.map((g) => g.clone());
    clipInPlace(
      out.map((g) => g.values),
      this,
    );
    return out;
  }

  /**
   * Exempts params from weight decay, by identity and/or by name: `names` are regular-expression
   * fragments searched in each param's name (Keras: "bias" matches "dense/bias"). Each call
   * replaces the previous exclusions.
   * @example opt.excludeFromWeightDecay({ names: ["bias", "norm"] })
   */
  excludeFromWeightDecay(opts: { params?: Parameter[]; names?: string[] }): void {
    this.exclusions = parseDecayExclusions(this.className, opts, (ps) => checkParamList(this.className, ps, "excludeFromWeightDecay params"));
    this.decayMaskCache = null;
  }

  private decayMaskNow(): boolean[] {
    return (this.decayMaskCache ??= decayMask(this.params, this.exclusions));
  }

  // ---------------------------------------------------------------- EMA

  private emaParams(params: unknown, what: string): readonly Parameter[] {
    return checkEmaParams(this.className, params, this.params, (p) => this._indexOf(p), this.built, what);
  }

  /**
   * Copies the EMA weights into the params (Keras: called by `fit` at the end of training). No-op
   * without `useEma`.
   * @example opt.finalizeVariableValues(model.parameters())
   */
  finalizeVariableValues(params: Parameter[]): void {
    if (!this.useEma) return;
    for (const p of this.emaParams(params, "finalizeVariableValues")) {
      if (p.overwriteWithGradient !== true) p.values.set(this.averages[this._indexOf(p)]);
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
    for (const p of this.emaParams(params, "swapEmaWeights")) {
      if (p.overwriteWithGradient !== true) swapContents(p.values, this.averages[this._indexOf(p)]);
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
    return scaleLoss(loss, this.currentLossScale());
  }

  /** @internal LossScaleOptimizer turns the inner optimizer's static factor off (Keras does too). */
  _clearLossScaleFactor(): void {
    (this as { lossScaleFactor: number | null }).lossScaleFactor = null;
  }
}

/** Whether two arrays share any byte of memory. */
function overlap(a: FloatArray, b: FloatArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
