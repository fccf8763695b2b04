/**
 * The browser build's stand-in for `pool-start.ts`: a page runs every kernel on its own thread
 * (Web Workers would need cross-origin isolation for SharedArrayBuffer; not done yet), so the
 * pool reports one thread and never starts.
 */
/** Whether helper threads exist on this platform at all. */
export const threadsAvailable = false;

/** Whether this is the main thread: a page is. */
export const onMainThread = true;

/** One thread in a browser. */
export function defaultThreadCount(): number {
  return 1;
}

/** What `pool-start.ts` hands out; never created here. */
export interface Helper {
  post(message: unknown): void;
  terminate(): void;
  lastError(): string | null;
}

/** Never starts anything: the caller runs single-threaded. */
export function startHelpers(_count: number, _ctl: SharedArrayBuffer, _args: SharedArrayBuffer, _onFailure: () => void): Helper[] | null {
  return null;
}
