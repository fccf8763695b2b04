/**
 * Helper threads for the wasm kernels. Each helper instantiates the same compiled module on the
 * SAME shared memory (WasmHeap's), so a job is only a function name and numeric arguments: the
 * buffers are already visible to every thread, nothing is copied or transferred.
 *
 * A job is a list of chunks (the same export called on different ranges of elements, or blocks
 * of rows or columns of a GEMM). The calling thread and every helper that wakes in time take
 * chunks from a shared counter until none is left, so a helper that is descheduled (a busy
 * machine) costs nothing: the caller simply does more chunks. The chunks are fixed by the job's
 * size only and every output element belongs to one chunk computed with the same code, so the
 * results are bit-identical whoever runs which chunk, for any thread count.
 *
 * The caller closes the job once the counter is exhausted and waits only for helpers that joined
 * it (joining and closing are sequentially consistent atomics: a helper that joins late sees the
 * job closed and touches nothing). Helpers start asynchronously; until one reports ready the
 * caller runs every chunk. They are unref()'d and sleep in Atomics.wait when idle.
 *
 * @example
 * const pool = wasmPool();
 * pool.run("reluF32", [[px, py, half], [px + half * 4, py + half * 4, n - half]]);
 */
import { Worker } from "worker_threads";
import { getNumThreads } from "../kernels/threads";
import { type KernelExports, type WasmKernels, wasmKernels } from "./loader";

/** One kernel call: an export of kernels.wasm and its arguments (addresses, counts, scalars). */
export interface WasmCall {
  fn: keyof KernelExports;
  args: number[];
}

// Control words (Int32) of the one job slot, then READY per helper; chunk arguments (Float64) after.
const SEQ = 0,
  NEXT = 1,
  NCHUNKS = 2,
  FN = 3,
  NARGS = 4,
  SCRATCH_AT = 5,
  OPEN = 6,
  ACTIVE = 7,
  ERR = 8,
  STOP = 9,
  HELPER_CHUNKS = 10,
  READY = 16;
const MAX_HELPERS = 15,
  MAX_ARGS = 16,
  ARGS_AT = 128;
/** Most chunks per job (the argument area is sized for them). */
export const MAX_CHUNKS = 256;
/** Polls of a control word before sleeping: back-to-back jobs then skip a futex wake-up. */
const SPIN = 20000;

// The helper's loop, as plain JavaScript (eval'd: it loads in a few ms, no TypeScript needed).
const HELPER = `
const { workerData } = require("worker_threads");
const { module, memory, ctl, names, scratch, index } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(ctl), a = new Float64Array(ctl, ${ARGS_AT * 4});
const fns = names.map((n) => ex[n]);
let seen = Atomics.load(c, ${SEQ});
Atomics.store(c, ${READY} + index, 1);
for (;;) {
  let s, spins = 0;
  while ((s = Atomics.load(c, ${SEQ})) === seen) { if (++spins > ${SPIN}) Atomics.wait(c, ${SEQ}, seen); }
  seen = s;
  if (Atomics.load(c, ${STOP}) === 1) break;
  Atomics.add(c, ${ACTIVE}, 1);
  if (Atomics.load(c, ${OPEN}) === 1) {
    const f = fns[c[${FN}]], nargs = c[${NARGS}], at = c[${SCRATCH_AT}], chunks = c[${NCHUNKS}];
    for (;;) {
      const i = Atomics.add(c, ${NEXT}, 1);
      if (i >= chunks) break;
      const args = Array.from(a.subarray(i * ${MAX_ARGS}, i * ${MAX_ARGS} + nargs));
      if (at >= 0) args[at] = scratch;
      try { f(...args); } catch (e) { Atomics.store(c, ${ERR}, 1); }
      Atomics.add(c, ${HELPER_CHUNKS}, 1);
    }
  }
  Atomics.sub(c, ${ACTIVE}, 1);
  Atomics.notify(c, ${ACTIVE});
}
`;

/**
 * A set of helper threads sharing one kernels instance's memory.
 * @example const pool = new WasmPool(wasmKernels(), 1);
 */
