/**
 * ndgrad/nn: modules and layers, losses, initializers, and weight files.
 * @example
 * import { nn } from "ndgrad";
 * const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2));
 * const loss = nn.losses.crossEntropy(model.call(x), labels);
 */
export { Module } from "./module";
export { Linear } from "./layers/linear";
export type { LinearOptions } from "./layers/linear";
export { Conv2d } from "./layers/conv2d";
export type { Conv2dLayerOptions } from "./layers/conv2d";
export { MaxPool2d, AvgPool2d } from "./layers/pool";
export type { PoolLayerOptions } from "./layers/pool";
export { Flatten } from "./layers/flatten";
export { ReLU, GELU, Tanh, Sigmoid } from "./layers/activations";
export { Dropout } from "./layers/dropout";
export { BatchNorm2d } from "./layers/batchnorm";
export type { BatchNormOptions } from "./layers/batchnorm";
export { LayerNorm } from "./layers/layernorm";
export type { LayerNormOptions } from "./layers/layernorm";
export { Sequential } from "./layers/sequential";
export type { LayerOptions } from "./layers/common";

/** Loss functions: crossEntropy (fused with log-softmax), mse, binaryCrossEntropy. */
export * as losses from "./losses";
export type { Reduction, LossOptions, BCEOptions } from "./losses";
/** Weight initializers (PyTorch/Keras formulas), seeded: glorot, he, zeros, ones. */
export * as init from "./init";
export type { InitOptions } from "./init";

export { serializeSafetensors, parseSafetensors, readSafetensorsEntries, readSafetensorsMetadata, saveWeightsBytes, loadWeightsBytes } from "./safetensors";
export type { SaveWeightsOptions, SerializeOptions } from "./safetensors";
export type { SafetensorsDType, StorageDType } from "./safetensors-dtypes";
export { SAFETENSORS_DTYPES } from "./safetensors-dtypes";
export { saveWeights, loadWeights } from "./weights-file";
export { writeFileAtomic } from "./atomic-write";

// ---- training loop (nn/fit.ts, nn/evaluate.ts, callbacks, progress) ----
export { fit } from "./fit";
export type { FitOptions } from "./fit";
export { evaluate, predict } from "./evaluate";
export type { EvaluateOptions } from "./evaluate";
export { History } from "./history";
export type { HistoryRecord } from "./history";
/** Callbacks for `fit` (Keras's): EarlyStopping, ModelCheckpoint, SwapEmaWeights, BackupAndRestore, and the hooks they use. */
export * as callbacks from "./callbacks";
export type { Callback, TrainContext, Logs } from "./callbacks";
export { accuracy } from "./metrics";
export type { Metric, MetricFn } from "./metrics";
export type { Data, Batch, Labels } from "./data";
export type { LossOption, LossFn } from "./loss-option";
export type { OptimizerLike } from "./optimizer-like";
export type { OutputStream } from "./progress";
