// AssemblyScript entry of core/wasm/kernels.wasm (`npm run build:wasm`). The module imports its
// memory (env.memory, shared) and keeps no mutable state of its own: every buffer, scratch
// included, is handed in by the JS side (../memory.ts), so any number of threads can run it on one
// memory. Its only static data are Math.log's constant tables, below heapBase().
export * from "./optim";
export * from "./gemm";
export * from "./ops";
export * from "./conv";
export * from "./maxpool";
export * from "./conv3x3";

/** The end of the module's static data (constant tables): the JS allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
