/**
 * Where the kernels' bytes come from in Node: the committed kernels.wasm beside this module (in
 * the sources and in dist/cjs, where the build copies it). The browser build swaps this file for
 * `kernel-bytes.browser.ts`, which has the same bytes inlined by the bundler, so the CommonJS and
 * ES-module builds never carry them in their JavaScript.
 *
 * @example
 * kernelBytes().length // the size of core/wasm/kernels.wasm
 */

/**
 * The path of the committed kernels.wasm (beside this file, in the sources and in a build).
 * @example fs.existsSync(kernelPath()) // true
 */
export function kernelPath(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("path") as typeof import("path")).join(__dirname, "kernels.wasm");
}

/**
 * The bytes of kernels.wasm, read from the file next to this module.
 * @example WebAssembly.validate(kernelBytes()) // true on Node 20
 */
export function kernelBytes(): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("fs") as typeof import("fs")).readFileSync(kernelPath());
}
