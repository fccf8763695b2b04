/**
 * Intra-op parallelism: a tiny persistent pool of worker_threads working on SharedArrayBuffers.
 *
 * - Size: `NDGRAD_THREADS` (default min(2, os.availableParallelism())) counts the main thread,
 *   so a 2-core machine gets one helper; `NDGRAD_THREADS=1` (or `setNumThreads(1)`) disables it.
 * - Helpers start lazily on the first job big enough to be split, and that job and the ones
 *   after it run on the main thread alone until a helper has loaded (~0.3-1 s under ts-node):
 *   nothing ever waits for start-up. They are `unref()`'d, so they never keep a process alive.
 * - Fork-join, synchronous: the main thread writes a job into a shared control block, wakes
 *   the helpers (Atomics.notify), takes chunks of the work itself from a shared counter
 *   (Atomics.add), then waits (Atomics.wait) only for helpers that actually joined. A helper
 *   that has not woken up by the time the main thread ran out of chunks is told to skip the
 *   job, so a descheduled helper on a busy machine costs nothing but its wake-up.
 * - Buffers: a SharedArrayBuffer is posted to the helpers once and then named by a small id
 *   (a WeakMap keyed by the buffer; a bounded LRU on both sides so helpers never pin freed
 *   memory for long). GEMM operands that are not shared are staged into pool-owned shared
 *   scratch (one copy, cheap next to the product); elementwise kernels run in parallel only
 *   when every array is shared (see `allocate` in ../dtype.ts).
 * - Determinism: a chunk is a block of whole rows/columns of C (GEMM) or a range of elements
 *   (elementwise), computed by exactly one thread with the same code and summation order as
 *   the single-threaded path, so results are bit-identical for any thread count.
 */
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { MessageChannel, MessagePort, Worker, isMainThread, receiveMessageOnPort } from "worker_threads";
import type { FloatArray } from "../dtype";
import { gemmPacked } from "./gemm";

// Control block (Int32Array over a SharedArrayBuffer): one shared chunk counter, then per helper
// h an ENTER word (2·job = open, 2·job+1 = taken by the helper, -1 = closed by the main thread),
// a DONE word (last job finished), a READY word and an ERROR word.
const NEXT = 0;
const PER = 4;
const enterAt = (h: number): number => 4 + h * PER;
const doneAt = (h: number): number => 5 + h * PER;
const readyAt = (h: number): number => 6 + h * PER;
const errorAt = (h: number): number => 7 + h * PER;
const MAX_HELPERS = 15;
const ARGS = 256;
const CLOSED = -1;

export const JOB_GEMM = 1;
export const JOB_KERNEL = 2;

/** Bounds of the buffer cache shared with the helpers (entries, bytes of dead-or-alive buffers). */
const CACHE_ENTRIES = 64;
const CACHE_BYTES = 256 * 1024 * 1024;

/** Elementwise kernels are split only from this many elements (below, the fork-join overhead wins). */
export const PARALLEL_MIN_ELEMENTS = 1 << 20;

/** A kernel that helpers can run: `fn(...arrays (sub-ranges), ...scalars)`, loaded by module path. */
export interface ParallelKernel {
  /** Absolute path of the module exporting it (usually `__filename`). */
  module: string;
  /** Its export name. */
  name: string;
  fn: (...args: never[]) => void;
}

interface Pool {
  helpers: Worker[];
  ports: MessagePort[];
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

let wanted = defaultThreads();

/** Test hook: the main thread takes no chunks and waits for a helper to join (exercises the helper path). */
export const threadTesting = { helperOnly: false };

/**
 * Counters for tests and benchmarks: jobs split across the pool, helper joins (a helper that
 * woke up in time to take part in a job), GEMM chunks in all and taken by the main thread, and
 * nanoseconds the main thread spent waiting for helpers to finish GEMM jobs.
 * @example threadStats.jobs // 0 until a big GEMM ran with a ready helper
 */
export const threadStats = { jobs: 0, joined: 0, chunks: 0, mainChunks: 0, waitNs: 0 };
let pool: Pool | null = null;

function defaultThreads(): number {
  const env = process.env.NDGRAD_THREADS;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_HELPERS + 1);
  }
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(2, cores));
}

