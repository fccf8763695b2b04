/**
 * jax-js (@jax-js/jax, a pinned devDependency) on its "wasm" device: Wasm SIMD kernels it
 * generates itself, with `jit` fusing a whole function. Under Node it runs single-threaded (its
 * thread pool needs the web `Worker` global, which Node lacks). Loaded lazily, like tfjs.
 *
 * jax-js arrays are reference-counted with move semantics: passing an array to a function
 * consumes it, `a.ref` keeps it alive (see its README).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Contender } from "./harness";
import type { SideOptions } from "./sides";

export type Jax = any;

let jaxModule: Jax | null = null;
let failure: string | null = null;

/** The initialised jax-js module on its wasm device, or null (with `jaxUnavailable()` saying why). */
export async function jax(): Promise<Jax | null> {
  if (jaxModule || failure) return jaxModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const j = require("@jax-js/jax");
    // init() with no argument probes WebGPU through `navigator`, absent in Node: ask for wasm only
    const devices: string[] = await j.init("wasm");
    if (!devices.includes("wasm")) throw new Error(`jax-js: no wasm device (got ${devices.join(", ")})`);
    j.defaultDevice("wasm");
    jaxModule = j;
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  return jaxModule;
}

export function jaxUnavailable(): string {
  return failure ?? "";
}

/** The jax-js version installed (for the results file). */
export function jaxVersion(): string {
  try {
    // its exports map hides package.json: read it beside the resolved entry (dist/index.cjs)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs"),
      path = require("path");
    const file = path.join(path.dirname(require.resolve("@jax-js/jax")), "..", "package.json");
    return JSON.parse(fs.readFileSync(file, "utf8")).version as string;
  } catch {
    return "?";
  }
}

/** A jax-js contender: `make` gets the module and returns the step; `free` (optional) disposes. */
export function jaxSide(make: (j: Jax) => { step: () => void; free?: () => void }, opts: SideOptions = {}): Contender {
  let made: { step: () => void; free?: () => void } | null = null;
  return {
    name: "jax-js",
    ...opts,
    setup: async () => {
      const j = await jax();
      if (!j) throw new Error(`jax-js unavailable: ${jaxUnavailable()}`);
      made = make(j);
    },
    run: () => made!.step(),
    teardown: () => {
      made?.free?.();
      made = null;
    },
  };
}
