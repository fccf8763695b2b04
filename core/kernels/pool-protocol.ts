/**
 * What the main thread and the helper threads agree on: the layout of the shared control
 * block, the job kinds, and how a kernel is named so that a helper can load it.
 *
 * Control block (Int32Array over a SharedArrayBuffer): one shared chunk counter, then per
 * helper h an ENTER word (2·job = open, 2·job+1 = taken by the helper, -1 = closed by the main
 * thread), a DONE word (last job finished), a READY word and an ERROR word.
 */
export const NEXT = 0;
const PER = 4;
export const enterAt = (h: number): number => 4 + h * PER;
export const doneAt = (h: number): number => 5 + h * PER;
export const readyAt = (h: number): number => 6 + h * PER;
export const errorAt = (h: number): number => 7 + h * PER;
/** Int32 words of a control block for `helpers` helpers. */
export const controlWords = (helpers: number): number => 4 + PER * helpers;
export const CLOSED = -1;
export const MAX_HELPERS = 15;
/** Float64 slots of the shared argument block of a job. */
export const ARGS = 256;

/** A job over element ranges: each chunk calls the kernel on sub-arrays [s, e) of every array. */
export const JOB_RANGES = 2;
/** A job over chunk indices: each chunk q calls the kernel on the whole arrays, then q. */
export const JOB_CHUNKS = 1;

/**
 * A kernel that helpers can run, loaded by module path: a top-level function taking only typed
 * arrays and numbers/booleans (for chunk jobs, the chunk index last).
 * @example const lionF32Kernel: ParallelKernel = { module: __filename, name: "lionF32", fn: lionF32 }; // perDtype builds these
 */
export interface ParallelKernel {
  /** Absolute path of the module exporting it (usually `__filename`). */
  module: string;
  /** Its export name. */
  name: string;
  fn: (...args: never[]) => void;
}
