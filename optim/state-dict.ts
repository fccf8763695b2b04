/**
 * The optimizer's slots as saved state: copying them out (`stateDict`), checking a saved state
 * against this optimizer and its parameters, and copying it back in (`loadStateDict`).
 *
 * @example const micro = checkSavedState("Lion: loadStateDict", s, ["momentums"], 1, null);
 */
import { Tensor } from "../core/tensor";
import type { FloatArray } from "../core/dtype";
import { fmt, sameShape } from "../core/shape";
import type { OptimizerState } from "./types";
import { checkNumber, fail, show } from "../core/check";

/** Slot lists by name, in state order (averages, accumulatedGradients, the rule's own). */
export type SlotEntries = [string, FloatArray[]][];

/** Copies of every slot array as tensors shaped like their parameters. */
export function copySlotsOut(entries: SlotEntries, params: readonly Tensor[]): Record<string, Tensor[]> {
  const slots: Record<string, Tensor[]> = {};
  for (const [n, arrays] of entries) slots[n] = arrays.map((a, i) => new Tensor(a.slice(), params[i].shape.slice()));
  return slots;
}

/** Copies saved slot tensors into the optimizer's arrays (shapes checked before). */
export function copySlotsIn(entries: SlotEntries, s: OptimizerState): void {
  for (const [n, arrays] of entries) s.slots[n].forEach((t, i) => arrays[i].set(t.values));
}

/** Throws unless every saved slot list has one tensor per parameter, each of its shape. */
export function checkSlotsFit(owner: string, s: OptimizerState, params: readonly Tensor[]): void {
  for (const [n, ts] of Object.entries(s.slots)) {
    if (ts.length !== params.length) throw new Error(`${owner}: loadStateDict: slot "${n}" has ${ts.length} tensors but there are ${params.length} parameters`);
    ts.forEach((t, i) => {
      if (!sameShape(t.shape, params[i].shape)) {
        throw new Error(
          `${owner}: loadStateDict: slots.${n}[${i}] has shape ${fmt(t.shape)} but parameter ${i}${params[i].name ? ` ("${params[i].name}")` : ""} has shape ${fmt(params[i].shape)}`,
        );
      }
    });
  }
}

/**
 * Checks a saved state's counters and slot lists against the slot names this optimizer expects
 * (`expected`) and its accumulation period `period` (1 when off). Returns the raw micro-step count
 * and whether the slot lists are empty (a state saved before the first step). Mutates nothing.
 */
export function checkSavedState(
  o: string,
  s: OptimizerState,
  expected: readonly string[],
  period: number,
  accumulationSteps: number | null,
): { micro: number; empty: boolean } {
  if (typeof s !== "object" || s === null) fail(o, "state", "an object from stateDict()", s);
  checkNumber(o, "iterations", s.iterations, { min: 0, integer: true });
  const micro = s.microSteps === undefined ? s.iterations * period : checkNumber(o, "microSteps", s.microSteps, { min: 0, integer: true });
  if (Math.floor(micro / period) !== s.iterations)
    throw new Error(`${o}: iterations=${s.iterations} and microSteps=${micro} disagree for gradientAccumulationSteps=${accumulationSteps}`);
  if (typeof s.slots !== "object" || s.slots === null) fail(o, "slots", "an object of tensor lists", s.slots);
  const got = Object.keys(s.slots);
  if (got.length !== expected.length || !expected.every((n) => got.includes(n))) {
    throw new Error(
      `${o}: slots ${show(got)} do not match this optimizer's slots ${show(expected)} (check useEma, gradientAccumulationSteps and the rule's options)`,
    );
  }
  for (const n of expected) {
    const ts = s.slots[n];
    if (!Array.isArray(ts) || !ts.every((t) => t instanceof Tensor)) fail(o, `slots.${n}`, "an array of Tensors", ts);
  }
  const counts = new Set(expected.map((n) => s.slots[n].length));
  if (counts.size > 1) throw new Error(`${o}: slot lists have different lengths ${show(expected.map((n) => s.slots[n].length))}`);
  return { micro, empty: expected.length === 0 || s.slots[expected[0]].length === 0 };
}