/**
 * Sets how many threads big kernels use, the main thread included (1 disables the helpers).
 * Results do not depend on it (bit-identical). Overrides `NDGRAD_THREADS`.
 * @example setNumThreads(1); // single-threaded from now on
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected an integer ≥ 1, got ${n}`);
  const next = Math.min(n, MAX_HELPERS + 1);
  // Idle helpers cost nothing (they sleep in Atomics.wait), so 1 keeps them for a later 2;
  // a different helper count restarts the pool lazily (ensurePool).
  wanted = next;
}

/**
 * The number of threads big kernels may use (main thread included).
 * @example getNumThreads() // 2 on a 2-core machine
 */
export function getNumThreads(): number {
  return isMainThread ? wanted : 1;
}

/**
 * Stops the helper threads (they restart lazily on the next big job). Never needed for a
 * process to exit; useful in tests.
 * @example shutdownThreads();
 */
export function shutdownThreads(): void {
  if (!pool) return;
  for (const w of pool.helpers) void w.terminate();
  for (const p of pool.ports) p.close();
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

function readyHelpers(p: Pool): number {
  let r = 0;
  for (let h = 0; h < p.helpers.length; h++) if (Atomics.load(p.ctl, readyAt(h)) === 1) r++;
  return r;
}

function ensurePool(): Pool | null {
  if (!isMainThread || wanted <= 1) return null;
  if (pool && pool.helpers.length !== wanted - 1) shutdownThreads();
  if (pool) return pool.broken ? null : pool;
  const nHelpers = wanted - 1;
  const ctl = new Int32Array(new SharedArrayBuffer(4 * (4 + PER * nHelpers)));
  const args = new Float64Array(new SharedArrayBuffer(8 * ARGS));
  const p: Pool = {
    helpers: [], ports: [], ctl, args, ids: new WeakMap(), lru: new Map(), cachedBytes: 0, nextId: 1,
    kernels: new Map(), job: 0, broken: false, scratch: [],
  };
  pool = p;
  const ts = path.extname(__filename) === ".ts";
  const entry = path.join(__dirname, ts ? "thread-worker.ts" : "thread-worker.js");
  const env: NodeJS.ProcessEnv = { ...process.env, NDGRAD_THREADS: "1" };
  let register: string | null = null;
  if (ts) {
    register = require.resolve("ts-node/register/transpile-only");
    const tsconfig = path.resolve(__dirname, "..", "..", "tsconfig.json");
    if (fs.existsSync(tsconfig)) env.TS_NODE_PROJECT = tsconfig;
  }
  for (let h = 0; h < nHelpers; h++) {
    const { port1, port2 } = new MessageChannel();
    try {
      const w = new Worker(BOOTSTRAP, {
        eval: true,
        execArgv: [],
        env,
        stdout: false,
        stderr: false,
        workerData: { register, entry, ctl: ctl.buffer, args: args.buffer, index: h, port: port2 },
        transferList: [port2],
      });
      w.unref();
      w.on("error", () => { p.broken = true; });
      w.on("exit", () => { if (pool === p) p.broken = true; });
      port1.unref();
      p.helpers.push(w);
      p.ports.push(port1);
    } catch {
      p.broken = true;
      return null;
    }
  }
  return p;
}

/** Plain-Node bootstrap: registers ts-node when the sources are .ts, then loads the helper loop. */
const BOOTSTRAP = `
const { workerData } = require("worker_threads");
if (workerData.register) require(workerData.register);
require(workerData.entry).helperMain(workerData);
`;

/** A pool with at least one ready helper, or null (then the caller runs single-threaded). */
function readyPool(): Pool | null {
  const p = ensurePool();
  if (!p || readyHelpers(p) === 0) return null;
  return p;
}

// ---------- buffers ----------

function bufferId(p: Pool, sab: SharedArrayBuffer, pinned: Set<number>): number {
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
  for (const port of p.ports) port.postMessage({ type: "buffer", id, sab });
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
    for (const port of p.ports) port.postMessage({ type: "drop", id });
  }
}

function kernelId(p: Pool, k: ParallelKernel): number {
  const key = `${k.module}#${k.name}`;
  let id = p.kernels.get(key);
  if (id === undefined) {
    id = p.kernels.size + 1;
    p.kernels.set(key, id);
    for (const port of p.ports) port.postMessage({ type: "kernel", id, module: k.module, name: k.name });
  }
  return id;
}

