/**
 * The backend the environment asks for: `NDGRAD_BACKEND` in Node. The browser build swaps this
 * file for `backend-env.browser.ts` (a page has no environment variables).
 *
 * @example
 * backendFromEnvironment() // "js" under NDGRAD_BACKEND=js, undefined when unset
 */

/**
 * The raw value of NDGRAD_BACKEND (undefined when unset or empty).
 * @example backendFromEnvironment() // undefined
 */
export function backendFromEnvironment(): string | undefined {
  const value = typeof process !== "undefined" ? process.env.NDGRAD_BACKEND : undefined;
  return value === "" ? undefined : value;
}
