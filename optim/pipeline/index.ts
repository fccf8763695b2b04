/** The pipeline stages as standalone functions over raw typed arrays (each testable alone). */
export { clipByNorm, clipByGlobalNorm, clipByValue, clipInPlace, clipActive, globalNorm } from "./clip";
export type { ClipOptions } from "./clip";
export { unscale, accumulate, averageInto, maxInto, decoupledDecay, emaUpdate, swapContents } from "./stages";
export { roundFor } from "./round";
export type { Round } from "./round";
