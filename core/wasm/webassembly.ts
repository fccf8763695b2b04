/**
 * The few WebAssembly JS-API types the loader uses. The project's `lib` is ES2022 without DOM,
 * and @types/node does not declare them; these match lib.dom's declarations (a subset).
 *
 * @example const mem = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace WebAssembly {
    interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
    interface ModuleImportDescriptor { module: string; name: string; kind: string }
    interface ModuleExportDescriptor { name: string; kind: string }
    class Memory {
      constructor(descriptor: MemoryDescriptor);
      readonly buffer: ArrayBuffer | SharedArrayBuffer;
      grow(delta: number): number;
    }
    class Module {
      constructor(bytes: ArrayBufferView | ArrayBuffer);
      static imports(module: Module): ModuleImportDescriptor[];
      static exports(module: Module): ModuleExportDescriptor[];
    }
    class Instance {
      constructor(module: Module, importObject?: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
    function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
  }
}

export {};