/** A pool-owned shared scratch array of `kind` (0 f32, 1 f64) with ≥ `length` elements. */
function scratch(p: Pool, slot: number, kind: number, length: number): FloatArray {
  const bytes = length * (kind === 1 ? 8 : 4);
  let sab = p.scratch[slot];
  if (!sab || sab.byteLength < bytes) {
    sab = new SharedArrayBuffer(Math.max(bytes, sab ? Math.min(2 * sab.byteLength, bytes * 2) : bytes));
    p.scratch[slot] = sab;
  }
  return kind === 1 ? new Float64Array(sab, 0, length) : new Float32Array(sab, 0, length);
}

const kindOf = (a: FloatArray): number => (a instanceof Float64Array ? 1 : 0);

// ---------- fork-join ----------

/** Publishes the job in `p.args` to every ready helper; returns the job number. */
function publish(p: Pool): number {
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
function join(p: Pool, job: number): void {
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
    let msg = "unknown error";
    for (const port of p.ports) {
      let m;
      while ((m = receiveMessageOnPort(port))) if (m.message && m.message.type === "error") msg = m.message.message;
    }
    throw new Error(`ndgrad threads: a helper thread failed (threads are now disabled): ${msg}`);
  }
}

// ---------- GEMM ----------

/**
 * Runs `gemmPacked` split across the pool when one is ready; returns false (having done
 * nothing) otherwise, and the caller computes the product itself. Same contract as `gemm`.
 */
export function parallelGemm(
  A: FloatArray, aOff: number, lda: number, transA: boolean,
  B: FloatArray, bOff: number, ldb: number, transB: boolean,
  C: FloatArray, cOff: number, ldc: number,
  m: number, n: number, k: number,
  accumulate: boolean,
): boolean {
  const p = readyPool();
  if (!p) return false;
  const threads = readyHelpers(p) + 1;
  // Split the longer side of C: row blocks re-pack op(B) per chunk, column blocks re-pack op(A);
  // the duplicated packing is then that of the smaller operand.
  const cols = n > m;
  const dim = cols ? n : m;
  const chunk = Math.max(16, Math.ceil(dim / (2 * threads) / 4) * 4);
  const nChunks = Math.ceil(dim / chunk);
  if (nChunks < 2) return false;

  const pinned = new Set<number>();
  // stage operands that helpers cannot see into shared scratch
  const aRows = transA ? k : m, aCols = transA ? m : k;
  const bRows = transB ? n : k, bCols = transB ? k : n;
  let a = A, ao = aOff, b = B, bo = bOff, c = C, co = cOff;
  if (!(A.buffer instanceof SharedArrayBuffer)) {
    const len = (aRows - 1) * lda + aCols;
    a = scratch(p, 0, kindOf(A), len);
    a.set(A.subarray(aOff, aOff + len));
    ao = 0;
  }
  if (!(B.buffer instanceof SharedArrayBuffer)) {
    const len = (bRows - 1) * ldb + bCols;
    b = scratch(p, 1, kindOf(B), len);
    b.set(B.subarray(bOff, bOff + len));
    bo = 0;
  }
  const stageC = !(C.buffer instanceof SharedArrayBuffer);
  if (stageC) {
    const len = (m - 1) * ldc + n;
    c = scratch(p, 2, kindOf(C), len);
    if (accumulate) c.set(C.subarray(cOff, cOff + len));
    co = 0;
  }
  const args = p.args;
  args[0] = JOB_GEMM;
  let i = 1;
  for (const [arr, off, ld, tr] of [[a, ao, lda, transA], [b, bo, ldb, transB], [c, co, ldc, false]] as const) {
    args[i++] = bufferId(p, arr.buffer as SharedArrayBuffer, pinned);
    args[i++] = kindOf(arr);
    args[i++] = off + arr.byteOffset / arr.BYTES_PER_ELEMENT;
    args[i++] = ld;
    args[i++] = tr ? 1 : 0;
  }
  args[16] = m; args[17] = n; args[18] = k; args[19] = accumulate ? 1 : 0;
  args[20] = cols ? 1 : 0; args[21] = chunk; args[22] = nChunks;
  const job = publish(p);
  threadStats.chunks += nChunks;
  let err: unknown = null;
  try {
    for (;;) {
      if (threadTesting.helperOnly) break;
      const q = Atomics.add(p.ctl, NEXT, 1);
      if (q >= nChunks) break;
      threadStats.mainChunks++;
      gemmChunk(a, ao, lda, transA, b, bo, ldb, transB, c, co, ldc, m, n, k, accumulate, cols, chunk, q);
    }
  } catch (e) {
    err = e;
  }
  const w0 = process.hrtime.bigint();
  join(p, job);
  threadStats.waitNs += Number(process.hrtime.bigint() - w0);
  if (err) throw err;
  if (stageC) {
    if (ldc === n) C.set(c.subarray(0, m * n), cOff);
    else for (let r = 0; r < m; r++) C.set(c.subarray(r * ldc, r * ldc + n), cOff + r * ldc);
  }
  return true;
}

