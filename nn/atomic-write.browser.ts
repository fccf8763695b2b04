/** The browser build's stand-in for `atomic-write.ts`: a page has no file system to write to. */

/**
 * Node only: in a browser, keep the bytes (IndexedDB, a download, `fetch` with a body) instead.
 * @example const bytes = nn.saveWeightsBytes(model); // store these instead of writing a file
 */
export function writeFileAtomic(file: string, _data: string | Uint8Array): void {
  throw new Error(
    `writeFileAtomic(${typeof file === "string" ? `"${file}"` : typeof file}) needs Node (a file system); in a browser, store the bytes yourself (IndexedDB, a download), e.g. from saveWeightsBytes(model)`,
  );
}
