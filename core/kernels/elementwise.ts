/**
 * The one elementwise dispatch: pick the kernel written for the arrays' dtype, and split a big
 * pass over the helper threads. Every optimizer rule and pipeline stage calls `runElementwise`
 * instead of writing `parallelSized ? parallelFor(K_F32 / K_F64) : kF32 / kF64` itself, so a
 * second backend (WebAssembly kernels, a browser without threads) plugs in here, once.
 *
 * Why per-dtype kernels at all: a loop that serves both dtypes (or many rules) through a
 * function variable turns megamorphic in V8 and runs several times slower; each kernel is a
 * top-level function over typed arrays and numbers, which also lets a helper thread load it by
 * module path and export name (`ParallelKernel`).
 *
 * @example
 * export const LION = perDtype(__filename, { lionF32, lionF64 });
 * runElementwise(LION, [v, g, m], [lr, beta1, beta2, wd]);
 */
import type { FloatArray } from "../dtype";
import { PARALLEL_MIN_ELEMENTS, ParallelKernel, parallelFor } from "./threads";

/** One elementwise kernel written twice, for Float32Array and for Float64Array arguments. */
export interface DtypeKernels {
  readonly f32: ParallelKernel;
  readonly f64: ParallelKernel;
}

/**
 * Describes the two exports of `module` (pass `__filename`) given as `{ nameF32, nameF64 }`:
 * the object keys are the export names a helper thread looks up.
 * @example export const DECAY = perDtype(__filename, { decayF32, decayF64 });
 */
export function perDtype(module: string, fns: Record<string, ParallelKernel["fn"]>): DtypeKernels {
  const names = Object.keys(fns);
  const f32 = names.find((n) => n.endsWith("F32"));
  const f64 = names.find((n) => n.endsWith("F64"));
  if (names.length !== 2 || f32 === undefined || f64 === undefined) {
    throw new Error(`perDtype: expected two kernels named ...F32 and ...F64, got ${names.join(", ") || "none"} (module ${module})`);
  }
  return { f32: { module, name: f32, fn: fns[f32] }, f64: { module, name: f64, fn: fns[f64] } };
}

/** A second column of kernels, by the float32 kernel's name: true when it ran the pass. */
export type KernelColumn = (name: string, arrays: readonly ArrayLike<number>[], scalars: (number | boolean)[]) => boolean;

let float32Column: KernelColumn | null = null;

/**
 * Installs (or, with null, removes) the column tried first for float32 passes: the wasm
 * kernels, installed by `setBackend` (core/backend.ts). A column that declines a call (its
 * arrays are not where its kernels read them) leaves it to the JavaScript kernel.
 * @example setWasmColumn(null); // plain JavaScript from now on
 */
export function setWasmColumn(column: KernelColumn | null): void {
  float32Column = column;
}

/** Whether a pass over `length` elements is big enough to split across threads. */
export function parallelSized(length: number): boolean {
  return length >= PARALLEL_MIN_ELEMENTS;
}

/**
 * Calls `kernel(...arrays, ...scalars)` with the version for the arrays' dtype: directly for a
 * small pass, through `parallelFor` (element ranges on the helper threads, bit-identical) for a
 * big one. Returns false, and runs nothing, when the arrays mix dtypes (the caller then runs
 * its generic loop). `n` is the element count, the first array's length by default.
 * @example if (!runElementwise(ACCUMULATE, [acc, g], [])) for (let k = 0; k < acc.length; k++) acc[k] += g[k];
 */
export function runElementwise(kernel: DtypeKernels, arrays: readonly ArrayLike<number>[], scalars: (number | boolean)[], n = arrays[0].length): boolean {
  const f32 = arrays[0] instanceof Float32Array;
  const Kind = f32 ? Float32Array : Float64Array;
  for (const a of arrays) if (!(a instanceof Kind)) return false;
  const k = f32 ? kernel.f32 : kernel.f64;
  if (f32 && float32Column !== null && n === arrays[0].length && float32Column(k.name, arrays, scalars)) return true;
  if (parallelSized(n)) parallelFor(k, arrays as FloatArray[], scalars, n);
  else (k.fn as (...a: unknown[]) => void)(...arrays, ...scalars);
  return true;
}
