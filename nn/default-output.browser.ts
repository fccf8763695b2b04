/**
 * Where `fit` prints by default in a browser: the console, one line per epoch (a console has
 * no carriage return to redraw a bar with, so it is not a TTY).
 */
import type { OutputStream } from "./progress";

/** Lines written to console.log as they complete. */
export function defaultOutput(): OutputStream {
  let pending = "";
  return {
    isTTY: false,
    write(chunk: string) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        console.log(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    },
  };
}
