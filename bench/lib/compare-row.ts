/** Turns harness timings into a table row (converting ms to the row's unit). */
import { Timing } from "./harness";
import { Row, SIDES, Side, Target } from "./types";

export function rowFrom(
  base: { id: string; workload: string; label: string; unit: Row["unit"]; target?: Target; targetSide?: Side; detail?: string },
  timings: Map<string, Timing>,
  errors: Map<string, string>,
  skipped: Partial<Record<Side, string>>,
  convert: (ms: number) => number = (ms) => ms,
): Row {
  const row: Row = { ...base, values: {}, spread: {}, notes: {} };
  for (const side of SIDES) {
    const t = timings.get(side);
    if (t) {
      row.values[side] = convert(t.ms);
      const a = convert(t.lo);
      const b = convert(t.hi);
      row.spread![side] = [Math.min(a, b), Math.max(a, b)];
    } else {
      row.values[side] = null;
      const why = errors.get(side) ?? skipped[side];
      if (why) row.notes![side] = why;
    }
  }
  return row;
}
