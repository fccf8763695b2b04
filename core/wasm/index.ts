/**
 * ndgrad's WebAssembly SIMD kernels (float32): the loader and shared-memory heap, the helper
 * pool, and JS-facing kernels with the signatures of the JavaScript ones (optim/kernels/*.ts,
 * core/kernels/gemm.ts), which the backend switch (core/backend.ts) installs into the elementwise
 * dispatch and the GEMM: see CONTRIBUTING.md, "WebAssembly kernels".
 *
 * @example
 * import { validateSimd, wasmKernels, lionF32 } from "./core/wasm";
 * if (validateSimd()) { const { heap } = wasmKernels(); const v = heap.alloc(4), g = heap.alloc(4), m = heap.alloc(4); lionF32(v, g, m, 1e-4, 0.9, 0.99, 0); }
 */
export { WasmHeap, type WasmHeapOptions } from "./memory";
export { compileKernels, instantiateKernels, kernelBytes, kernelPath, validateSimd, wasmKernels, type KernelExports, type WasmKernels } from "./loader";
export { WasmPool, wasmPool, type WasmCall } from "./pool";
export { wasmUnavailableReason } from "./support";
export { gemmF32 } from "./gemm";
export { conv2dF32, conv2dBackwardF32, conv2dGeometry, type ConvGeometry } from "./conv";
export * from "./optim";
export * from "./ops";
