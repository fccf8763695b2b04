/**
 * The elementwise hot ops of a training step (relu and its backward) on the wasm kernels for
 * ordinary arrays: inputs outside the heap are copied into kept scratch blocks (./stage.ts), the
 * kernel runs there and the result is copied out. Bit-identical to the JS loops of
 * core/ops/unary.ts (max(x, 0) with NaN kept, and (x > 0)·g + 0).
 *
 * Why staging pays here: V8 compiles the JS `Math.max(x, 0)` loop to ~7 ns an element (its -0 and
 * NaN rules), while a copy is well under 1 ns and the f32x4 kernel less: on the CNN's
 * [32,8,28,28] activation relu + its backward measured 2.1 ms js → 0.7 ms wasm, output
 * allocations included, on a loaded machine (bench/experiments/conv-paths.ts). Below RELU_MIN
 * elements the call overhead is not worth it.
 *
 * @example if (!reluStaged(x, y)) for (let i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0);
 */
import { wasmKernels } from "./loader";
import { reluBackwardF32, reluF32 } from "./ops";
import { scratchBlock, stagedIn } from "./stage";

/** Fewer elements than this stay in JavaScript (the copies and checks would cost more). */
export const RELU_MIN = 1024;

/** Calls run here (tests check that the wasm backend really took this path). */
export const opStagedStats = { relu: 0, reluBackward: 0 };

/** An output view: `y` itself when it is in the heap, else role `role`'s block. */
function outBlock(role: string, y: Float32Array): Float32Array {
  return wasmKernels().heap.owns(y) ? y : scratchBlock(role, y.length);
}

/** y = max(x, 0); false (nothing done) below RELU_MIN elements. */
export function reluStaged(x: Float32Array, y: Float32Array): boolean {
  if (x.length < RELU_MIN) return false;
  const xs = stagedIn("relu.x", x),
    ys = outBlock("relu.y", y);
  reluF32(xs, ys);
  opStagedStats.relu++;
  if (ys !== y) y.set(ys);
  return true;
}

/** dx = (x > 0)·g + 0; false (nothing done) below RELU_MIN elements. */
export function reluBackwardStaged(x: Float32Array, g: Float32Array, dx: Float32Array): boolean {
  if (x.length < RELU_MIN) return false;
  const xs = stagedIn("relu.x", x),
    gs = stagedIn("relu.g", g),
    ds = outBlock("relu.dx", dx);
  reluBackwardF32(xs, gs, ds);
  opStagedStats.reluBackward++;
  if (ds !== dx) dx.set(ds);
  return true;
}