/** Chunk `q` of a split GEMM: a block of `chunk` columns (or rows) of C. Used by both sides. */
export function gemmChunk(
  A: FloatArray, aOff: number, lda: number, transA: boolean,
  B: FloatArray, bOff: number, ldb: number, transB: boolean,
  C: FloatArray, cOff: number, ldc: number,
  m: number, n: number, k: number, accumulate: boolean,
  cols: boolean, chunk: number, q: number,
): void {
  const s = q * chunk;
  if (cols) {
    const w = Math.min(chunk, n - s);
    gemmPacked(A, aOff, lda, transA, B, bOff + (transB ? s * ldb : s), ldb, transB, C, cOff + s, ldc, m, w, k, accumulate);
  } else {
    const h = Math.min(chunk, m - s);
    gemmPacked(A, aOff + (transA ? s : s * lda), lda, transA, B, bOff, ldb, transB, C, cOff + s * ldc, ldc, h, n, k, accumulate);
  }
}

// ---------- elementwise kernels ----------

/**
 * Runs `kernel.fn(a0.subarray(s, e), a1.subarray(s, e), ..., ...scalars)` over [0, n) split in
 * ranges across the pool, when n ≥ PARALLEL_MIN_ELEMENTS, a pool is ready and every array lives
 * in a SharedArrayBuffer; otherwise calls `kernel.fn(...arrays, ...scalars)` once on the main
 * thread. The kernel must treat elements independently (each element's result depends only on
 * the same index of each array), which makes the split bit-identical to one call.
 * @example parallelFor(LION_F32, [v, g, m], [lr, b1, b2, wd], v.length)
 */
export function parallelFor(kernel: ParallelKernel, arrays: FloatArray[], scalars: (number | boolean)[], n: number): void {
  const fn = kernel.fn as (...a: unknown[]) => void;
  const p = n >= PARALLEL_MIN_ELEMENTS ? readyPool() : null;
  if (!p || !arrays.every((a) => a.buffer instanceof SharedArrayBuffer && a.length >= n) || 6 + 3 * arrays.length + 2 * scalars.length > ARGS || misaligned(arrays, n)) {
    fn(...arrays, ...scalars);
    return;
  }
  const threads = readyHelpers(p) + 1;
  const chunk = Math.max(1 << 16, Math.ceil(n / (4 * threads) / 16) * 16);
  const nChunks = Math.ceil(n / chunk);
  const pinned = new Set<number>();
  const args = p.args;
  args[0] = JOB_KERNEL;
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
  const job = publish(p);
  let err: unknown = null;
  try {
    const sub: unknown[] = new Array(arrays.length + scalars.length);
    for (let j = 0; j < scalars.length; j++) sub[arrays.length + j] = scalars[j];
    for (;;) {
      if (threadTesting.helperOnly) break;
      const q = Atomics.add(p.ctl, NEXT, 1);
      if (q >= nChunks) break;
      const s = q * chunk, e = Math.min(n, s + chunk);
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
 * True when two of the arrays overlap in memory at different offsets: then element k of one is
 * element k' ≠ k of another, one call's result depends on its loop order, and a split would
 * not reproduce it. (The same array twice, e.g. `out` = `g`, is fine.)
 */
function misaligned(arrays: FloatArray[], n: number): boolean {
  for (let i = 0; i < arrays.length; i++) {
    for (let j = i + 1; j < arrays.length; j++) {
      const a = arrays[i], b = arrays[j];
      if (a.buffer !== b.buffer || (a.byteOffset === b.byteOffset && a.BYTES_PER_ELEMENT === b.BYTES_PER_ELEMENT)) continue;
      const a0 = a.byteOffset, a1 = a0 + n * a.BYTES_PER_ELEMENT, b0 = b.byteOffset, b1 = b0 + n * b.BYTES_PER_ELEMENT;
      if (a0 < b1 && b0 < a1) return true;
    }
  }
  return false;
}

/** Control-block layout, for the helper side (thread-worker.ts). */
export const layout = { NEXT, enterAt, doneAt, readyAt, errorAt, CLOSED };
