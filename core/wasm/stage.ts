/**
 * Kept scratch blocks in the wasm heap, by role, for the ops that run wasm kernels on operands
 * wherever they live (core/wasm/conv-staged.ts, core/wasm/op-staged.ts). An op's inputs and
 * outputs are ordinary arrays (op outputs are not long-lived: see CONTRIBUTING's heap invariant),
 * so an operand outside the heap is copied into its role's block, the kernel runs there, and the
 * result is copied out. Each block is kept and grown (by at least a quarter) to the largest size
 * its role has seen, so a training step allocates nothing in the heap; memory stays bounded by
 * the biggest activation of each role.
 *
 * Roles are distinct per op and operand, so one op's staging never overwrites another's inputs
 * while it runs (the kernels are synchronous and JavaScript runs one op at a time).
 *
 * @example
 * const xs = stagedIn("relu.x", x);   // x itself when it is in the heap, else a heap copy
 * const ys = scratchBlock("relu.y", x.length);
 */
import { wasmKernels } from "./loader";

const blocks = new Map<string, Float32Array>();

/**
 * Thrown by `scratchBlock` when the heap cannot hold a block (it is at its maximum): the op
 * kernels catch it and decline, so the op runs its JavaScript loop instead of failing.
 */
export class StagingFull extends Error {}

/** A heap view of exactly `n` elements on role `role`'s kept block (contents undefined). */
export function scratchBlock(role: string, n: number): Float32Array {
  let b = blocks.get(role);
  if (b === undefined || b.length < n) {
    const heap = wasmKernels().heap;
    const grown = Math.max(n, b === undefined ? 0 : Math.ceil(b.length * 1.25));
    if (b !== undefined) heap.free(b);
    blocks.delete(role);
    try {
      b = heap.alloc(grown);
    } catch (e) {
      throw new StagingFull(`wasm staging: no room for ${grown} elements (${role}): ${(e as Error).message}`);
    }
    blocks.set(role, b);
  }
  return b.length === n ? b : b.subarray(0, n);
}

/** What `f` returns (whether it ran), or false when it ran out of heap (StagingFull) before writing anything. */
export function unlessFull(f: () => boolean): boolean {
  try {
    return f();
  } catch (e) {
    if (e instanceof StagingFull) return false;
    throw e;
  }
}

/** `a` itself when it lives in the heap, else a copy of it in role `role`'s block. */
export function stagedIn(role: string, a: Float32Array): Float32Array {
  if (wasmKernels().heap.owns(a)) return a;
  const s = scratchBlock(role, a.length);
  s.set(a);
  return s;
}

/** An Int32Array view of exactly `n` elements on role `role`'s kept block (indices, labels). */
export function scratchInt32Block(role: string, n: number): Int32Array {
  const b = scratchBlock(role, n);
  return new Int32Array(b.buffer, b.byteOffset, n);
}
