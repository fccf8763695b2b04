/**
 * What a panel needs from the page: the settings, a way to change one (validated, written to
 * the URL hash), the message area, and a way to stop the animation with a reason.
 */
import type { Messages } from "./messages";
import type { Commit, Field } from "./controls";
import type { Settings } from "./settings";

export interface Host {
  readonly doc: Document;
  settings(): Settings;
  commit: Commit;
  /** Sets a value from code (a button, a click); it is validated like typed input. */
  set(key: string, value: number | string | boolean): void;
  /** Registers a field so that later changes of its key from elsewhere show in it. */
  track(field: Field): Field;
  messages: Messages;
  /** Whether the animation is running (a panel may then skip some redrawing). */
  playing(): boolean;
  /** Pauses the animation and shows `text` as an error (a divergence, an invalid setting). */
  stop(source: string, text: string): void;
}

/** One of the two panels, driven by the page's animation loop. */
export interface PanelController {
  /** Rebuilds the race from the settings (a bad setting is reported, the old race stays). */
  reset(): void;
  /**
   * Trains for about `budgetMs` (the network) or the panel's steps per frame (the surfaces),
   * never more than `maxSteps`; returns the steps done.
   */
  advance(budgetMs: number, maxSteps?: number): number;
  render(): void;
  /** The run reached its "steps to run". */
  finished(): boolean;
  /** There is a race (its settings were valid) that has steps left. */
  canRun(): boolean;
  steps(): number;
  /** Plain data for the tests and for the status line. */
  snapshot(): Record<string, unknown>;
}
