/** Rejecting misspelled options: a typo such as `batchsize` must not silently fall back to a default. */

/**
 * Throws `where: unknown option "k" (allowed: ...)` when `opts` has a key outside `allowed`.
 * @example checkOptionKeys("fit", { epoch: 3 }, ["epochs"]) // throws: fit: unknown option "epoch" (allowed: epochs)
 */
export function checkOptionKeys(where: string, opts: object, allowed: readonly string[]): void {
  const unknown = Object.keys(opts).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new Error(`${where}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")} (allowed: ${allowed.join(", ")})`);
  }
}
