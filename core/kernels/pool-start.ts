/**
 * Node's side of the thread pool: how many threads to use, and starting helper threads
 * (worker_threads). The browser build swaps this file for `pool-start.browser.ts`, where the
 * pool never starts and every kernel runs on the page's thread.
 */
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { MessageChannel, MessagePort, Worker, isMainThread, receiveMessageOnPort } from "worker_threads";
import { MAX_HELPERS } from "./pool-protocol";

/** Whether helper threads exist on this platform at all. */
export const threadsAvailable = true;

/** Whether this is the main thread (helpers never start helpers of their own). */
export const onMainThread = isMainThread;

/** `NDGRAD_THREADS` if set to a whole number ≥ 1, else min(2, cores). */
export function defaultThreadCount(): number {
  const env = process.env.NDGRAD_THREADS;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_HELPERS + 1);
  }
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(2, cores));
}

/** A started helper: where its buffers and kernels are posted, and how to stop it. */
export interface Helper {
  post(message: unknown): void;
  terminate(): void;
  /** The last error message the helper posted, if any (read synchronously). */
  lastError(): string | null;
}

/**
 * Starts `count` helper threads on the shared control and argument blocks. Returns null when a
 * thread cannot be started (the caller then runs single-threaded). `onFailure` is called if a
 * helper dies later.
 */
export function startHelpers(count: number, ctl: SharedArrayBuffer, args: SharedArrayBuffer, onFailure: () => void): Helper[] | null {
  // The helper loop is loaded from this folder: .ts under ts-node (source checkout), .js in dist/.
  const ts = path.extname(__filename) === ".ts";
  const entry = path.join(__dirname, ts ? "thread-worker.ts" : "thread-worker.js");
  const env: NodeJS.ProcessEnv = { ...process.env, NDGRAD_THREADS: "1" };
  let register: string | null = null;
  if (ts) {
    register = require.resolve("ts-node/register/transpile-only");
    const tsconfig = path.resolve(__dirname, "..", "..", "tsconfig.json");
    if (fs.existsSync(tsconfig)) env.TS_NODE_PROJECT = tsconfig;
  }
  const helpers: Helper[] = [];
  for (let h = 0; h < count; h++) {
    const { port1, port2 } = new MessageChannel();
    try {
      const w = new Worker(BOOTSTRAP, {
        eval: true,
        execArgv: [],
        env,
        stdout: false,
        stderr: false,
        workerData: { register, entry, ctl, args, index: h, port: port2 },
        transferList: [port2],
      });
      w.unref();
      w.on("error", onFailure);
      w.on("exit", onFailure);
      port1.unref();
      helpers.push({
        post: (message) => port1.postMessage(message),
        lastError: () => lastError(port1),
        terminate: () => {
          w.off("exit", onFailure);
          void w.terminate();
          port1.close();
        },
      });
    } catch {
      for (const started of helpers) started.terminate();
      return null;
    }
  }
  return helpers;
}

/** Plain-Node bootstrap: registers ts-node when the sources are .ts, then loads the helper loop. */
const BOOTSTRAP = `
const { workerData } = require("worker_threads");
if (workerData.register) require(workerData.register);
require(workerData.entry).helperMain(workerData);
`;

function lastError(port: MessagePort): string | null {
  let msg: string | null = null;
  let m;
  while ((m = receiveMessageOnPort(port))) if (m.message && m.message.type === "error") msg = m.message.message;
  return msg;
}
