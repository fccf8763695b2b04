/**
 * The options every optimizer takes (Keras 3's base arguments, camelCase), checked in one place
 * and returned as plain settings: the constructor of `Optimizer` copies them onto itself.
 *
 * @example const s = parseBaseOptions("Lion", { learningRate: 1e-4, weightDecay: 0.1 }, { learningRate: 0.001 }, ["beta1", "beta2"]);
 */
import type { LearningRate, OptimizerOptions } from "./types";
import { checkBoolean, checkOptionKeys, checkNumber, checkOptionalNumber, checkOptions, fail, show } from "../core/check";
import { checkLearningRate, uniqueName } from "./arguments";

/** The base option names (each rule adds its own). */
export const BASE_OPTION_KEYS = [
  "learningRate",
  "weightDecay",
  "clipNorm",
  "clipValue",
  "globalClipNorm",
  "useEma",
  "emaMomentum",
  "emaOverwriteFrequency",
  "lossScaleFactor",
  "gradientAccumulationSteps",
  "name",
  "checkFinite",
] as const;

/** The checked base options, with Keras's defaults filled in. */
export interface BaseSettings {
  name: string;
  learningRate: LearningRate;
  weightDecay: number | null;
  clipNorm: number | null;
  clipValue: number | null;
  globalClipNorm: number | null;
  useEma: boolean;
  emaMomentum: number;
  emaOverwriteFrequency: number | null;
  lossScaleFactor: number | null;
  gradientAccumulationSteps: number | null;
  checkFinite: boolean;
}

/** Checks `options` (base keys plus `ownKeys`) for optimizer `className`; throws naming the first bad one. */
export function parseBaseOptions(
  className: string,
  options: OptimizerOptions | undefined,
  defaults: { learningRate: number; weightDecay?: number | null },
  ownKeys: readonly string[] = [],
): BaseSettings {
  const o = className;
  const opts = checkOptions(o, options) as Record<string, unknown>;
  checkOptionKeys(o, opts, [...BASE_OPTION_KEYS, ...ownKeys]);
  const learningRate = checkLearningRate(o, opts.learningRate === undefined ? defaults.learningRate : opts.learningRate);
  const weightDecay = opts.weightDecay === undefined ? (defaults.weightDecay ?? null) : checkOptionalNumber(o, "weightDecay", opts.weightDecay, { min: 0 });
  const clipNorm = checkOptionalNumber(o, "clipNorm", opts.clipNorm, { min: 0 });
  const clipValue = checkOptionalNumber(o, "clipValue", opts.clipValue, { min: 0 });
  const globalClipNorm = checkOptionalNumber(o, "globalClipNorm", opts.globalClipNorm, { min: 0 });
  if ([clipNorm, clipValue, globalClipNorm].filter((c) => c !== null).length > 1) {
    throw new Error(
      `${o}: only one of clipNorm, clipValue and globalClipNorm can be set, got clipNorm=${show(clipNorm)}, clipValue=${show(clipValue)}, globalClipNorm=${show(globalClipNorm)}`,
    );
  }
  const useEma = checkBoolean(o, "useEma", opts.useEma ?? false);
  const emaMomentum = checkNumber(o, "emaMomentum", opts.emaMomentum ?? 0.99, { min: 0, max: 1 });
  // Keras: 0 means "never", like null.
  const emaOverwriteFrequency =
    opts.emaOverwriteFrequency === 0 ? null : checkOptionalNumber(o, "emaOverwriteFrequency", opts.emaOverwriteFrequency, { min: 1, integer: true });
  const lossScaleFactor = checkOptionalNumber(o, "lossScaleFactor", opts.lossScaleFactor, { min: 0, minOpen: true });
  const gradientAccumulationSteps = checkOptionalNumber(o, "gradientAccumulationSteps", opts.gradientAccumulationSteps, { min: 1, integer: true });
  const checkFinite = checkBoolean(o, "checkFinite", opts.checkFinite ?? false);
  if (opts.name !== undefined && opts.name !== null && typeof opts.name !== "string") fail(o, "name", "a string", opts.name);
  const name = typeof opts.name === "string" ? opts.name : uniqueName(className);
  return {
    name,
    learningRate,
    weightDecay,
    clipNorm,
    clipValue,
    globalClipNorm,
    useEma,
    emaMomentum,
    emaOverwriteFrequency,
    lossScaleFactor,
    gradientAccumulationSteps,
    checkFinite,
  };
}
