/**
 * Intra-op parallelism: the two kinds of job the thread pool (`pool.ts`) runs over
 * SharedArrayBuffers, fork-join and synchronous.
 *
 * - `parallelFor`: an elementwise kernel over element ranges (the optimizer passes).
 * - `parallelChunks`: a kernel called once per chunk index on whole arrays (GEMM's blocks of
 *   rows or columns, see `gemm-parallel.ts`).
 * The main thread writes a job into the shared control block, wakes the helpers
 * (Atomics.notify), takes chunks of the work itself from a shared counter (Atomics.add), then
 * waits (Atomics.wait) only for helpers that actually joined. A helper that has not woken up by
 * the time the main thread ran out of chunks is told to skip the job, so a descheduled helper
 * on a busy machine costs nothing but its wake-up.
 *
 * Determinism: a chunk is computed by exactly one thread with the same code and summation order
 * as the single-threaded path, so results are bit-identical for any thread count.
 */
import type { FloatArray } from "../dtype";
import { ARGS, JOB_CHUNKS, JOB_RANGES, ParallelKernel } from "./pool-protocol";
import { bufferId, join, kernelId, kindOf, Pool, publish, readyHelpers, readyPool, threadStats, threadTesting } from "./pool";
import { NEXT } from "./pool-protocol";

export type { ParallelKernel } from "./pool-protocol";
export { setNumThreads, getNumThreads, shutdownThreads, waitForThreads, threadStats, threadTesting } from "./pool";

/** Elementwise kernels are split only from this many elements (below, the fork-join overhead wins). */
export const PARALLEL_MIN_ELEMENTS = 1 << 20;

/**
 * Runs `kernel.fn(a0.subarray(s, e), a1.subarray(s, e), ..., ...scalars)` over [0, n) split in
 * ranges across the pool, when n ≥ PARALLEL_MIN_ELEMENTS, a pool is ready and every array lives
 * in a SharedArrayBuffer; otherwise calls `kernel.fn(...arrays, ...scalars)` once on the main
 * thread. The kernel must treat elements independently (each element's result depends only on
 * the same index of each array), which makes the split bit-identical to one call.
 * @example parallelFor(LION.f32, [v, g, m], [lr, b1, b2, wd], v.length) // LION from optim/kernels/lion.ts
 */
export function parallelFor(kernel: ParallelKernel, arrays: FloatArray[], scalars: (number | boolean)[], n: number): void {
  const fn = kernel.fn as (...a: unknown[]) => void;
  const p = n >= PARALLEL_MIN_ELEMENTS ? readyPool() : null;
  if (!p || !arrays.every((a) => a.buffer instanceof SharedArrayBuffer && a.length >= n) || tooManyArgs(arrays, scalars) || misaligned(arrays, n)) {
    fn(...arrays, ...scalars);
    return;
  }
  const threads = readyHelpers(p) + 1;
  const chunk = Math.max(1 << 16, Math.ceil(n / (4 * threads) / 16) * 16);
  const nChunks = Math.ceil(n / chunk);
  const job = publishJob(p, JOB_RANGES, kernel, arrays, scalars, n, chunk, nChunks);
  let err: unknown = null;
  try {
    const sub: unknown[] = new Array(arrays.length + scalars.length);
    for (let j = 0; j < scalars.length; j++) sub[arrays.length + j] = scalars[j];
    for (;;) {
      if (threadTesting.helperOnly) break;
      const q = Atomics.add(p.ctl, NEXT, 1);
      if (q >= nChunks) break;
      const s = q * chunk,
        e = Math.min(n, s + chunk);
      for (let j = 0; j < arrays.length; j++) sub[j] = arrays[j].subarray(s, e);
      fn(...sub);
    }
  } catch (e) {
    err = e;
  }
  join(p, job);
  if (err) throw err;
}

/**
 * Calls `kernel.fn(...arrays, ...scalars, q)` for every chunk index q in [0, nChunks), split
 * across the pool. Every array must live in a SharedArrayBuffer, and chunks must write disjoint
 * elements. Returns false, having done nothing, when no pool is ready: the caller then does the
 * work itself.
 * @example if (!parallelChunks(GEMM_CHUNK, [a, b, c], scalars, nChunks)) gemmPacked(...)
 */
export function parallelChunks(
  kernel: ParallelKernel,
  arrays: FloatArray[],
  scalars: (number | boolean)[],
  nChunks: number,
  pool: Pool | null = readyPool(),
): boolean {
  const p = pool;
  if (!p || nChunks < 2 || !arrays.every((a) => a.buffer instanceof SharedArrayBuffer) || tooManyArgs(arrays, scalars)) return false;
  const fn = kernel.fn as (...a: unknown[]) => void;
  const job = publishJob(p, JOB_CHUNKS, kernel, arrays, scalars, 0, 0, nChunks);
  threadStats.chunks += nChunks;
  let err: unknown = null;
  try {
    const call: unknown[] = [...arrays, ...scalars, 0];
    for (;;) {
      if (threadTesting.helperOnly) break;
      const q = Atomics.add(p.ctl, NEXT, 1);
      if (q >= nChunks) break;
      threadStats.mainChunks++;
      call[call.length - 1] = q;
      fn(...call);
    }
  } catch (e) {
    err = e;
  }
  const w0 = performance.now();
  join(p, job);
  threadStats.waitNs += Math.round((performance.now() - w0) * 1e6);
  if (err) throw err;
  return true;
}

/** Writes a job into the shared argument block (see thread-worker.ts for the reading side). */
function publishJob(
  p: Pool,
  kind: number,
  kernel: ParallelKernel,
  arrays: FloatArray[],
  scalars: (number | boolean)[],
  n: number,
  chunk: number,
  nChunks: number,
): number {
  const pinned = new Set<number>();
  const args = p.args;
  args[0] = kind;
  args[1] = kernelId(p, kernel);
  args[2] = arrays.length;
  args[3] = n;
  args[4] = chunk;
  args[5] = nChunks;
  let i = 6;
  for (const a of arrays) {
    args[i++] = bufferId(p, a.buffer as SharedArrayBuffer, pinned);
    args[i++] = kindOf(a);
    args[i++] = a.byteOffset / a.BYTES_PER_ELEMENT;
  }
  args[i++] = scalars.length;
  for (const s of scalars) {
    args[i++] = typeof s === "boolean" ? 1 : 0;
    args[i++] = +s;
  }
  return publish(p);
}

const tooManyArgs = (arrays: FloatArray[], scalars: unknown[]): boolean => 6 + 3 * arrays.length + 1 + 2 * scalars.length > ARGS;

/**
 * True when two of the arrays overlap in memory at different offsets: then element k of one is
 * element k' ≠ k of another, one call's result depends on its loop order, and a split would
 * not reproduce it. (The same array twice, e.g. `out` = `g`, is fine.)
 */
function misaligned(arrays: FloatArray[], n: number): boolean {
  for (let i = 0; i < arrays.length; i++) {
    for (let j = i + 1; j < arrays.length; j++) {
      const a = arrays[i],
        b = arrays[j];
      if (a.buffer !== b.buffer || (a.byteOffset === b.byteOffset && a.BYTES_PER_ELEMENT === b.BYTES_PER_ELEMENT)) continue;
      const a0 = a.byteOffset,
        a1 = a0 + n * a.BYTES_PER_ELEMENT,
        b0 = b.byteOffset,
        b1 = b0 + n * b.BYTES_PER_ELEMENT;
      if (a0 < b1 && b0 < a1) return true;
    }
  }
  return false;
}
