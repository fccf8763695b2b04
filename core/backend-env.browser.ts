/**
 * The browser build's twin of `backend-env.ts`: a page has no environment, so nothing is asked
 * for and the backend is chosen by what the engine runs (or by `setBackend`).
 *
 * @example
 * backendFromEnvironment() // undefined
 */

/**
 * Always undefined in a page.
 * @example backendFromEnvironment() // undefined
 */
export function backendFromEnvironment(): string | undefined {
  return undefined;
}
