/**
 * Runs a block of tests once per backend ("js", then "wasm" where the engine validates the
 * module), switching with setBackend before the block and restoring the previous one after.
 * Parameters and optimizer state must be made inside the tests (hooks and `it`s), so they are
 * allocated under the block's backend.
 *
 * @example onEachBackend("optim: goldens", (backend) => { it("Lion", () => { ... }); });
 */
import { getBackend, setBackend, type Backend } from "../../core/backend";
import { validateSimd } from "../../core/wasm/loader";

/** The backends this engine can run. */
export const BACKENDS: Backend[] = validateSimd() ? ["js", "wasm"] : ["js"];

/** `describe(title [backend], body)` for each backend in BACKENDS. */
export function onEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      let previous: Backend;
      before(() => {
        previous = getBackend();
        setBackend(backend);
      });
      after(() => setBackend(previous));
      body(backend);
    });
  }
}
