/**
 * Dynamic loss scaling (Keras 3 `LossScaleOptimizer`), for low-precision training where small
 * gradients would underflow: the loss is multiplied by a scale before `backward()`, and the
 * gradients divided by it before the inner optimizer sees them.
 *
 * - every gradient finite: unscale (except `overwriteWithGradient` params), run the inner
 *   optimizer, and double the scale after `dynamicGrowthSteps` consecutive finite steps;
 * - any inf/NaN: skip the step entirely (no change, the inner counters do not move) and halve
 *   the scale.
 *
 * `iterations`, `learningRate` and the EMA methods delegate to the inner optimizer, whose own
 * static `lossScaleFactor` is switched off.
 *
 * @example
 * const opt = new LossScaleOptimizer(new AdamW(), { initialScale: 2 ** 15 });
 * opt.scaleLoss(loss).backward(); opt.step(params); opt.zeroGrad(params);
 */
import { Tensor } from "../core/tensor";
import { Parameter } from "../core/parameter";
import { Optimizer } from "./optimizer";
import { allFiniteF32, allFiniteF64 } from "./kernels";
import { unscale } from "./pipeline/stages";
import { allocateState } from "./shared-state";
import { SerializedOptimizer, deserializeOptimizer, registerOptimizer, serializeOptimizer, BASE_CONFIG_KEYS, kerasKeyOf } from "./registry";
import type { LearningRate, OptimizerState } from "./types";
import { camelCase, checkNumber, checkOptions, fail, show } from "../core/check";

/** Options of `LossScaleOptimizer` (Keras's): the initial scale and how many finite steps double it. @example new LossScaleOptimizer(inner, { initialScale: 1024 }) */
export interface LossScaleOptimizerOptions {
  /** Starting scale (default 2^15). */
  initialScale?: number;
  /** Finite steps between doublings (default 2000). */
  dynamicGrowthSteps?: number;
  name?: string;
  /** Only `true` is accepted (old Keras configs carry it). */
  dynamic?: boolean;
}

const O = "LossScaleOptimizer";
/** Base options tolerated at their default only (old Keras configs carry them). */
const BASE_DEFAULTS: Record<string, unknown> = {
  weightDecay: null,
  clipNorm: null,
  globalClipNorm: null,
  clipValue: null,
  useEma: false,
  emaMomentum: 0.99,
  emaOverwriteFrequency: null,
  lossScaleFactor: null,
  gradientAccumulationSteps: null,
};

