/**
 * Weight files on disk (Node only). The browser build swaps this module for
 * `weights-file.browser.ts`, whose functions explain what to use instead; the byte forms in
 * `safetensors.ts` work everywhere.
 */
import * as fs from "fs";
import type { Tensor } from "../core";
import type { Module } from "./module";
import { parseSafetensors, saveWeightsBytes } from "./safetensors";

/**
 * Writes the model's state dict (parameters and buffers, PyTorch names) to a safetensors file.
 * @example saveWeights(model, "model.safetensors")
 */
export function saveWeights(model: Module, path: string, opts: { metadata?: Record<string, string> } = {}): void {
  fs.writeFileSync(path, saveWeightsBytes(model, opts));
}

/**
 * Loads a safetensors file into the model through `loadStateDict` (strict: the keys and shapes
 * must match; on any error the model is left unchanged).
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
