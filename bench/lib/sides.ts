/** Helpers to build the three contenders of a comparison. */
import { Contender } from "./harness";
import type * as TF from "@tensorflow/tfjs";
import { Backend, Tf, tf, unavailable, useBackend } from "./tf";
import { getBackend, setBackend, type Backend as NdBackend } from "../../core/backend";

/** Per-contender overrides of the timing plan. */
export interface SideOptions {
  warmup?: number;
  perRound?: number;
}

/** Registers a tensor to be disposed at teardown; returns it. */
export type Keep = <T extends TF.Tensor>(x: T) => T;

/**
 * A tfjs contender on `backend`. `make` runs with that backend active and returns the step
 * function; tensors it passes to `keep`, and all variables, are disposed at teardown.
 */
export function tfSide(backend: Backend, make: (t: Tf, keep: Keep) => () => void, opts: SideOptions = {}): Contender {
  let step: (() => void) | null = null;
  let owned: TF.Tensor[] = [];
  // variables are global in tfjs: this side frees only those that appeared during its own
  // setup and warm-up (its weights and its optimizer's slots), never the other backend's
  let before = new Set<string>();
  let ownVars: string[] = [];
  const names = (): string[] => Object.keys(tf().engine().registeredVariables);
  return {
    name: `tfjs-${backend}`,
    ...opts,
    activate: async () => {
      if (!(await useBackend(backend))) throw new Error(`tfjs ${backend} backend unavailable: ${unavailable(backend)}`);
    },
    setup: () => {
      owned = [];
      before = new Set(names());
      step = make(tf(), (x) => {
        owned.push(x);
        return x;
      });
    },
    run: () => step!(),
    settle: () => {
      ownVars = names().filter((n) => !before.has(n));
    },
    teardown: () => {
      const t = tf();
      const vars = t.engine().registeredVariables;
      for (const n of ownVars) if (vars[n]) vars[n].dispose();
      ownVars = [];
      step = null;
      for (const x of owned) x.dispose();
      owned = [];
    },
  };
}

// The backend the process started on ("wasm" where the module validates): the "ndgrad" side's.
const defaultBackend: NdBackend = getBackend();

/**
 * ndgrad as users run it, on its default backend, or (backend "js") on `setBackend("js")` as
 * the side "ndgrad-js". `make` runs with the backend active, so its parameters and optimizer
 * state are allocated where that backend keeps them.
 */
export function ndSide(make: () => () => void, opts: SideOptions = {}, backend: "default" | "js" = "default"): Contender {
  let step: (() => void) | null = null;
  return {
    name: backend === "js" ? "ndgrad-js" : "ndgrad",
    ...opts,
    activate: () => setBackend(backend === "js" ? "js" : defaultBackend),
    setup: () => {
      step = make();
    },
    run: () => step!(),
    teardown: () => {
      step = null;
    },
  };
}

/**
 * ndgrad's WebAssembly kernels (core/wasm), called directly on buffers in the wasm heap: `make`
 * allocates and returns the step and a `free` for teardown.
 */
export function ndWasmSide(make: () => { step: () => void; free: () => void }, opts: SideOptions = {}): Contender {
  let made: { step: () => void; free: () => void } | null = null;
  return {
    name: "ndgrad-wasm",
    ...opts,
    setup: () => {
      made = make();
    },
    run: () => made!.step(),
    teardown: () => {
      made?.free();
      made = null;
    },
  };
}
