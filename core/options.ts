/** Rejecting misspelled options: a typo such as `strides` or `batchsize` must not silently fall back to a default. */

/**
 * Throws `where: unknown option "k" (allowed: ...)` when `opts` has a key outside `allowed`.
 * @example checkOptionKeys("conv2d", { strides: 2 }, ["stride", "padding"]) // throws: conv2d: unknown option "strides" (allowed: stride, padding)
 */
export function checkOptionKeys(where: string, opts: object | null | undefined, allowed: readonly string[]): void {
  if (opts === null || opts === undefined) return;
  if (typeof opts !== "object") throw new Error(`${where}: options must be an object, got ${JSON.stringify(opts)}`);
  const unknown = Object.keys(opts).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new Error(`${where}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")} (allowed: ${allowed.join(", ")})`);
  }
}