function checkLsoOptions(inner: unknown, opts: Record<string, unknown>): void {
  if (!(inner instanceof Optimizer)) fail(O, "innerOptimizer", "an Optimizer", inner);
  if (opts.dynamic !== undefined && opts.dynamic !== true) {
    throw new Error(
      `${O}: dynamic=${show(opts.dynamic)} is no longer supported; instead, set \`loss_scale_factor\` (lossScaleFactor) directly on the \`inner_optimizer\``,
    );
  }
  for (const [k, dflt] of Object.entries(BASE_DEFAULTS)) {
    if (k in opts && opts[k] !== undefined && opts[k] !== dflt) {
      throw new Error(`${O} does not support \`${kerasKeyOf(k)}\` (${k}=${show(opts[k])}); instead, set it on the \`inner_optimizer\``);
    }
  }
  const known = ["initialScale", "dynamicGrowthSteps", "name", "dynamic", ...Object.keys(BASE_DEFAULTS)];
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length)
    throw new Error(
      `${O} does not support arguments: ${unknown.map((k) => `\`${k}\``).join(", ")} (got ${unknown.map((k) => `${k}=${show(opts[k])}`).join(", ")})`,
    );
  checkNumber(O, "initialScale", opts.initialScale ?? 32768, { min: 0, minOpen: true });
  checkNumber(O, "dynamicGrowthSteps", opts.dynamicGrowthSteps ?? 2000, { min: 1, integer: true });
}

/**
 * Dynamic loss scaling around any optimizer (see the file comment for the rules).
 * @example
 * const opt = new LossScaleOptimizer(new AdamW(), { initialScale: 2 ** 15 });
 * opt.scaleLoss(loss).backward(); opt.step(params); // a non-finite step is skipped, the scale halves
 */
export class LossScaleOptimizer extends Optimizer {
  readonly inner: Optimizer;
  readonly initialScale: number;
  readonly dynamicGrowthSteps: number;
  private scale: number;
  private stepCounter = 0;
  private lsoBuilt = false;
  /** Set by loadStateDict: the restored scale applies from the first scaleLoss, even before build. */
  private scaleRestored = false;
  /** One reusable gradient tensor per inner param: unscaling allocates nothing per step. */
  private unscaled: (Tensor | null)[] = [];

  constructor(inner: Optimizer, opts: LossScaleOptimizerOptions = {}) {
    const o = checkOptions(O, opts) as Record<string, unknown>;
    checkLsoOptions(inner, o);
    super(O, { name: o.name as string | undefined }, { learningRate: 0 });
    this.inner = inner;
    this.initialScale = (o.initialScale as number | undefined) ?? 32768;
    this.dynamicGrowthSteps = (o.dynamicGrowthSteps as number | undefined) ?? 2000;
    this.scale = Math.fround(this.initialScale);
    inner._clearLossScaleFactor();
  }

  /**
   * From Keras's config: `{ name, inner_optimizer, initial_scale, dynamic_growth_steps }`;
   * `inner_optimizer` is a serialised optimizer (or an Optimizer instance).
   */
  static fromConfig(config: Record<string, unknown>): LossScaleOptimizer {
    if (typeof config !== "object" || config === null) fail(`${O}.fromConfig`, "config", "an object", config);
    const { inner_optimizer, ...rest } = config;
    const inner = inner_optimizer instanceof Optimizer ? inner_optimizer : deserializeOptimizer(inner_optimizer as SerializedOptimizer);
    const opts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rest)) {
      const camel =
        BASE_CONFIG_KEYS[k] ??
        (k === "initial_scale" ? "initialScale" : k === "dynamic_growth_steps" ? "dynamicGrowthSteps" : k === "dynamic" || k === "name" ? k : camelCase(k));
      if (v !== null || !(camel in BASE_DEFAULTS)) opts[camel] = v;
    }
    return new LossScaleOptimizer(inner, opts);
  }

  /** The current dynamic scale. */
  get dynamicScale(): number {
    return this.scale;
  }

  get iterations(): number {
    return this.inner.iterations;
  }

  get microSteps(): number {
    return this.inner.microSteps;
  }

  get learningRate(): number {
    return this.inner.learningRate;
  }

  set learningRate(v: LearningRate) {
    this.inner.learningRate = v;
  }

  get isBuilt(): boolean {
    return this.lsoBuilt;
  }

  get variables(): Tensor[] {
    const own = [0, 0, this.stepCounter].map((x) => new Tensor(Float64Array.of(x), []));
    own.push(new Tensor(Float32Array.of(this.scale), []));
    return own.concat(this.inner.variables);
  }

  protected slotNames(): readonly string[] {
    return [];
  }

  protected updateStep(): void {
    throw new Error(`${O}: updateStep is the inner optimizer's job`);
  }

  build(params: Parameter[]): void {
    if (this.lsoBuilt) return;
    this.inner.build(params);
    this.unscaled = [];
    this.lsoBuilt = true;
  }

  private unscaledFor(i: number, p: Tensor): Tensor {
    let t = this.unscaled[i];
    if (!t) t = this.unscaled[i] = new Tensor(allocateState(p.dtype, p.size), p.shape.slice());
    return t;
  }

  apply(grads: readonly (Tensor | null | undefined)[], params?: readonly Parameter[]): void {
    const plan = this.inner._checkApply(grads, params);
    if (!plan) {
      this.afterFiniteStep(); // an empty list counts as a finite step (Keras)
      return;
    }
    if (!this.lsoBuilt) this.build(plan.params as Parameter[]);
    let finite = true;
    for (const g of plan.grads) {
      if (!g) continue;
      const v = g.values;
      finite = v instanceof Float32Array ? allFiniteF32(v) : allFiniteF64(v);
      if (!finite) break;
    }
    if (!finite) {
      this.stepCounter = 0;
      this.scale = Math.fround(this.scale * 0.5);
      return;
    }
    const scale = this.scale;
    const scaled = plan.grads.map((g, k) => {
      const p = plan.params[k];
      if (!g || p.overwriteWithGradient === true) return g;
      const out = this.unscaledFor(this.inner._indexOf(p), p);
      unscale(g.values, scale, out.values); // the pipeline's own unscale stage (scale is a float32 value)
      return out;
    });
    this.inner._applyChecked({ ...plan, grads: scaled });
    this.afterFiniteStep();
  }

  private afterFiniteStep(): void {
    if (this.stepCounter === this.dynamicGrowthSteps - 1) {
      this.stepCounter = 0;
      this.scale = Math.fround(this.scale * 2);
    } else {
      this.stepCounter++;
    }
  }

  protected currentLossScale(): number {
    return this.lsoBuilt || this.scaleRestored ? this.scale : this.initialScale;
  }

  clipGradients(grads: Tensor[]): Tensor[] {
    return this.inner.clipGradients(grads);
  }

  excludeFromWeightDecay(opts: { params?: Parameter[]; names?: string[] }): void {
    this.inner.excludeFromWeightDecay(opts);
  }

  finalizeVariableValues(params: Parameter[]): void {
    this.inner.finalizeVariableValues(params);
  }

  swapEmaWeights(params: Parameter[]): void {
    this.inner.swapEmaWeights(params);
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      inner_optimizer: serializeOptimizer(this.inner),
      initial_scale: this.initialScale,
      dynamic_growth_steps: this.dynamicGrowthSteps,
    };
  }

  stateDict(): OptimizerState {
    const s = this.inner.stateDict();
    return { ...s, config: this.getConfig(), lossScale: { scale: this.scale, stepCounter: this.stepCounter } };
  }

  loadStateDict(s: OptimizerState): void {
    const ls = s?.lossScale;
    if (typeof ls !== "object" || ls === null) fail(`${O}: loadStateDict`, "lossScale", "an object { scale, stepCounter }", ls);
    checkNumber(`${O}: loadStateDict`, "lossScale.scale", ls.scale, { min: 0, minOpen: true });
    checkNumber(`${O}: loadStateDict`, "lossScale.stepCounter", ls.stepCounter, { min: 0, integer: true });
    this.inner.loadStateDict(s);
    this.scale = ls.scale;
    this.stepCounter = ls.stepCounter;
    this.scaleRestored = true;
  }
}

registerOptimizer("LossScaleOptimizer", LossScaleOptimizer.fromConfig);
