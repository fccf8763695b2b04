/**
 * Keras casts every coefficient to the variable's dtype and rounds after each tensor op. For a
 * float32 variable `roundFor` gives `Math.fround`, which reproduces that rounding on the JS
 * doubles in between (a typed-array store only rounds the final result); float64 needs none.
 */
import type { FloatArray } from "../../core/dtype";

/** Rounding to the working dtype: Math.fround for float32, the identity for float64. @example const r: Round = roundFor("float32"); */
export type Round = (x: number) => number;

const identity: Round = (x) => x;

/** `Math.fround` for a Float32Array, the identity for a Float64Array. */
export function roundFor(a: FloatArray): Round {
  return a instanceof Float32Array ? Math.fround : identity;
}
