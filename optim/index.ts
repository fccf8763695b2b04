/**
 * ndgrad/optim: Keras-3-exact optimizers (Lion, AdamW, Adam, SGD), dynamic loss scaling and
 * learning-rate schedules.
 *
 * @example
 * import { optim } from "ndgrad";
 * const opt = new optim.Lion({ learningRate: new optim.schedules.CosineDecay({ initialLearningRate: 3e-4, decaySteps: 10_000 }), weightDecay: 0.1 });
 */
export { Optimizer } from "./optimizer";
export { resetOptimizerNames } from "./arguments";
export type { ApplyPlan, ZeroGradOptions } from "./optimizer";
export { Lion } from "./lion";
export type { LionOptions } from "./lion";
export type { FromAdamWFactors } from "./lion-from-adamw";
export { FROM_ADAMW_DEFAULTS, scaleLearningRate } from "./lion-from-adamw";
export { Adam, AdamBase } from "./adam";
export type { AdamOptions } from "./adam";
export { AdamW } from "./adamw";
export type { AdamWOptions } from "./adamw";
export { SGD } from "./sgd";
export type { SGDOptions } from "./sgd";
export { LossScaleOptimizer } from "./loss-scale";
export type { LossScaleOptimizerOptions } from "./loss-scale";
export { serializeOptimizer, deserializeOptimizer } from "./registry";
export type { SerializedOptimizer } from "./registry";
export { stateToJSON, stateFromJSON } from "./state-json";
export type { OptimizerStateJSON, TensorJSON } from "./state-json";
export type { OptimizerOptions, OptimizerState, LearningRate, LearningRateSchedule, Hyper } from "./types";
/** Learning-rate schedules with Keras's formulas and configs (ExponentialDecay, CosineDecay with warmup, ...). */
export * as schedules from "./schedules";
/** The optimizer pipeline's stages as functions over raw arrays (clipping, unscaling, accumulation, decay, EMA), for custom optimizers. */
export * as pipeline from "./pipeline";
export type { SlotEntries } from "./state-dict";
