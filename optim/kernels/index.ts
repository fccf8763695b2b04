/**
 * Monomorphic per-dtype kernels of the optimizers: top-level functions over typed arrays and
 * numbers only, one fused pass each, no allocation. The optimizer classes and pipeline stages
 * pick the Float32Array or Float64Array version and call it.
 *
 * @example import { lionF32 } from "./kernels"; lionF32(v, g, m, 1e-4, 0.9, 0.99, 0.1);
 */
export { lionF32, lionF64 } from "./lion";
export { adamAlphaF32, adamAlphaF64, adamF32, adamF64, adamAmsgradF32, adamAmsgradF64 } from "./adam";
export { sgdF32, sgdF64, sgdMomentumF32, sgdMomentumF64 } from "./sgd";
export { decayF32, decayF64 } from "./decay";
export { emaF32, emaF64 } from "./ema";
export { accumulateF32, accumulateF64, averageIntoF32, averageIntoF64 } from "./accumulate";
export { allFiniteF32, allFiniteF64, unscaleF32, unscaleF64 } from "./unscale";
export { sumOfSquaresF32, sumOfSquaresF64, clipByNormF32, clipByNormF64, scaleF32, scaleF64, clipByValueF32, clipByValueF64 } from "./clip";
