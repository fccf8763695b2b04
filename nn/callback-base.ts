/** The base class of ndgrad's callbacks (see callbacks.ts for the hooks and their order). */
import type { Callback, TrainContext } from "./callback-types";

/**
 * Base class with the context kept as `this.ctx` (plain objects work as callbacks too).
 * @example class Log extends BaseCallback { onEpochEnd(e: number) { this.context("Log").print(`epoch ${e + 1}`); } }
 */
export abstract class BaseCallback implements Callback {
  protected ctx?: TrainContext;
  /** Keeps the training context for the hooks (subclasses that override it call super). */
  setContext(ctx: TrainContext): void {
    this.ctx = ctx;
  }
  /** The training context; throws, naming the callback, when used outside fit. */
  protected context(name: string): TrainContext {
    if (!this.ctx) throw new Error(`${name}: used outside fit (no training context was set)`);
    return this.ctx;
  }
}
