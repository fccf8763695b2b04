/**
 * The few WebAssembly JS-API types the loader uses, as a typed handle on the global rather than
 * a declaration of it: the project's `lib` is ES2022 without DOM and @types/node does not declare
 * them, while the playground's type-check has lib.dom, whose declarations would clash with a
 * second global one. These match lib.dom's (a subset).
 *
 * @example const mem = new (wasmApi().Memory)({ initial: 1, maximum: 16, shared: true });
 */

/** `WebAssembly.Memory`'s constructor argument. */
export interface WasmMemoryDescriptor {
  initial: number;
  maximum?: number;
  shared?: boolean;
}
/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}
/** A compiled `WebAssembly.Module` (opaque; postable to workers). */
export interface WasmModule {
  readonly __wasmModule?: never;
}
/** A `WebAssembly.Instance`. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The part of the global `WebAssembly` namespace ndgrad uses. */
export interface WasmApi {
  Memory: new (descriptor: WasmMemoryDescriptor) => WasmMemory;
  Module: {
    new (bytes: ArrayBufferView | ArrayBuffer): WasmModule;
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
    exports(module: WasmModule): { name: string; kind: string }[];
  };
  Instance: new (module: WasmModule, importObject?: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}

/**
 * The global `WebAssembly`, or undefined where the engine has none.
 * @example if (wasmApiOrUndefined() === undefined) console.log("no WebAssembly here");
 */
export function wasmApiOrUndefined(): WasmApi | undefined {
  const w = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  return typeof w === "object" && w !== null ? w : undefined;
}

/**
 * The global `WebAssembly`; throws where the engine has none.
 * @example const mod = new (wasmApi().Module)(bytes);
 */
export function wasmApi(): WasmApi {
  const w = wasmApiOrUndefined();
  if (w === undefined) throw new Error("wasm kernels: this JavaScript engine has no WebAssembly");
  return w;
}
