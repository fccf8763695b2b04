/**
 * The results file and the crash-safe writes. `results.jsonl` holds one JSON object a line, one
 * line a finished run (or test evaluation); the lab process is its only writer, and appends each
 * row as one whole line with a single write followed by fsync, so a crash can at worst leave a
 * torn last line, which `readRows` detects and cuts off before anything new is appended. Other
 * files (study.json, weights, report.html, summary.csv) are written to a temporary file, fsynced
 * and renamed over the target, so a reader sees the old file or the new one, never half of one.
 */
import * as fs from "fs";
import { nn } from "ndgrad";

/**
 * Writes `data` to `file` atomically: ndgrad's one crash-safe writer (nn/atomic-write.ts: a
 * unique temp file in the same folder, every byte written, fsync, rename, fsync of the folder,
 * the temp file removed on failure).
 * @example atomicWrite("out/report.html", html);
 */
export function atomicWrite(file: string, data: string | Uint8Array): void {
  nn.writeFileAtomic(file, data);
}

/** NaN and ±Infinity become null in JSON; the rows say so with `diverged`. */
function finiteOrNull(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

/**
 * Appends one row as one line (single write, then fsync).
 * @example appendRow("out/results.jsonl", { kind: "run", key: "0123abcd" });
 */
export function appendRow(file: string, row: object): void {
  const line = Buffer.from(JSON.stringify(row, finiteOrNull) + "\n");
  const fd = fs.openSync(file, "a");
  try {
    fs.writeSync(fd, line);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The rows of a results file. A torn last line (no final newline: the writer was killed while
 * appending) is dropped and, with `repair`, cut off the file so the next append starts a fresh line.
 * @example const rows = readRows("out/results.jsonl", { repair: true });
 */
export function readRows<T = Record<string, unknown>>(file: string, opts: { repair?: boolean } = {}): T[] {
  if (!fs.existsSync(file)) return [];
  const buf = fs.readFileSync(file);
  const end = buf.lastIndexOf(0x0a) + 1; // bytes up to and including the last newline
  if (end < buf.length && opts.repair) fs.truncateSync(file, end);
  const rows: T[] = [];
  for (const line of buf.subarray(0, end).toString("utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      // only a line torn by a crashed writer can be malformed; it is not a finished run
    }
  }
  return rows;
}
