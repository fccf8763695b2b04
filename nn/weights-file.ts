/**
 * Weight files on disk (Node only). The browser build swaps this module for
 * `weights-file.browser.ts`, whose functions explain what to use instead; the byte forms in
 * `safetensors.ts` work everywhere.
 */
import * as fs from "fs";
import type { Tensor } from "../core";
import type { Module } from "./module";
import { SaveWeightsOptions, parseSafetensors, saveWeightsBytes } from "./safetensors";
import { writeFileAtomic } from "./atomic-write";

/**
 * Writes the model's state dict (parameters and buffers, PyTorch names) to a safetensors file,
 * atomically: a crash mid-write leaves the previous file intact. `dtype` stores the floats as
 * "float32", "float16" or "bfloat16" (round to nearest even); num_batches_tracked is I64.
 * @example saveWeights(model, "model.safetensors", { dtype: "bfloat16" })
 */
export function saveWeights(model: Module, path: string, opts: SaveWeightsOptions = {}): void {
  if (typeof path !== "string" || path === "")
    throw new Error(`saveWeights: path must be a non-empty string, got ${typeof path === "string" ? '""' : typeof path}`);
  writeFileAtomic(path, saveWeightsBytes(model, opts));
}

/**
 * Loads a safetensors file (F32, F64, F16, BF16 and integer dtypes) into the model through
 * `loadStateDict` (strict: the keys and shapes must match; on any error the model is left
 * unchanged).
 * @example loadWeights(model, "model.safetensors")
 */
export function loadWeights(model: Module, path: string): void {
  let tensors: Record<string, Tensor>;
  try {
    tensors = parseSafetensors(fs.readFileSync(path));
  } catch (e) {
    throw new Error(`loadWeights: ${path}: ${(e as Error).message}`);
  }
  model.loadStateDict(tensors);
}
