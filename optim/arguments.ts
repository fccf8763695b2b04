/**
 * Argument helpers shared by the optimizers: Keras's auto names, number-or-function
 * hyper-parameters, the learning-rate forms, and the finite check behind `checkFinite`.
 */
import type { FloatArray } from "../core/dtype";
import type { Hyper, LearningRate } from "./types";
import { isSchedule } from "./schedules";
import { Range, checkNumber, describeRange, fail, inRange, show, snakeCase } from "../core/check";

const nameCounters = new Map<string, number>();

/** Index of the first NaN or ±Infinity in `a`, or -1 (`x - x` is 0 exactly for finite x). */
export function firstNonFinite(a: FloatArray): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] - a[i];
  if (acc === 0) return -1;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Keras's auto names: `adam`, `adam_1`, `adam_2`, ... (a process-wide counter per prefix). */
export function uniqueName(className: string): string {
  const base = snakeCase(className);
  const n = nameCounters.get(base) ?? 0;
  nameCounters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Test helper: forget the auto-name counters (as a fresh Keras process). */
export function resetOptimizerNames(): void {
  nameCounters.clear();
}

/** Throws unless `h` is a number inside `r` or a zero-argument function (checked when read). */
export function checkHyper(owner: string, arg: string, h: unknown, r: Range): Hyper {
  if (typeof h === "function") return h as () => number;
  return checkNumber(owner, arg, h, r);
}

/** Reads a number-or-function hyper-parameter, checking a function's result against `r`. */
export function readHyper(owner: string, arg: string, h: Hyper, r: Range): number {
  if (typeof h === "number") return h;
  const v = h();
  if (!inRange(v, r)) throw new Error(`${owner}: ${arg} function returned ${show(v)}, must be ${describeRange(r)}`);
  return v;
}

/** The learning-rate forms accepted anywhere (constructor, setter). */
export function checkLearningRate(owner: string, lr: unknown): LearningRate {
  if (isSchedule(lr) || typeof lr === "function") return lr as LearningRate;
  if (!inRange(lr, { min: 0 })) fail(owner, "learningRate", "a finite number >= 0, a LearningRateSchedule or a function returning one", lr);
  return lr;
}
