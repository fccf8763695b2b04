/**
 * ndgrad/core: tensors, the tape, and every op (as functions and as Tensor methods).
 * @example
 * import { tensor } from "ndgrad/core";
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad = [2, 4, 6]
 */
import "./ops/methods";

export { Tensor, fromArray } from "./tensor";
export type { NdArray, NestedArray, TensorOptions } from "./tensor";
export { Parameter } from "./parameter";
export { getBackend, setBackend, backendReason, type Backend } from "./backend";
export type { ParameterOptions, Constraint } from "./parameter";
export type { DType, FloatArray } from "./dtype";
export { tensor, zeros, ones, full, fullLike, arange, randn, rand } from "./creation";
export type { CreateOptions, RandomOptions } from "./creation";
export { manualSeed, Generator } from "./random";
export type { GeneratorState } from "./random";
export { noGrad, isGradEnabled } from "./autograd";
export type { TapeNode, BackwardOptions } from "./autograd";
export { grad, valueAndGrad } from "./grad";
export type { GradOptions, Fn } from "./grad";
export type { Shape } from "./shape";
export { hvp, jvp, hessian, jacobian } from "./higher-order";
export type { JacobianOptions, JvpOptions } from "./higher-order";
export { gradCheck, gradGradCheck } from "./gradcheck";
export type { GradCheckOptions, GradCheckResult } from "./gradcheck";
export { toDot } from "./viz";
export { setNumThreads, getNumThreads, waitForThreads, shutdownThreads } from "./kernels/threads";
export { allocateShared, isShared } from "./dtype";

export { neg, exp, log, sqrt, abs, square, tanh, sigmoid, relu, softplus, gelu } from "./ops/unary";
export { add, sub, mul, div, pow, maximum, minimum } from "./ops/binary";
export { equal, notEqual, greater, greaterEqual, less, lessEqual, where, clip } from "./ops/select";
export { sum, mean, max, min, logsumexp } from "./ops/reduce";
export type { ReduceOptions } from "./ops/reduce";
export { reshape, transpose, flatten, squeeze, unsqueeze, concat, stack, slice, broadcastTo } from "./ops/layout";
export { softmax, logSoftmax } from "./ops/softmax";
export { dropout } from "./ops/dropout";
export { matmul } from "./ops/matmul";
export { linear } from "./ops/linear";
export { conv2d } from "./ops/conv";
export type { Conv2dOptions } from "./ops/conv";
export { maxPool2d, avgPool2d } from "./ops/pool";
export type { Pool2dOptions } from "./ops/pool";
export type { TensorLike } from "./ops/operand";
