/**
 * The browser build's twin of `kernel-bytes.ts`: the bytes of the committed kernels.wasm, inlined
 * into the bundle by esbuild's `binary` loader (scripts/build.ts), so a page needs no fetch, no
 * second file and no server setup for them. The one source stays core/wasm/kernels.wasm.
 *
 * @example
 * kernelBytes().length // the size of core/wasm/kernels.wasm
 */
import inlinedKernels from "./kernels.wasm";

/**
 * Where the kernels come from: the browser build has no file system, so no path; it says so.
 * @example kernelPath() // throws: the bytes are inlined (use kernelBytes())
 */
export function kernelPath(): string {
  throw new Error("kernelPath: the browser build has no file system; its kernels.wasm is inlined in the bundle (use kernelBytes())");
}

/**
 * The bytes of kernels.wasm, inlined in the bundle.
 * @example WebAssembly.validate(kernelBytes()) // true in current browsers
 */
export function kernelBytes(): Uint8Array {
  return inlinedKernels;
}
