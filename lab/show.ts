/**
 * Values as they are, for error messages: NaN as NaN, -0 as -0, strings quoted, arrays and
 * objects shown element by element (never JSON.stringify a number, which turns NaN into null).
 * @example show([1, NaN]) // "[1, NaN]"
 */
export function show(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return v.length > 12 ? `[${v.slice(0, 12).map(show).join(", ")}, ... (${v.length} items)]` : `[${v.map(show).join(", ")}]`;
  if (typeof v === "object")
    return `{ ${Object.entries(v as object)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(", ")} }`;
  return String(v);
}

/**
 * Throws the lab's error for a bad study value: where it is, what is allowed, what it was.
 * @example badValue("study.seeds[1]", "an integer", 1.5) // throws "lab: study.seeds[1] must be an integer, got 1.5"
 */
export function badValue(where: string, allowed: string, value: unknown): never {
  throw new Error(`lab: ${where} must be ${allowed}, got ${show(value)}`);
}
