/**
 * fit's console output. On a terminal (verbose 1): one bar per epoch, redrawn in place with
 * "\r" at most ~10 times a second:
 *   Epoch 1/5  37/120 [=======>......................] 31% loss 0.4123 acc 0.8812  1,234 samples/s  ETA 12s
 * then finished with the epoch's summary and a newline. Elsewhere (a pipe, a log file, or
 * verbose 2): one plain line per epoch:
 *   Epoch 1/5 - 120 steps - 3.1s - loss 0.4123 - accuracy 0.8812 - val_loss 0.5012 - val_accuracy 0.8400
 */
import type { Logs } from "./callbacks";

/** Where output goes: process.stdout by default; tests pass a fake with `isTTY` set as needed. */
export interface OutputStream {
  /** Writes a piece of text (a line ends with "\n"; a bar redraw starts with "\r"). */
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 30;
const REDRAW_MS = 100;

/** Keys shown in the bar and the per-epoch line, in this order; other keys follow. */
function metricPairs(logs: Logs, short: boolean): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(logs)) {
    if (key === "size" || key === "batch") continue;
    const name = short ? key.replace(/accuracy/, "acc") : key;
    out.push(`${name} ${formatNumber(value)}`);
  }
  return out;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

/** 1234.5 → "1,235". */
export function groupThousands(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return m < 60 ? `${m}m${String(s).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** The bar itself: `[=======>......]` with `width` characters between the brackets. */
export function renderBar(done: number, total: number, width = BAR_WIDTH): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.floor(frac * width);
  if (filled >= width) return `[${"=".repeat(width)}]`;
  return `[${"=".repeat(filled)}>${".".repeat(width - filled - 1)}]`;
}

/** Prints fit's progress; `now` is injectable so tests need no timers. */
export class ProgressReporter {
  private readonly bar: boolean;
  private epochStart = 0;
  private lastDraw = -Infinity;
  private lastLength = 0;

  constructor(
    private readonly out: OutputStream,
    private readonly verbose: number,
    private readonly epochs: number,
    private readonly steps: number | null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bar = verbose === 1 && out.isTTY === true;
  }

  epochBegin(): void {
    this.epochStart = this.now();
    this.lastDraw = -Infinity;
    this.lastLength = 0;
  }

  /** After each batch: redraws the bar (throttled) on a terminal; nothing otherwise. */
  batchEnd(step: number, samples: number, logs: Logs, epoch: number): void {
    if (!this.bar) return;
    const t = this.now();
    const last = this.steps !== null && step >= this.steps;
    if (!last && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    this.draw(this.barLine(step, samples, logs, epoch, t));
  }

  private barLine(step: number, samples: number, logs: Logs, epoch: number, t: number): string {
    const seconds = (t - this.epochStart) / 1000;
    const rate = seconds > 0 ? samples / seconds : 0;
    const counter =
      this.steps !== null
        ? `${String(step).padStart(String(this.steps).length)}/${this.steps} ${renderBar(step, this.steps)} ${Math.floor((100 * step) / this.steps)}%`
        : `${step}/?`;
    const parts = [`Epoch ${epoch + 1}/${this.epochs}`, [counter, ...metricPairs(logs, true)].join(" ")];
    parts.push(`${groupThousands(rate)} samples/s`);
    if (this.steps !== null && step < this.steps && step > 0) {
      parts.push(`ETA ${formatDuration((seconds / step) * (this.steps - step))}`);
    }
    return parts.filter((p) => p !== "").join("  ");
  }

  private draw(line: string): void {
    const pad = this.lastLength > line.length ? " ".repeat(this.lastLength - line.length) : "";
    this.out.write(`\r${line}${pad}`);
    this.lastLength = line.length;
  }

  /** At the end of an epoch (after validation): finishes the bar line, or prints the epoch line. */
  epochEnd(epoch: number, steps: number, logs: Logs): void {
    if (this.verbose === 0) return;
    const seconds = (this.now() - this.epochStart) / 1000;
    if (this.bar) {
      const done = [`${steps}/${steps} ${renderBar(1, 1)} ${formatDuration(seconds)}`, ...metricPairs(logs, true)].join(" ");
      this.draw(`Epoch ${epoch + 1}/${this.epochs}  ${done}`);
      this.out.write("\n");
      this.lastLength = 0;
      return;
    }
    const parts = [`Epoch ${epoch + 1}/${this.epochs}`, `${steps} steps`, `${seconds.toFixed(1)}s`, ...metricPairs(logs, false)];
    this.out.write(parts.join(" - ") + "\n");
  }

  /** A message on its own line (ends a half-drawn bar first). */
  message(line: string): void {
    if (this.bar && this.lastLength > 0) {
      this.out.write("\n");
      this.lastLength = 0;
    }
    this.out.write(line + "\n");
  }
}
