/**
 * The thread pool's state on the main thread: its size, starting and stopping it, the buffers
 * and kernels it has shown the helpers, and one job's fork-join (publish, then join).
 *
 * - Size: `NDGRAD_THREADS` (default min(2, os.availableParallelism())) counts the main thread,
 *   so a 2-core machine gets one helper; `NDGRAD_THREADS=1` (or `setNumThreads(1)`) disables it.
 * - Helpers start lazily on the first job big enough to be split, and that job and the ones
 *   after it run on the main thread alone until a helper has loaded (~0.3-1 s under ts-node):
 *   nothing ever waits for start-up. They are `unref()`'d, so they never keep a process alive.
 * - Buffers: a SharedArrayBuffer is posted to the helpers once and then named by a small id
 *   (a WeakMap keyed by the buffer; a bounded LRU on both sides so helpers never pin freed
 *   memory for long).
 * The pool knows nothing of what its jobs compute: see `threads.ts` for the two job kinds and
 * `gemm-parallel.ts` for how GEMM uses them.
 */
import type { FloatArray } from "../dtype";
import { CLOSED, controlWords, doneAt, enterAt, errorAt, MAX_HELPERS, NEXT, ParallelKernel, readyAt, ARGS } from "./pool-protocol";
import { defaultThreadCount, Helper, onMainThread, startHelpers, threadsAvailable } from "./pool-start";

/** Bounds of the buffer cache shared with the helpers (entries, bytes of dead-or-alive buffers). */
const CACHE_ENTRIES = 64;
const CACHE_BYTES = 256 * 1024 * 1024;

/** A running pool: its helpers, the shared control and argument blocks, and what helpers know. */
export interface Pool {
  helpers: Helper[];
  ctl: Int32Array;
  args: Float64Array;
  ids: WeakMap<SharedArrayBuffer, number>;
  /** id → weak ref and size, in least-recently-used order (Map keeps insertion order). */
  lru: Map<number, { ref: WeakRef<SharedArrayBuffer>; bytes: number }>;
  cachedBytes: number;
  nextId: number;
  kernels: Map<string, number>;
  job: number;
  broken: boolean;
  scratch: SharedArrayBuffer[];
}

let wanted = defaultThreadCount();
let pool: Pool | null = null;

/** Test hook: the main thread takes no chunks and waits for a helper to join (exercises the helper path). */
export const threadTesting = { helperOnly: false };

/**
 * Counters for tests and benchmarks: jobs split across the pool, helper joins (a helper that
 * woke up in time to take part in a job), chunk-job chunks in all and taken by the main thread,
 * and nanoseconds the main thread spent waiting for helpers to finish chunk jobs.
 * @example threadStats.jobs // 0 until a big GEMM ran with a ready helper
 */
export const threadStats = { jobs: 0, joined: 0, chunks: 0, mainChunks: 0, waitNs: 0 };

/**
 * Sets how many threads big kernels use, the main thread included (1 disables the helpers).
 * Results do not depend on it (bit-identical). Overrides `NDGRAD_THREADS`.
 * @example setNumThreads(1); // single-threaded from now on
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected an integer ≥ 1, got ${n}`);
  // Idle helpers cost nothing (they sleep in Atomics.wait), so 1 keeps them for a later 2;
  // a different helper count restarts the pool lazily (ensurePool).
  wanted = Math.min(n, MAX_HELPERS + 1);
}

/**
 * The number of threads big kernels may use (main thread included): always 1 in a helper
 * thread and in a browser.
 * @example getNumThreads() // 2 on a 2-core machine
 */
export function getNumThreads(): number {
  // (pages without cross-origin isolation have no SharedArrayBuffer, hence no pool either)
  return onMainThread && threadsAvailable && typeof SharedArrayBuffer !== "undefined" ? wanted : 1;
}

/**
 * Stops the helper threads (they restart lazily on the next big job). Never needed for a
 * process to exit; useful in tests.
 * @example shutdownThreads();
 */
export function shutdownThreads(): void {
  if (!pool) return;
  for (const h of pool.helpers) h.terminate();
  pool = null;
}

/**
 * Starts the helpers if needed and blocks until they can take work (or `timeoutMs` passes).
 * Returns the number of ready helpers. Benchmarks and tests call it so that the first
 * measured steps already run threaded; ordinary code never needs to.
 * @example waitForThreads(); // then time things
 */
export function waitForThreads(timeoutMs = 20000): number {
  const p = ensurePool();
  if (!p) return 0;
  const end = Date.now() + timeoutMs;
  for (let h = 0; h < p.helpers.length; h++) {
    while (Atomics.load(p.ctl, readyAt(h)) === 0 && !p.broken) {
      const left = end - Date.now();
      if (left <= 0) break;
      Atomics.wait(p.ctl, readyAt(h), 0, Math.min(left, 50));
    }
  }
  return readyHelpers(p);
}

/** How many helpers have loaded and can take work. */
export function readyHelpers(p: Pool): number {
  let r = 0;
  for (let h = 0; h < p.helpers.length; h++) if (Atomics.load(p.ctl, readyAt(h)) === 1) r++;
  return r;
}

