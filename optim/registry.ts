/**
 * Keras-style (de)serialisation of optimizers: `{ module, class_name, config, registered_name }`.
 * Each optimizer file registers itself here, which avoids an import cycle with
 * LossScaleOptimizer (it deserialises its inner optimizer).
 */
import type { Optimizer } from "./optimizer";
import { deserializeSchedule, isSchedule } from "./schedules";
import { camelCase, checkOptionKeys, fail, snakeCase } from "../core/check";

type FromConfig = (config: Record<string, unknown>) => Optimizer;
const registry = new Map<string, { className: string; fromConfig: FromConfig }>();

/** Makes `deserializeOptimizer` know a class (case-insensitive name). */
export function registerOptimizer(className: string, fromConfig: FromConfig): void {
  registry.set(className.toLowerCase(), { className, fromConfig });
}

/** An optimizer as Keras serialises it. @example serializeOptimizer(new Lion()).class_name // "Lion" */
export interface SerializedOptimizer {
  module: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name: string | null;
}

/** @example serializeOptimizer(new Lion()) // { module: "keras.optimizers", class_name: "Lion", config: {...}, registered_name: null } */
export function serializeOptimizer(opt: Optimizer): SerializedOptimizer {
  return { module: "keras.optimizers", class_name: opt.className, config: opt.getConfig(), registered_name: null };
}

/**
 * A Keras-serialised optimizer (or just a class name, case-insensitive: "adamw") → an instance.
 * @example deserializeOptimizer({ class_name: "Lion", config: { learning_rate: 1e-4, beta_1: 0.9, beta_2: 0.99 } })
 */
export function deserializeOptimizer(obj: SerializedOptimizer | { class_name: string; config?: Record<string, unknown> } | string): Optimizer {
  const name = typeof obj === "string" ? obj : obj?.class_name;
  const entry = typeof name === "string" ? registry.get(name.toLowerCase()) : undefined;
  if (!entry) fail("optim", "class_name", `one of ${[...registry.values()].map((e) => e.className).join(", ")}`, name);
  return entry.fromConfig(typeof obj === "string" ? {} : (obj.config ?? {}));
}

/** Keras's base config keys (snake_case) → ndgrad option names. */
export const BASE_CONFIG_KEYS: Readonly<Record<string, string>> = {
  name: "name",
  learning_rate: "learningRate",
  weight_decay: "weightDecay",
  clipnorm: "clipNorm",
  global_clipnorm: "globalClipNorm",
  clipvalue: "clipValue",
  use_ema: "useEma",
  ema_momentum: "emaMomentum",
  ema_overwrite_frequency: "emaOverwriteFrequency",
  loss_scale_factor: "lossScaleFactor",
  gradient_accumulation_steps: "gradientAccumulationSteps",
};

/**
 * The Keras config key of a base option (`clipNorm` → `clipnorm`), else its snake_case.
 * @example kerasKeyOf("globalClipNorm") // "global_clipnorm"
 */
export function kerasKeyOf(option: string): string {
  return Object.keys(BASE_CONFIG_KEYS).find((k) => BASE_CONFIG_KEYS[k] === option) ?? snakeCase(option);
}

/**
 * Keras config (snake_case, as `get_config()` writes it) → camelCase constructor options.
 * A serialised schedule under `learning_rate` is deserialised; `decay: null` (old configs) is
 * dropped; any other unknown key throws naming the class and the key.
 */
export function optionsFromKerasConfig(className: string, config: Record<string, unknown>, ownKeys: Readonly<Record<string, string>>): Record<string, unknown> {
  if (typeof config !== "object" || config === null || Array.isArray(config)) fail(`${className}.fromConfig`, "config", "an object", config);
  const keys = { ...BASE_CONFIG_KEYS, ...ownKeys };
  const rest = { ...config };
  if ("decay" in rest && (rest.decay === null || rest.decay === undefined)) delete rest.decay;
  checkOptionKeys(`${className}.fromConfig`, rest, Object.keys(keys), "config key");
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    const camel = keys[k] ?? camelCase(k);
    if (k === "learning_rate" && typeof v === "object" && v !== null && !isSchedule(v))
      out[camel] = deserializeSchedule(v as { class_name?: unknown; config?: unknown });
    else out[camel] = v;
  }
  return out;
}
