/**
 * The slot through which ops reach another backend's float32 kernels (the wasm ones, installed
 * by core/backend.ts's switch, as `setWasmGemm` installs the GEMM): an op asks `wasmOpKernels()`
 * and runs its JavaScript loop when that is null (the js backend) or when the
 * kernel declines (returns false: too small to gain, or no room left in the wasm heap for staging;
 * a declining kernel has written no output, except conv2d's backward, which hands dx and dw back
 * zeroed, as the JS kernels expect them). Ops import only this slot, not the wasm modules, so
 * core/ops does not depend on core/wasm (the switch in core/backend.ts fills it, in Node and in
 * the browser build alike).
 *
 * @example
 * const k = wasmOpKernels();
 * if (k !== null && x.dtype === "float32") k.convForward(xv, wv, bv, g, out);
 */
import type { ConvGeometry } from "../wasm/conv";

/** The float32 kernels an op may hand its arrays to (ordinary or heap arrays; outputs preallocated). */
export interface OpKernels {
  /** conv2d forward (not 1 × 1 pointwise): out = conv(x, w) + b; false (out untouched) when declined. */
  convForward(x: Float32Array, w: Float32Array, b: Float32Array | null, g: ConvGeometry, out: Float32Array): boolean;
  /** conv2d backward: dx and dw overwritten, either may be null; false (both zeroed) when declined. */
  convBackward(x: Float32Array, w: Float32Array, dOut: Float32Array, g: ConvGeometry, dx: Float32Array | null, dw: Float32Array | null): boolean;
  /** conv2d's bias gradient db[o] = Σ dOut[n, o, ·] (dOut [N, O, OH·OW]) for the conv2d call of geometry `g`; false (db untouched) when declined. */
  convBiasGradient(dOut: Float32Array, g: ConvGeometry, db: Float32Array): boolean;
  /** y = max(x, 0); false (nothing done) when the kernel declines (too small to gain). */
  relu(x: Float32Array, y: Float32Array): boolean;
  /** dx = (x > 0)·g + 0; false when declined. */
  reluBackward(x: Float32Array, g: Float32Array, dx: Float32Array): boolean;
  /** 2 × 2 / stride 2 max pooling of `planes` planes (arg: flat arg-max indices, or null); false when declined. */
  maxPool2x2(x: Float32Array, out: Float32Array, arg: Int32Array | null, planes: number, H: number, W: number, OH: number, OW: number): boolean;
}

let installed: OpKernels | null = null;

/** Installs (or, with null, removes) the op kernels. @example setWasmOpKernels(null); // JS loops everywhere */
export function setWasmOpKernels(k: OpKernels | null): void {
  installed = k;
}

/** The installed op kernels, or null. @example wasmOpKernels() === null // on the js backend */
export function wasmOpKernels(): OpKernels | null {
  return installed;
}
