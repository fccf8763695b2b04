/**
 * TensorFlow.js 4.22.0 (the union package, which also registers the gradients) with its cpu
 * backend and the wasm backend (SIMD, single-threaded under Node, per docs/PERFORMANCE.md). Loaded lazily so
 * `--only overhead` etc. do not pay for it unless a tfjs side runs.
 */
import type * as TF from "@tensorflow/tfjs";

export type Tf = typeof TF;
export type Backend = "cpu" | "wasm";

let tfModule: Tf | null = null;
const ready = new Map<Backend, boolean>();
const why = new Map<Backend, string>();

/** The tfjs module (quietly: its "use tfjs-node" banner is noise here). */
export function tf(): Tf {
  if (tfModule === null) {
    const warn = console.warn;
    console.warn = () => {};
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      tfModule = require("@tensorflow/tfjs") as Tf;
      // registers the "wasm" backend on the same engine
      require("@tensorflow/tfjs-backend-wasm");
    } finally {
      console.warn = warn;
    }
  }
  return tfModule;
}

/** Makes `backend` the active one; false (with `unavailable(backend)` saying why) when it cannot run here. */
export async function useBackend(backend: Backend): Promise<boolean> {
  const t = tf();
  if (ready.get(backend) === false) return false;
  if (t.getBackend() === backend) return true;
  const warn = console.warn;
  console.warn = () => {};
  try {
    const ok = await t.setBackend(backend);
    if (!ok || t.getBackend() !== backend) throw new Error(`tf.setBackend("${backend}") failed (active: ${t.getBackend()})`);
    if (!ready.get(backend)) {
      // the cpu backend prints its "install tfjs-node" banner on first write: take it now, muted
      const log = console.log;
      console.log = () => {};
      try {
        t.tidy(() => t.add(t.scalar(1), 1).dataSync());
      } finally {
        console.log = log;
      }
    }
    ready.set(backend, true);
    return true;
  } catch (e) {
    ready.set(backend, false);
    why.set(backend, e instanceof Error ? e.message : String(e));
    return false;
  } finally {
    console.warn = warn;
  }
}

export function unavailable(backend: Backend): string | undefined {
  return why.get(backend);
}

/** Versions and wasm features, for the results header. */
export function tfInfo(): Record<string, unknown> {
  const t = tf();
  const info: Record<string, unknown> = { tfjs: t.version.tfjs };
  try {
    info.wasmSimd = t.env().getBool("WASM_HAS_SIMD_SUPPORT");
    info.wasmThreads = t.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  } catch {
    /* flags only exist once the wasm backend registered them */
  }
  return info;
}
