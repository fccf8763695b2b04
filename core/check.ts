/**
 * The one family of argument checks, for core, nn and optim alike. Every failure throws
 * `Error("<owner>: <arg> must be <allowed>, got <value>")`: the message names the op, layer or
 * optimizer, the argument, and the offending value shown as it is (`show`: NaN as NaN, never
 * as JSON's null). Checks never mutate anything, so callers run them all before touching state.
 *
 * @example checkNumber("Linear", "inFeatures", NaN, { min: 1, integer: true }) // throws: Linear: inFeatures must be an integer >= 1, got NaN
 */

const MAX_ITEMS = 8; // items of an array shown in a message before "…"

/** A number as JS writes it, but -0 as "-0" (String(-0) is "0"). */
function showNumber(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

function showItems(items: ArrayLike<unknown>, depth: number): string {
  const n = Math.min(items.length, MAX_ITEMS);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(showValue(items[i], depth + 1));
  if (items.length > n) parts.push(`…${items.length - n} more`);
  return parts.join(",");
}

function showValue(v: unknown, depth: number): string {
  if (typeof v === "number") return showNumber(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol" || typeof v === "boolean") return String(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = v as unknown as ArrayLike<number | bigint>;
    return `${v.constructor.name}(${a.length}) [${showItems(a, depth)}]`;
  }
  if (depth > 3) return Array.isArray(v) ? "[…]" : "{…}";
  if (Array.isArray(v)) return `[${showItems(v, depth)}]`;
  const ctor = (v as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof ctor === "string" && ctor !== "Object") return `a ${ctor}`;
  const keys = Object.keys(v as object);
  const parts = keys.slice(0, MAX_ITEMS).map((k) => `${JSON.stringify(k)}:${showValue((v as Record<string, unknown>)[k], depth + 1)}`);
  if (keys.length > MAX_ITEMS) parts.push(`…${keys.length - MAX_ITEMS} more`);
  return `{${parts.join(",")}}`;
}

/**
 * A value as it should appear in an error message: numbers as JS writes them (`NaN`,
 * `Infinity`, `-0`), `undefined`, `5n`, strings quoted, arrays and plain objects in JSON's
 * compact form with those values kept, typed arrays as `Float32Array(3) [1,NaN,3]`, other
 * objects as `a Tensor`, functions as `a function`.
 * @example show([2, NaN]) // "[2,NaN]" (JSON.stringify would print "[2,null]")
 */
export function show(v: unknown): string {
  return showValue(v, 0);
}

/**
 * Throws the standard message.
 * @example fail("Lion", "beta1", "a finite number in (0, 1]", 2) // throws: Lion: beta1 must be a finite number in (0, 1], got 2
 */
export function fail(owner: string, arg: string, allowed: string, value: unknown): never {
  throw new Error(`${owner}: ${arg} must be ${allowed}, got ${show(value)}`);
}

/** A range of numbers: `{ min: 0, minOpen: true, max: 1 }` is (0, 1]. */
export interface Range {
  min?: number;
  max?: number;
  /** exclude `min` itself: (min, ...) */
  minOpen?: boolean;
  /** exclude `max` itself: (..., max) */
  maxOpen?: boolean;
  integer?: boolean;
}

/**
 * "a finite number in (0, 1]", "an integer >= 1", "a finite number >= 0", ...
 * @example describeRange({ min: 1, integer: true }) // "an integer >= 1"
 */
export function describeRange(r: Range): string {
  const kind = r.integer ? "an integer" : "a finite number";
  if (r.min !== undefined && r.max !== undefined) {
    return `${kind} in ${r.minOpen ? "(" : "["}${r.min}, ${r.max}${r.maxOpen ? ")" : "]"}`;
  }
  if (r.min !== undefined) return `${kind} ${r.minOpen ? ">" : ">="} ${r.min}`;
  if (r.max !== undefined) return `${kind} ${r.maxOpen ? "<" : "<="} ${r.max}`;
  return kind;
}

/**
 * True when `v` is a finite number inside `r`.
 * @example inRange(0.5, { min: 0, max: 1 }) // true
 */
export function inRange(v: unknown, r: Range): v is number {
  if (typeof v !== "number" || !Number.isFinite(v)) return false;
  if (r.integer && !Number.isInteger(v)) return false;
  if (r.min !== undefined && (r.minOpen ? !(v > r.min) : !(v >= r.min))) return false;
  if (r.max !== undefined && (r.maxOpen ? !(v < r.max) : !(v <= r.max))) return false;
  return true;
}

/**
 * Returns `v` when it is a finite number inside `r`, throws the standard message otherwise.
 * @example checkNumber("SGD", "momentum", 0.9, { min: 0, max: 1 }) // 0.9
 */
export function checkNumber(owner: string, arg: string, v: unknown, r: Range = {}): number {
  if (!inRange(v, r)) fail(owner, arg, describeRange(r), v);
  return v;
}

/**
 * Like `checkNumber`, but `null`/`undefined` pass through as `null`.
 * @example checkOptionalNumber("Lion", "clipNorm", undefined, { min: 0 }) // null
 */
export function checkOptionalNumber(owner: string, arg: string, v: unknown, r: Range = {}): number | null {
  if (v === null || v === undefined) return null;
  if (!inRange(v, r)) fail(owner, arg, `${describeRange(r)} or null`, v);
  return v;
}

/**
 * Returns `v` when it is a boolean.
 * @example checkBoolean("Adam", "amsgrad", true) // true
 */
export function checkBoolean(owner: string, arg: string, v: unknown): boolean {
  if (typeof v !== "boolean") fail(owner, arg, "a boolean", v);
  return v;
}

/**
 * Throws `owner: unknown option "k" (allowed: ...)` when `opts` has a key outside `allowed`
 * (a typo such as `strides` or `lr` must not silently fall back to a default). `null` and
 * `undefined` pass; anything else that is not an object is rejected.
 * @example checkOptionKeys("conv2d", { strides: 2 }, ["stride", "padding"]) // throws: conv2d: unknown option "strides" (allowed: stride, padding)
 */
export function checkOptionKeys(owner: string, opts: unknown, allowed: readonly string[], what = "option"): void {
  if (opts === null || opts === undefined) return;
  if (typeof opts !== "object") throw new Error(`${owner}: options must be an object, got ${show(opts)}`);
  const unknown = Object.keys(opts).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `${owner}: unknown ${what}${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")} (allowed: ${allowed.join(", ")})`,
    );
  }
}