function ensurePool(): Pool | null {
  if (getNumThreads() <= 1) return null;
  if (pool && pool.helpers.length !== wanted - 1) shutdownThreads();
  if (pool) return pool.broken ? null : pool;
  const nHelpers = wanted - 1;
  const ctl = new Int32Array(new SharedArrayBuffer(4 * controlWords(nHelpers)));
  const args = new Float64Array(new SharedArrayBuffer(8 * ARGS));
  const p: Pool = {
    helpers: [],
    ctl,
    args,
    ids: new WeakMap(),
    lru: new Map(),
    cachedBytes: 0,
    nextId: 1,
    kernels: new Map(),
    job: 0,
    broken: false,
    scratch: [],
  };
  pool = p;
  const helpers = startHelpers(nHelpers, ctl.buffer as SharedArrayBuffer, args.buffer as SharedArrayBuffer, () => {
    if (pool === p) p.broken = true;
  });
  if (!helpers) {
    p.broken = true; // kept, so that a failed start is not retried on every job
    return null;
  }
  p.helpers = helpers;
  return p;
}

/** A pool with at least one ready helper, or null (then the caller runs single-threaded). */
export function readyPool(): Pool | null {
  const p = ensurePool();
  if (!p || readyHelpers(p) === 0) return null;
  return p;
}

// ---------- what the helpers know ----------

/** The id helpers know `sab` by (posting it to them the first time); pins it for this job. */
export function bufferId(p: Pool, sab: SharedArrayBuffer, pinned: Set<number>): number {
  let id = p.ids.get(sab);
  if (id !== undefined) {
    const e = p.lru.get(id)!;
    p.lru.delete(id);
    p.lru.set(id, e);
    pinned.add(id);
    return id;
  }
  id = p.nextId++;
  evict(p, pinned, sab.byteLength);
  p.ids.set(sab, id);
  p.lru.set(id, { ref: new WeakRef(sab), bytes: sab.byteLength });
  p.cachedBytes += sab.byteLength;
  for (const h of p.helpers) h.post({ type: "buffer", id, sab });
  pinned.add(id);
  return id;
}

/** Drops least-recently-used buffers (not used by the job being built) until `extra` more fit. */
function evict(p: Pool, pinned: Set<number>, extra: number): void {
  for (const [id, e] of p.lru) {
    if (p.lru.size < CACHE_ENTRIES && p.cachedBytes + extra <= CACHE_BYTES) return;
    if (pinned.has(id)) continue;
    p.lru.delete(id);
    p.cachedBytes -= e.bytes;
    const sab = e.ref.deref();
    if (sab) p.ids.delete(sab);
    for (const h of p.helpers) h.post({ type: "drop", id });
  }
}

/** The id helpers know `k` by (telling them where to load it the first time). */
export function kernelId(p: Pool, k: ParallelKernel): number {
  const key = `${k.module}#${k.name}`;
  let id = p.kernels.get(key);
  if (id === undefined) {
    id = p.kernels.size + 1;
    p.kernels.set(key, id);
    for (const h of p.helpers) h.post({ type: "kernel", id, module: k.module, name: k.name });
  }
  return id;
}

/** A pool-owned shared scratch array of `kind` (0 f32, 1 f64) with ≥ `length` elements. */
export function scratch(p: Pool, slot: number, kind: number, length: number): FloatArray {
  const bytes = length * (kind === 1 ? 8 : 4);
  let sab = p.scratch[slot];
  if (!sab || sab.byteLength < bytes) {
    sab = new SharedArrayBuffer(Math.max(bytes, sab ? Math.min(2 * sab.byteLength, bytes * 2) : bytes));
    p.scratch[slot] = sab;
  }
  return kind === 1 ? new Float64Array(sab, 0, length) : new Float32Array(sab, 0, length);
}

/** 0 for float32, 1 for float64: how an array's kind is written into a job's arguments. */
export const kindOf = (a: FloatArray): number => (a instanceof Float64Array ? 1 : 0);

// ---------- fork-join ----------

/** Publishes the job in `p.args` to every ready helper; returns the job number. */
export function publish(p: Pool): number {
  const job = (p.job = (p.job + 1) & 0x3fffffff);
  threadStats.jobs++;
  Atomics.store(p.ctl, NEXT, 0);
  for (let h = 0; h < p.helpers.length; h++) {
    if (Atomics.load(p.ctl, readyAt(h)) !== 1) continue;
    Atomics.store(p.ctl, enterAt(h), 2 * job);
    Atomics.notify(p.ctl, enterAt(h), 1);
  }
  return job;
}

/** Closes the job for helpers that never joined and waits for those that did. */
export function join(p: Pool, job: number): void {
  const ctl = p.ctl;
  let failed = false;
  for (let h = 0; h < p.helpers.length; h++) {
    const e = enterAt(h);
    if (threadTesting.helperOnly) {
      while (Atomics.load(ctl, e) === 2 * job) Atomics.wait(ctl, e, 2 * job, 10);
    }
    if (Atomics.compareExchange(ctl, e, 2 * job, CLOSED) === 2 * job) continue;
    if (Atomics.load(ctl, e) !== 2 * job + 1) continue; // not published to this helper
    threadStats.joined++;
    const d = doneAt(h);
    let spins = 0;
    const started = Date.now();
    while (Atomics.load(ctl, d) !== job) {
      if (++spins < 20000) continue;
      const seen = Atomics.load(ctl, d);
      if (seen !== job) Atomics.wait(ctl, d, seen, 100);
      if (Date.now() - started > 120000) {
        p.broken = true;
        throw new Error("ndgrad threads: a helper thread did not finish its share within 120 s; threads are now disabled");
      }
    }
    if (Atomics.load(ctl, errorAt(h)) !== 0) failed = true;
  }
  if (failed) {
    p.broken = true;
    throw new Error(
      `ndgrad threads: a helper thread failed (threads are now disabled): ${p.helpers.map((h) => h.lastError()).find((m) => m !== null) ?? "unknown error"}`,
    );
  }
}
