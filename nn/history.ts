/**
 * History: what `fit` returns, as Keras's `History` callback. `history.loss[i]` is epoch i's
 * mean training loss over samples; `accuracy`, `val_loss`, `val_accuracy` and any other logged
 * value appear when computed. `stoppedReason` says why training ended early, if it did.
 */

/** Per-epoch series by log key; `loss` is always present. */
export type HistoryRecord = { loss: number[] } & Record<string, number[]>;

/**
 * Per-epoch logs of one `fit`.
 * @example const h = nn.fit(model, data, opts); h.history.loss // [0.9, 0.4, ...]
 */
export class History {
  /** One array per logged value (`loss`, `accuracy`, `val_loss`, `val_accuracy`, ...), one entry per epoch. */
  readonly history: HistoryRecord = { loss: [] };
  /** The indices (0-based) of the epochs recorded. */
  readonly epoch: number[] = [];
  /** The fit settings, as Keras's `history.params`: `{ epochs, steps }` (steps null when unknown). */
  params: { epochs: number; steps: number | null; verbose: number } = { epochs: 0, steps: null, verbose: 0 };
  /** Set when training stopped before the last epoch: a NaN loss, or a callback's request. */
  stoppedReason?: string;

  /**
   * Appends one epoch's logs (keys seen for the first time start a new series).
   * @example h.record(0, { loss: 0.5, accuracy: 0.9 }); h.history.loss // [0.5]
   */
  record(epoch: number, logs: Record<string, number>): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      if (typeof value !== "number") continue;
      (this.history[key] ??= []).push(value);
    }
  }
}
