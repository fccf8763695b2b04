/**
 * `OptimizerState` ⇄ plain JSON. Slot tensors become `{ shape, dtype, values: number[] }`;
 * float32/float64 values survive `JSON.stringify`/`JSON.parse` exactly (JS prints the shortest
 * round-tripping decimal), so a run resumed from JSON is bit-identical.
 *
 * @example
 * fs.writeFileSync("opt.json", JSON.stringify(stateToJSON(opt.stateDict())));
 * opt2.loadStateDict(stateFromJSON(JSON.parse(fs.readFileSync("opt.json", "utf8"))));
 */
import { Tensor } from "../core/tensor";
import type { DType } from "../core/dtype";
import { sizeOf } from "../core/shape";
import type { OptimizerState } from "./types";
import { fail } from "../core/check";

/** A tensor in an optimizer state JSON: shape, dtype and its values as plain numbers (exact: float32 and float64 round-trip through JSON). @example stateToJSON(opt.stateDict()).slots.momentums[0].shape */
export interface TensorJSON {
  shape: number[];
  dtype: DType;
  values: number[];
}

/** `stateToJSON(opt.stateDict())`: the state dict with tensors as `TensorJSON`, ready for JSON.stringify. @example JSON.stringify(stateToJSON(opt.stateDict())) */
export interface OptimizerStateJSON {
  config: Record<string, unknown>;
  iterations: number;
  microSteps?: number;
  slots: Record<string, TensorJSON[]>;
  lossScale?: { scale: number; stepCounter: number };
}

/** Plain-JSON form of a state (no typed arrays, no Tensor objects). */
export function stateToJSON(s: OptimizerState): OptimizerStateJSON {
  const slots: Record<string, TensorJSON[]> = {};
  for (const [n, ts] of Object.entries(s.slots)) {
    slots[n] = ts.map((t) => ({ shape: t.shape.slice(), dtype: t.dtype, values: Array.from(t.values) }));
  }
  const out: OptimizerStateJSON = { config: JSON.parse(JSON.stringify(s.config)), iterations: s.iterations, slots };
  if (s.microSteps !== undefined) out.microSteps = s.microSteps;
  if (s.lossScale) out.lossScale = { ...s.lossScale };
  return out;
}

/** The inverse of `stateToJSON` (also accepts the JSON text). */
export function stateFromJSON(j: OptimizerStateJSON | string): OptimizerState {
  const o: OptimizerStateJSON = typeof j === "string" ? JSON.parse(j) : j;
  if (typeof o !== "object" || o === null || typeof o.slots !== "object" || o.slots === null) fail("stateFromJSON", "state", "an object with slots", o);
  const slots: Record<string, Tensor[]> = {};
  for (const [n, ts] of Object.entries(o.slots)) {
    if (!Array.isArray(ts)) fail("stateFromJSON", `slots.${n}`, "an array", ts);
    slots[n] = ts.map((t, i) => {
      if (!t || !Array.isArray(t.shape) || !Array.isArray(t.values) || sizeOf(t.shape) !== t.values.length) {
        fail("stateFromJSON", `slots.${n}[${i}]`, "{ shape, dtype, values } with shape matching the number of values", t);
      }
      const values = t.dtype === "float64" ? Float64Array.from(t.values) : Float32Array.from(t.values);
      return new Tensor(values, t.shape.slice());
    });
  }
  const out: OptimizerState = { config: o.config ?? {}, iterations: o.iterations, slots };
  if (o.microSteps !== undefined) out.microSteps = o.microSteps;
  if (o.lossScale) out.lossScale = { ...o.lossScale };
  return out;
}
