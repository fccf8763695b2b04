/**
 * Where `fit` prints by default in Node: the process's standard output (a progress bar on a
 * terminal, plain lines otherwise). The browser build swaps in `default-output.browser.ts`.
 */
import type { OutputStream } from "./progress";

/** process.stdout. */
export function defaultOutput(): OutputStream {
  return process.stdout;
}
