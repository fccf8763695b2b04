/**
 * The browser build's stand-in for `weights-file.ts`: a page has no file paths, so these say
 * which byte form to use instead (the bytes can come from `fetch`, a file input or IndexedDB).
 */
import type { Module } from "./module";
import type { SaveWeightsOptions } from "./safetensors";

/**
 * Node only: in a browser, `saveWeightsBytes(model)` gives the same bytes to store or download.
 * @example saveWeightsBytes(model) // instead of saveWeights(model, "model.safetensors")
 */
export function saveWeights(_model: Module, path: string, _opts: SaveWeightsOptions = {}): void {
  throw new Error(
    `saveWeights(model, ${JSON.stringify(String(path))}) needs Node (a file path); in a browser, use saveWeightsBytes(model) and store or download the bytes`,
  );
}

/**
 * Node only: in a browser, parse the bytes with `parseSafetensors` or `loadWeightsBytes`.
 * @example loadWeightsBytes(model, new Uint8Array(await (await fetch(url)).arrayBuffer()))
 */
export function loadWeights(_model: Module, path: string): void {
  throw new Error(
    `loadWeights(model, ${JSON.stringify(String(path))}) needs Node (a file path); in a browser, parse the bytes with parseSafetensors, or call loadWeightsBytes(model, bytes)`,
  );
}
