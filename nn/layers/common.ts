/** Small helpers shared by the layers: argument validation and the options every layer takes. */
import { Tensor } from "../../core";
import { DType, checkDType } from "../../core/dtype";
import { Generator, generatorFor } from "../../core/random";
import { fmt } from "../../core/shape";
import { checkOptionKeys, show } from "../../core/check";
import { checkTensor } from "../../core/ops/operand";

/** Options every layer with parameters accepts. */
export interface LayerOptions {
  /** Seed for reproducible initialisation (a fresh Generator); otherwise the global one. */
  seed?: number;
  /** Parameter dtype (default float32); inputs must match it. */
  dtype?: DType;
}

/** Throws `${layer}: ${what} must be a positive integer, got ...` unless v is one. */
export function positiveInt(v: unknown, layer: string, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new Error(`${layer}: ${what} must be a positive integer, got ${show(v)}`);
  }
  return v;
}

/** Validates the common options; returns the dtype and the init generator. */
export function layerSetup(layer: string, opts: LayerOptions, ownKeys: readonly string[] = []): { dtype: DType; gen: Generator } {
  if (opts === null || typeof opts !== "object") throw new Error(`${layer}: options must be an object, got ${show(opts)}`);
  checkOptionKeys(layer, opts, ["seed", "dtype", ...ownKeys]);
  const dtype = checkDType(opts.dtype ?? "float32", layer);
  if (opts.seed !== undefined && !Number.isFinite(opts.seed)) {
    throw new Error(`${layer}: seed must be a finite number, got ${opts.seed}`);
  }
  return { dtype, gen: generatorFor(opts.seed) };
}

/** Throws unless `x` is a Tensor of the layer's dtype. */
export function checkInput(x: unknown, layer: string, dtype?: DType): asserts x is Tensor {
  checkTensor(layer, "input", x);
  if (dtype !== undefined && x.dtype !== dtype) {
    throw new Error(`${layer}: input is ${x.dtype} ${fmt(x.shape)} but the layer's parameters are ${dtype}; convert one of them`);
  }
}