export class WasmPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly c: Int32Array;
  private readonly a: Float64Array;
  private readonly names: (keyof KernelExports)[];
  /** Per-thread GEMM scratch (byte addresses in the heap), the calling thread first. */
  readonly gemmScratch: number[] = [];

  constructor(
    readonly kernels: WasmKernels,
    helpers: number,
  ) {
    if (!Number.isInteger(helpers) || helpers < 0 || helpers > MAX_HELPERS)
      throw new Error(`WasmPool: helpers must be an integer in [0, ${MAX_HELPERS}], got ${helpers}`);
    this.threads = helpers + 1;
    const ex = kernels.exports as unknown as Record<string, unknown>;
    this.names = Object.keys(ex).filter((k) => typeof ex[k] === "function") as (keyof KernelExports)[];
    const scratchBytes = kernels.exports.gemmScratchBytes();
    for (let t = 0; t < this.threads; t++) this.gemmScratch.push(kernels.heap.allocRaw(scratchBytes));
    const ctl = new SharedArrayBuffer(ARGS_AT * 4 + MAX_CHUNKS * MAX_ARGS * 8);
    this.c = new Int32Array(ctl);
    this.a = new Float64Array(ctl, ARGS_AT * 4);
    for (let h = 0; h < helpers; h++) {
      const workerData = { module: kernels.module, memory: kernels.heap.memory, ctl, names: this.names, scratch: this.gemmScratch[h + 1], index: h };
      const w = new Worker(HELPER, { eval: true, execArgv: [], workerData });
      w.unref();
      this.workers.push(w);
    }
  }

  /** How many helpers have loaded and can take chunks now. */
  readyHelpers(): number {
    let r = 0;
    for (let h = 0; h < this.workers.length; h++) if (Atomics.load(this.c, READY + h) === 1) r++;
    return r;
  }

  /** How many chunks helpers (not the caller) have run since the pool started: a statistic. */
  helperChunks(): number {
    return Atomics.load(this.c, HELPER_CHUNKS);
  }

  /** Blocks until every helper is ready (or the timeout passes); returns the ready count. */
  waitReady(timeoutMs = 20000): number {
    const end = Date.now() + timeoutMs;
    for (let h = 0; h < this.workers.length; h++) {
      while (Atomics.load(this.c, READY + h) !== 1 && Date.now() < end) Atomics.wait(this.c, READY + h, 0, 5);
    }
    return this.readyHelpers();
  }

  /**
   * Runs `fn` once per chunk of arguments (all the same length), shared between this thread and
   * the ready helpers, and returns when all chunks are done. With `scratchAt`, that argument is
   * replaced by the running thread's own GEMM scratch.
   */
  run(fn: keyof KernelExports, chunks: number[][], scratchAt = -1): void {
    const f = (this.kernels.exports as unknown as Record<string, (...a: number[]) => void>)[fn];
    const index = this.names.indexOf(fn);
    if (typeof f !== "function" || index < 0) throw new Error(`WasmPool.run: no kernel ${String(fn)}`);
    if (chunks.length > MAX_CHUNKS) throw new Error(`WasmPool.run: ${chunks.length} chunks, at most ${MAX_CHUNKS}`);
    const nargs = chunks.length ? chunks[0].length : 0;
    if (nargs > MAX_ARGS || chunks.some((c) => c.length !== nargs))
      throw new Error(`WasmPool.run: chunks must have the same number of arguments (at most ${MAX_ARGS})`);
    const mine = (args: number[]): void => {
      if (scratchAt >= 0) args[scratchAt] = this.gemmScratch[0];
      f(...args);
    };
    if (chunks.length < 2 || this.readyHelpers() === 0) {
      for (const args of chunks) mine(args.slice());
      return;
    }
    const c = this.c;
    for (let i = 0; i < chunks.length; i++) this.a.set(chunks[i], i * MAX_ARGS);
    c[FN] = index;
    c[NARGS] = nargs;
    c[SCRATCH_AT] = scratchAt;
    c[NCHUNKS] = chunks.length;
    Atomics.store(c, ERR, 0);
    Atomics.store(c, NEXT, 0);
    Atomics.store(c, OPEN, 1);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    try {
      for (;;) {
        const i = Atomics.add(c, NEXT, 1);
        if (i >= chunks.length) break;
        mine(chunks[i].slice());
      }
    } finally {
      // close the job, then never return while a helper that joined it still writes memory
      Atomics.store(c, OPEN, 0);
      let spins = 0,
        active;
      while ((active = Atomics.load(c, ACTIVE)) !== 0) {
        if (++spins > SPIN) Atomics.wait(c, ACTIVE, active, 1);
      }
    }
    if (Atomics.load(c, ERR) !== 0) throw new Error(`wasm helper: ${String(fn)} failed`);
  }

  /** Stops the helpers and frees their scratch. */
  terminate(): void {
    Atomics.store(this.c, STOP, 1);
    Atomics.add(this.c, SEQ, 1);
    Atomics.notify(this.c, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
    for (const s of this.gemmScratch) this.kernels.heap.freeRaw(s);
    this.gemmScratch.length = 0;
  }
}

let shared: WasmPool | null = null;

/**
 * The process-wide pool on `wasmKernels()`, sized by NDGRAD_THREADS / setNumThreads (main thread
 * included), created on first use; a changed thread count makes a new one.
 * @example wasmPool().waitReady(); // then time things
 */
export function wasmPool(): WasmPool {
  const want = getNumThreads();
  if (!shared || shared.threads !== want) {
    shared?.terminate();
    shared = new WasmPool(wasmKernels(), want - 1);
  }
  return shared;
}
