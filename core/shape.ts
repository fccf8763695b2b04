import { show } from "./check";
/** Shape arithmetic shared by every op: sizes, strides, axes and NumPy broadcasting. */

export type Shape = readonly number[];

/** `[2,3]` → `"[2,3]"`, the form every error message uses. */
export function fmt(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** The number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major (C order) strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** True when both shapes have the same rank and dims. @example sameShape([2, 3], [2, 3]) // true */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws unless every entry is a non-negative integer. */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  return shape.slice();
}

/** Resolves a possibly negative axis against `rank`; throws with the op name when out of range. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1) || (rank === 0 && axis !== 0 && axis !== -1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (allowed: ${-rank}..${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves `axis` (a number, a list, or undefined = all) into sorted unique non-negative axes. */
export function normalizeAxes(axis: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : Array.from(axis);
  const out = list.map((a) => normalizeAxis(a, rank, op));
  if (rank === 0) return []; // a scalar's only "axis" (0 or -1) reduces nothing, as in PyTorch
  const unique = Array.from(new Set(out)).sort((p, q) => p - q);
  if (unique.length !== out.length) throw new Error(`${op}: repeated axis in ${show(list)}`);
  return unique;
}

/**
 * NumPy broadcasting: align shapes on the right; each pair of dims must be equal or one of them 1.
 * Throws `op: shapes [..] and [..] cannot be broadcast` otherwise.
 */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a tensor of shape `from` as if it had the (broadcast) shape `to`:
 * broadcast dims get stride 0, which is how every kernel broadcasts without copying.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const own = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const lead = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[lead + i] = from[i] === 1 ? 0 : own[i];
  return out;
}
