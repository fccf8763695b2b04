/**
 * The wasm column of the elementwise dispatch (`core/kernels/elementwise.ts`): the JS kernel's
 * name → its wasm twin with the same argument order. A float32 pass runs here when every array
 * of the call lives in the wasm heap (then the kernel reads it in place); otherwise the caller
 * runs the JavaScript kernel, which gives the same bits.
 *
 * @example if (!wasmElementwiseColumn("lionF32", [v, g, m], [lr, b1, b2, wd])) lionF32(v, g, m, lr, b1, b2, wd);
 */
import { wasmKernels } from "./loader";
import * as k from "./optim";

type Kernel = (...args: never[]) => void;

// `unscaleIntoF32(g, out, factor)` is the JS descriptor's order (arrays first); the wasm
// wrapper keeps the JS kernel's `unscaleF32(g, factor, out)`.
const TABLE: Record<string, Kernel> = {
  lionF32: k.lionF32,
  adamF32: k.adamF32,
  adamAmsgradF32: k.adamAmsgradF32,
  sgdF32: k.sgdF32,
  sgdMomentumF32: k.sgdMomentumF32,
  decayF32: k.decayF32,
  emaF32: k.emaF32,
  accumulateF32: k.accumulateF32,
  averageIntoF32: k.averageIntoF32,
  unscaleIntoF32: (g: Float32Array, out: Float32Array, factor: number) => k.unscaleF32(g, factor, out),
  scaleF32: k.scaleF32,
  scaleByNormF32: k.scaleByNormF32,
  clipByValueF32: k.clipByValueF32,
};

/** How many passes the column has run (tests check that a backend really ran its kernels). */
export const wasmColumnStats = { calls: 0 };

/**
 * Runs the wasm twin of the float32 kernel `name` and returns true, or returns false (running
 * nothing) when there is no twin or an array is not in the wasm heap.
 */
export function wasmElementwiseColumn(name: string, arrays: readonly ArrayLike<number>[], scalars: (number | boolean)[]): boolean {
  const fn = TABLE[name];
  if (fn === undefined) return false;
  const heap = wasmKernels().heap;
  for (const a of arrays) if (!heap.owns(a as Float32Array)) return false;
  (fn as (...a: unknown[]) => void)(...arrays, ...scalars);
  wasmColumnStats.calls++;
  return true;
}

/** The kernel names the column serves (for tests). @example wasmColumnKernels().includes("lionF32") // true */
export function wasmColumnKernels(): string[] {
  return Object.keys(TABLE);
}
