/**
 * The exponential moving average of the weights (`useEma`): the per-step stage, and the check
 * behind `finalizeVariableValues` / `swapEmaWeights`. Parameters with `overwriteWithGradient`
 * have no average (Keras skips them).
 *
 * @example emaStep(averages, params, { iterations: 0, momentum: 0.99, overwriteFrequency: null })
 */
import type { Parameter } from "../core/parameter";
import type { FloatArray } from "../core/dtype";
import { emaUpdate } from "./pipeline/stages";
import { checkParamList } from "./apply-check";

/**
 * One EMA step over every built parameter: the first real update copies the weights (momentum
 * 0, no zero-init bias), later ones blend with `momentum`; every `overwriteFrequency` real
 * updates the weights take the averages. `iterations` counts real updates before this one.
 */
export function emaStep(
  averages: FloatArray[],
  params: readonly Parameter[],
  o: { iterations: number; momentum: number; overwriteFrequency: number | null },
): void {
  const momentum = o.iterations !== 0 ? o.momentum : 0;
  for (let i = 0; i < params.length; i++) {
    if (params[i].overwriteWithGradient !== true) emaUpdate(averages[i], params[i].values, momentum);
  }
  const freq = o.overwriteFrequency;
  if (freq !== null && (o.iterations + 1) % freq === 0) {
    for (let i = 0; i < params.length; i++) {
      if (params[i].overwriteWithGradient !== true) params[i].values.set(averages[i]);
    }
  }
}

/** Throws unless `params` are exactly the optimizer's built parameters (any order). */
export function checkEmaParams(
  owner: string,
  params: unknown,
  built: readonly Parameter[],
  indexOf: (p: Parameter) => number,
  isBuilt: boolean,
  what: string,
): readonly Parameter[] {
  const list = checkParamList(owner, params, "params");
  if (list.length !== built.length) {
    throw new Error(
      `${owner}: ${what}: got ${list.length} parameters but the optimizer holds EMA weights for ${built.length}${isBuilt ? "" : " (it was never applied/built)"}`,
    );
  }
  list.forEach((p, k) => {
    if (indexOf(p) < 0) throw new Error(`${owner}: ${what}: params[${k}]${p.name ? ` ("${p.name}")` : ""} is not one of the optimizer's parameters`);
  });
  return list;
}
