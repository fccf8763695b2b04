/**
 * Argument checks shared by the optimizers and schedules. Every failure throws
 * `Error("<Owner>: <arg> must be <allowed>, got <value>")`, so a message always names the
 * optimizer (or schedule), the argument and the offending value. Checks never mutate anything:
 * callers run all of them before touching state.
 */

/** A value as it should appear in an error message (`NaN`, `"0.1"`, `a function`, `{...}`). */
export function show(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "function") return "a function";
  if (v === undefined) return "undefined";
  if (typeof v === "object" && v !== null && typeof (v as { constructor?: { name?: string } }).constructor?.name === "string") {
    const ctor = (v as { constructor: { name: string } }).constructor.name;
    if (ctor !== "Object" && ctor !== "Array") return `a ${ctor}`;
  }
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Throws the standard message. */
export function fail(owner: string, arg: string, allowed: string, value: unknown): never {
  throw new Error(`${owner}: ${arg} must be ${allowed}, got ${show(value)}`);
}

export interface Range {
  min?: number;
  max?: number;
  /** exclude `min` itself: (min, ...) */
  minOpen?: boolean;
  /** exclude `max` itself: (..., max) */
  maxOpen?: boolean;
  integer?: boolean;
}

/** "a finite number in (0, 1]", "an integer >= 1", "a finite number >= 0", ... */
export function describeRange(r: Range): string {
  const kind = r.integer ? "an integer" : "a finite number";
  if (r.min !== undefined && r.max !== undefined) {
    return `${kind} in ${r.minOpen ? "(" : "["}${r.min}, ${r.max}${r.maxOpen ? ")" : "]"}`;
  }
  if (r.min !== undefined) return `${kind} ${r.minOpen ? ">" : ">="} ${r.min}`;
  if (r.max !== undefined) return `${kind} ${r.maxOpen ? "<" : "<="} ${r.max}`;
  return kind;
}

/** True when `v` is a finite number inside `r`. */
export function inRange(v: unknown, r: Range): v is number {
  if (typeof v !== "number" || !Number.isFinite(v)) return false;
  if (r.integer && !Number.isInteger(v)) return false;
  if (r.min !== undefined && (r.minOpen ? !(v > r.min) : !(v >= r.min))) return false;
  if (r.max !== undefined && (r.maxOpen ? !(v < r.max) : !(v <= r.max))) return false;
  return true;
}

/** Returns `v` when it is a finite number inside `r`, throws the standard message otherwise. */
export function checkNumber(owner: string, arg: string, v: unknown, r: Range = {}): number {
  if (!inRange(v, r)) fail(owner, arg, describeRange(r), v);
  return v;
}

/** Like `checkNumber`, but `null`/`undefined` pass through as `null`. */
export function checkOptionalNumber(owner: string, arg: string, v: unknown, r: Range = {}): number | null {
  if (v === null || v === undefined) return null;
  if (!inRange(v, r)) fail(owner, arg, `${describeRange(r)} or null`, v);
  return v;
}

export function checkBoolean(owner: string, arg: string, v: unknown): boolean {
  if (typeof v !== "boolean") fail(owner, arg, "a boolean", v);
  return v;
}

/** Throws when `opts` has keys outside `allowed` (catches typos such as `lr` or `beta_1` in camelCase options). */
export function checkKnownKeys(owner: string, opts: object, allowed: readonly string[], what = "option"): void {
  const unknown = Object.keys(opts).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new Error(`${owner}: unknown ${what}${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")} (allowed: ${allowed.join(", ")})`);
  }
}

/** Throws unless `opts` is a plain object (or undefined, which becomes {}). */
export function checkOptions<T extends object>(owner: string, opts: T | undefined): T {
  if (opts === undefined) return {} as T;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) fail(owner, "options", "an object", opts);
  return opts;
}

/** "ExponentialDecay" → "exponential_decay", "AdamW" → "adam_w" (Keras's snake_case). */
export function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** "initial_learning_rate" → "initialLearningRate", "beta_1" → "beta1". */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
