/**
 * Whether this engine can run the wasm kernels, and if not, why: the reason the backend switch
 * shows (`backendReason()` in core/backend.ts) when it falls back to JavaScript.
 *
 * Two things must hold. The engine validates the module (WebAssembly with 128-bit SIMD and the
 * threads proposal's atomics), and it lets the page make the *shared* memory the module imports.
 * The second is not implied by the first: `WebAssembly.validate` only checks the bytes. Shared
 * memory is what keeps every view into the heap valid when it grows (CONTRIBUTING, "WebAssembly
 * kernels"), so there is no unshared variant to fall back to. What browsers do (tested in
 * Chromium 156): Chromium makes a shared `WebAssembly.Memory` in any page, cross-origin isolated
 * or not, over http and from file://, even where the `SharedArrayBuffer` global is hidden; an
 * engine that gates it behind cross-origin isolation throws here, and ndgrad then runs on "js".
 *
 * @example
 * wasmUnavailableReason() // null on Node 20 and in Chromium: the kernels can run
 */
import { wasmApiOrUndefined } from "./webassembly";
import { kernelBytes } from "./kernel-bytes";
import { DEFAULT_MAXIMUM_MIB } from "./memory";

/** The message of whatever was thrown (an engine may throw a non-Error). */
function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What a page needs for shared memory where the engine gates it, with the page's own state. */
function isolationHint(): string {
  const isolated = (globalThis as { crossOriginIsolated?: unknown }).crossOriginIsolated;
  if (isolated === undefined) return "";
  return (
    `; this page is ${isolated === true ? "" : "not "}cross-origin isolated (crossOriginIsolated is ${String(isolated)}), ` +
    "and engines that gate shared memory need the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp"
  );
}

/**
 * Null when the kernels (the given bytes, or kernels.wasm) can run here; otherwise one sentence
 * saying what is missing.
 * @example const why = wasmUnavailableReason(); if (why !== null) console.log(`js only: ${why}`);
 */
export function wasmUnavailableReason(bytes?: Uint8Array): string | null {
  const api = wasmApiOrUndefined();
  if (api === undefined || typeof api.validate !== "function") return "this JavaScript engine has no WebAssembly";
  let valid: boolean;
  try {
    valid = api.validate(bytes ?? kernelBytes());
  } catch (e) {
    return `the wasm kernels could not be read: ${messageOf(e)}`;
  }
  if (!valid) return "this engine does not validate the wasm kernels (they need WebAssembly 128-bit SIMD and threads)";
  try {
    // as big a maximum as the heap asks for: a shared memory reserves it up front, which a
    // small address space (a 32-bit browser) may refuse, and then the kernels cannot run either
    new api.Memory({ initial: 1, maximum: DEFAULT_MAXIMUM_MIB * 16, shared: true });
  } catch (e) {
    return `this engine refuses a shared WebAssembly.Memory (${messageOf(e)})${isolationHint()}`;
  }
  return null;
}
