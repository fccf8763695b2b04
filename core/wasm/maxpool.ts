/**
 * maxPool2d over 2 × 2 windows with stride 2 (the CNN's pooling) on the wasm kernel
 * `maxPool2x2F32` (core/wasm/asm/maxpool.ts) for ordinary arrays: x is staged into a kept heap
 * block (./stage.ts), the maxima (and arg-max indices, when a gradient may be asked for) are
 * copied out. Values and indices are identical to the JS loop of core/ops/pool.ts (selection
 * only, same comparisons in the same order).
 *
 * Why: the JS loop's compares branch on random data (~14 ns an output in a profile); the kernel
 * selects four outputs at a time without branches. On the CNN's [32,8,28,28] → [32,8,14,14],
 * forward + the (JS) backward scatter measured 1.05 ms js → 0.53 ms wasm on a loaded machine
 * (bench/experiments/conv-paths.ts).
 *
 * @example if (!maxPool2x2Staged(xv, out, arg, N * C, H, W, OH, OW)) maxPool2x2Arg(xv, out, arg, N * C, H, W, OH, OW);
 */
import { wasmKernels } from "./loader";
import { scratchBlock, scratchInt32Block, stagedIn } from "./stage";

/** Fewer outputs than this stay in JavaScript (the copies and the call would cost more). */
export const MAXPOOL_MIN = 256;

/** Calls run here (tests check that the wasm backend really took this path). */
export const maxPoolStagedStats = { calls: 0 };

/** The export this file calls (typed here, beside its only wrapper). */
interface MaxPoolExports {
  maxPool2x2F32(px: number, pout: number, parg: number, planes: number, H: number, W: number, OH: number, OW: number): void;
}

/**
 * out = 2 × 2 / stride 2 max pooling of `planes` H × W planes of x; arg (or null) gets the flat
 * index of each maximum. Returns false, doing nothing, below MAXPOOL_MIN outputs.
 */
export function maxPool2x2Staged(
  x: Float32Array,
  out: Float32Array,
  arg: Int32Array | null,
  planes: number,
  H: number,
  W: number,
  OH: number,
  OW: number,
): boolean {
  const n = planes * OH * OW;
  if (n < MAXPOOL_MIN) return false;
  if (x.length !== planes * H * W || out.length !== n || (arg !== null && arg.length !== n) || OH !== H >> 1 || OW !== W >> 1) {
    throw new Error(
      `maxPool2x2Staged (wasm): ${planes} planes of ${H}×${W} → ${OH}×${OW} do not fit x (${x.length}), out (${out.length}), arg (${arg?.length})`,
    );
  }
  const heap = wasmKernels().heap;
  const xs = stagedIn("maxpool.x", x);
  const os = heap.owns(out) ? out : scratchBlock("maxpool.out", n);
  const as = arg === null ? null : heap.owns(arg) ? arg : scratchInt32Block("maxpool.arg", n);
  (wasmKernels().exports as unknown as MaxPoolExports).maxPool2x2F32(xs.byteOffset, os.byteOffset, as === null ? 0 : as.byteOffset, planes, H, W, OH, OW);
  maxPoolStagedStats.calls++;
  if (os !== out) out.set(os);
  if (arg !== null && as !== null && as !== arg) arg.set(as);
  return true;
}
