/**
 * Helper threads for the wasm kernels. Each helper instantiates the same compiled module on the
 * SAME shared memory (WasmHeap's), so a job is only a function name and its numeric arguments:
 * the buffers are already visible to every thread, nothing is copied or transferred.
 *
 * A job hands each helper one slice of the work (a range of elements, or a block of rows or
 * columns of a GEMM) and runs the first slice on the calling thread. Slices are fixed by the
 * job's size and the thread count only, and every element is computed by one thread with the
 * same code, so results are bit-identical for any thread count.
 *
 * Helpers start asynchronously; until a helper reports ready its slice runs on the main thread
 * (`run` never waits for a start-up). They are unref()'d and sleep in Atomics.wait when idle.
 *
 * @example
 * const pool = wasmPool(); pool.waitReady();
 * pool.run([{ fn: "reluF32", args: [px, py, n / 2] }, { fn: "reluF32", args: [px + n * 2, py + n * 2, n / 2] }]);
 */
import { Worker } from "worker_threads";
import { getNumThreads } from "../kernels/threads";
import { type KernelExports, type WasmKernels, wasmKernels } from "./loader";

/** One kernel call: an export of kernels.wasm and its arguments (addresses, counts, scalars). */
export interface WasmCall {
  fn: keyof KernelExports;
  args: number[];
}

// Control words per helper (Int32), then the arguments (Float64 from byte 64).
const SEQ = 0, DONE = 1, READY = 2, FN = 3, NARGS = 4, ERR = 5;
const MAX_ARGS = 16;
/** Polls of the control word before sleeping: back-to-back jobs then skip a futex wake-up. */
const SPIN = 20000;

// The helper's loop, as plain JavaScript (eval'd: it loads in a few ms, no TypeScript needed).
const HELPER = `
const { workerData } = require("worker_threads");
const { module, memory, ctl, names, scratchBytes } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(ctl), a = new Float64Array(ctl, 64);
const fns = names.map((n) => ex[n]);
let seen = 0;
Atomics.store(c, ${READY}, 1);
for (;;) {
  let s, spins = 0;
  while ((s = Atomics.load(c, ${SEQ})) === seen) { if (++spins > ${SPIN}) Atomics.wait(c, ${SEQ}, seen); }
  seen = s;
  const f = c[${FN}];
  if (f < 0) break;
  try {
    const n = c[${NARGS}];
    if (n === 6) fns[f](a[0], a[1], a[2], a[3], a[4], a[5]);
    else fns[f](...Array.from(a.subarray(0, n)));
  } catch (e) { Atomics.store(c, ${ERR}, 1); }
  Atomics.store(c, ${DONE}, s);
  Atomics.notify(c, ${DONE});
}
`;

/**
 * A set of helper threads sharing one kernels instance's memory.
 * @example const pool = new WasmPool(wasmKernels(), 1);
 */
export class WasmPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ctl: Int32Array[] = [];
  private readonly args: Float64Array[] = [];
  private readonly names: (keyof KernelExports)[];
  private seq = 0;
  /** Per-thread GEMM scratch (byte addresses in the heap), main thread first. */
  readonly gemmScratch: number[] = [];

  constructor(readonly kernels: WasmKernels, helpers: number) {
    if (!Number.isInteger(helpers) || helpers < 0 || helpers > 15) throw new Error(`WasmPool: helpers must be an integer in [0, 15], got ${helpers}`);
    this.threads = helpers + 1;
    this.names = Object.keys(kernels.exports).filter((k) => typeof (kernels.exports as unknown as Record<string, unknown>)[k] === "function") as (keyof KernelExports)[];
    const scratchBytes = kernels.exports.gemmScratchBytes();
    for (let t = 0; t < this.threads; t++) this.gemmScratch.push(kernels.heap.allocRaw(scratchBytes));
    for (let h = 0; h < helpers; h++) {
      const ctl = new SharedArrayBuffer(64 + MAX_ARGS * 8);
      this.ctl.push(new Int32Array(ctl));
      this.args.push(new Float64Array(ctl, 64, MAX_ARGS));
      const w = new Worker(HELPER, { eval: true, execArgv: [], workerData: { module: kernels.module, memory: kernels.heap.memory, ctl, names: this.names, scratchBytes } });
      w.unref();
      this.workers.push(w);
    }
  }

  /** How many helpers have loaded and can take a slice now. */
  readyHelpers(): number {
    let r = 0;
    for (const c of this.ctl) if (Atomics.load(c, READY) === 1) r++;
    return r;
  }

  /** Blocks until every helper is ready (or the timeout passes); returns the ready count. */
  waitReady(timeoutMs = 20000): number {
    const end = Date.now() + timeoutMs;
    for (const c of this.ctl) {
      while (Atomics.load(c, READY) !== 1 && Date.now() < end) Atomics.wait(c, READY, 0, 5);
    }
    return this.readyHelpers();
  }

  /**
   * Runs calls[0] here and calls[1..] on helpers 0.. (or here, for a helper not ready yet), and
   * returns when all are done. At most `threads` calls.
   */
  run(calls: WasmCall[]): void {
    if (calls.length > this.threads) throw new Error(`WasmPool.run: ${calls.length} calls for ${this.threads} threads`);
    const ex = this.kernels.exports as unknown as Record<string, (...a: number[]) => void>;
    const seq = ++this.seq;
    const posted: number[] = [];
    for (let i = 1; i < calls.length; i++) {
      const h = i - 1, c = this.ctl[h];
      if (Atomics.load(c, READY) !== 1) { ex[calls[i].fn](...calls[i].args); continue; }
      const fn = this.names.indexOf(calls[i].fn);
      if (fn < 0 || calls[i].args.length > MAX_ARGS) throw new Error(`WasmPool.run: cannot post ${String(calls[i].fn)}`);
      this.args[h].set(calls[i].args);
      c[FN] = fn;
      c[NARGS] = calls[i].args.length;
      Atomics.store(c, SEQ, seq);
      Atomics.notify(c, SEQ);
      posted.push(h);
    }
    try {
      if (calls.length > 0) ex[calls[0].fn](...calls[0].args);
    } finally {
      // never return while a helper still writes into the memory
      for (const h of posted) {
        const c = this.ctl[h];
        let spins = 0;
        while (Atomics.load(c, DONE) !== seq) { if (++spins > SPIN) Atomics.wait(c, DONE, c[DONE], 1); }
      }
    }
    for (const h of posted) {
      if (Atomics.exchange(this.ctl[h], ERR, 0) !== 0) throw new Error(`wasm helper ${h}: ${String(calls[h + 1].fn)} failed`);
    }
  }

  /** Stops the helpers and frees their scratch. */
  terminate(): void {
    for (let h = 0; h < this.workers.length; h++) {
      this.ctl[h][FN] = -1;
      Atomics.store(this.ctl[h], SEQ, ++this.seq);
      Atomics.notify(this.ctl[h], SEQ);
      void this.workers[h].terminate();
    }
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