/**
 * Throws unless `opts` is a plain object (or undefined, which becomes {}).
 * @example const o = checkOptions("Lion", undefined) // {}
 */
export function checkOptions<T extends object>(owner: string, opts: T | undefined): T {
  if (opts === undefined) return {} as T;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) fail(owner, "options", "an object", opts);
  return opts;
}

/**
 * Throws unless `v` is an instance of `Kind` (a Tensor, most often), with the standard wording.
 * @example checkInstance("crossEntropy", "logits", x, Tensor, "a Tensor")
 */
export function checkInstance<T>(owner: string, arg: string, v: unknown, Kind: abstract new (...args: never[]) => T, allowed: string): asserts v is T {
  if (!(v instanceof Kind)) fail(owner, arg, allowed, v);
}

/**
 * "ExponentialDecay" → "exponential_decay", "AdamW" → "adam_w", "clipNorm" → "clip_norm" (Keras's snake_case).
 * @example snakeCase("ReduceLROnPlateau") // "reduce_lr_on_plateau"
 */
export function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * "initial_learning_rate" → "initialLearningRate", "beta_1" → "beta1".
 * @example camelCase("use_ema") // "useEma"
 */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Resolves a `number | [h, w]` hyper-parameter (integers >= `min`); throws naming `op` and `what`.
 * @example pair(2, "conv2d", "stride", 1) // [2, 2]
 * @example pair([1, 0], "conv2d", "padding", 0) // [1, 0]
 */
export function pair(v: unknown, op: string, what: string, min: number): [number, number] {
  const ok = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  const allowed = min === 0 ? "a non-negative integer" : "a positive integer";
  throw new Error(`${op}: ${what} must be ${allowed} or [h, w] of such, got ${show(v)}`);
}
