/**
 * The helper thread's loop (started by pool-start.ts; never imported by user code). It sleeps in
 * Atomics.wait on its ENTER word, joins a published job with a compare-exchange (so the main
 * thread can close a job it finished alone), takes chunks from the shared counter, and reports
 * DONE. Buffers and kernels arrive as messages, read synchronously with receiveMessageOnPort
 * when a job starts: the thread never returns to its event loop.
 */
import { MessagePort, receiveMessageOnPort } from "worker_threads";
import type { FloatArray } from "../dtype";
import { JOB_CHUNKS, JOB_RANGES, NEXT, doneAt, enterAt, errorAt, readyAt } from "./pool-protocol";

interface HelperData {
  ctl: SharedArrayBuffer;
  args: SharedArrayBuffer;
  index: number;
  port: MessagePort;
}

interface Entry {
  sab: SharedArrayBuffer;
  f32: Float32Array | null;
  f64: Float64Array | null;
}

/** Spin this many polls of ENTER before sleeping: back-to-back jobs then skip a futex wake-up. */
const SPIN = 20000;

/** Entry point of a helper thread. */
export function helperMain(data: HelperData): void {
  const ctl = new Int32Array(data.ctl);
  const args = new Float64Array(data.args);
  const port = data.port;
  const h = data.index;
  const buffers = new Map<number, Entry>();
  const kernels = new Map<number, (...a: unknown[]) => void>();
  const ENTER = enterAt(h),
    DONE = doneAt(h);

  const drain = (): void => {
    let m;
    while ((m = receiveMessageOnPort(port))) {
      const msg = m.message;
      if (msg.type === "buffer") buffers.set(msg.id, { sab: msg.sab, f32: null, f64: null });
      else if (msg.type === "drop") buffers.delete(msg.id);
      else if (msg.type === "kernel") {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(msg.module);
        kernels.set(msg.id, mod[msg.name]);
      }
    }
  };
  const view = (id: number, kind: number): FloatArray => {
    let e = buffers.get(id);
    if (!e) {
      // posted before the job was published; a message can take a moment to become readable
      for (let tries = 0; !e && tries < 1e6; tries++) {
        drain();
        e = buffers.get(id);
      }
      if (!e) throw new Error(`helper ${h}: unknown buffer ${id}`);
    }
    if (kind === 1) return e.f64 ?? (e.f64 = new Float64Array(e.sab, 0, e.sab.byteLength >> 3));
    return e.f32 ?? (e.f32 = new Float32Array(e.sab, 0, e.sab.byteLength >> 2));
  };

  /** Reads the job's kernel, arrays (views from each array's offset) and scalars. */
  const readJob = (): { fn: (...a: unknown[]) => void; arrays: FloatArray[]; call: unknown[]; n: number; chunk: number; nChunks: number } => {
    const fn = kernels.get(args[1]);
    if (!fn) throw new Error(`helper ${h}: unknown kernel ${args[1]}`);
    const nArr = args[2],
      n = args[3],
      chunk = args[4],
      nChunks = args[5];
    const arrays: FloatArray[] = [];
    let i = 6;
    for (let j = 0; j < nArr; j++, i += 3) arrays.push(view(args[i], args[i + 1]).subarray(args[i + 2]));
    const nSc = args[i++];
    const call: unknown[] = new Array(nArr + nSc);
    for (let j = 0; j < nSc; j++, i += 2) call[nArr + j] = args[i] === 1 ? args[i + 1] !== 0 : args[i + 1];
    return { fn, arrays, call, n, chunk, nChunks };
  };

  // JOB_RANGES: the kernel on sub-arrays [s, e) of every array, per chunk.
  const runRanges = (): void => {
    const { fn, arrays, call, n, chunk, nChunks } = readJob();
    for (;;) {
      const q = Atomics.add(ctl, NEXT, 1);
      if (q >= nChunks) break;
      const s = q * chunk,
        e = Math.min(n, s + chunk);
      for (let j = 0; j < arrays.length; j++) call[j] = arrays[j].subarray(s, e);
      fn(...call);
    }
  };

  // JOB_CHUNKS: the kernel on the whole arrays, then the chunk index.
  const runChunks = (): void => {
    const { fn, arrays, call, nChunks } = readJob();
    for (let j = 0; j < arrays.length; j++) call[j] = arrays[j];
    call.push(0);
    for (;;) {
      const q = Atomics.add(ctl, NEXT, 1);
      if (q >= nChunks) break;
      call[call.length - 1] = q;
      fn(...call);
    }
  };

  // read ENTER before announcing READY: jobs are only published to ready helpers, so a job
  // published right after READY is a change from `seen` (reading it after could miss the job)
  let seen = Atomics.load(ctl, ENTER);
  Atomics.store(ctl, readyAt(h), 1);
  Atomics.notify(ctl, readyAt(h));
  for (;;) {
    let e = Atomics.load(ctl, ENTER);
    for (let s = 0; e === seen && s < SPIN; s++) e = Atomics.load(ctl, ENTER);
    if (e === seen) {
      Atomics.wait(ctl, ENTER, seen);
      continue;
    }
    seen = e;
    if (e < 0 || (e & 1) === 1 || Atomics.compareExchange(ctl, ENTER, e, e + 1) !== e) continue;
    seen = e + 1;
    const job = e >> 1;
    try {
      drain();
      if (args[0] === JOB_CHUNKS) runChunks();
      else if (args[0] === JOB_RANGES) runRanges();
    } catch (err) {
      Atomics.store(ctl, errorAt(h), 1);
      port.postMessage({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
    Atomics.store(ctl, DONE, job);
    Atomics.notify(ctl, DONE);
  }
}
