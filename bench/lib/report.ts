/** The results table, the JSON file, and the comparison with the previous run. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execSync } from "child_process";
import { Row, SIDES, Side, higherIsBetter } from "./types";
import { writeFileAtomic } from "../../nn/atomic-write";

export interface Results {
  version: 1;
  date: string;
  commit: string;
  node: string;
  cpu: string;
  quick: boolean;
  tf: Record<string, unknown>;
  /** Every row of the last run of its workload (a `--only` run keeps the others' rows). */
  rows: Record<string, Row & { date: string }>;
}

export function environment(): Pick<Results, "commit" | "node" | "cpu"> {
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    const dirty = execSync("git status --porcelain --untracked-files=no", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    if (dirty) commit += "+dirty";
  } catch {
    /* not a git checkout */
  }
  const cpus = os.cpus();
  return { commit, node: process.version, cpu: `${cpus[0]?.model ?? "?"} x${cpus.length}` };
}

export function readPrevious(file: string): Results | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, "utf8")) as Results;
    return r && r.version === 1 && typeof r.rows === "object" ? r : null;
  } catch {
    return null;
  }
}

/** Writes atomically (temp file, fsync, rename), so an interrupted run never leaves half a JSON. */
export function writeResults(file: string, r: Results): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, JSON.stringify(r, null, 2) + "\n");
}

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** How many times better `of` (default ndgrad) is than `side` (>1: faster / smaller). */
export function ratio(row: Row, side: Side, of: Side = "ndgrad"): number | null {
  const nd = row.values[of];
  const other = row.values[side];
  if (nd == null || other == null || nd === 0 || other === 0) return null;
  return higherIsBetter(row.unit) ? nd / other : other / nd;
}

export function meetsTarget(row: Row): boolean | null {
  const of = row.targetSide ?? "ndgrad";
  const v = row.values[of];
  const t = row.target;
  if (!t || v == null) return null;
  if (t.op !== undefined && t.value !== undefined && !(t.op === "<=" ? v <= t.value : v >= t.value)) return false;
  for (const [side, factor] of Object.entries(t.timesBetter ?? {}) as [Side, number][]) {
    const r = ratio(row, side, of);
    if (r === null) return null; // a peer that did not run: the target cannot be judged
    if (r < factor) return false;
  }
  return true;
}

/** The target as the table shows it: "<= 3", ">= 1.5x jax-js, 1.2x tfjs-wasm". */
export function targetText(row: Row): string {
  const t = row.target;
  if (!t) return "-";
  const parts: string[] = [];
  if (t.op !== undefined && t.value !== undefined) parts.push(`${t.op} ${t.value}`);
  const ratios = Object.entries(t.timesBetter ?? {}).map(([side, f]) => `${f}x ${side}`);
  if (ratios.length > 0) parts.push(`>= ${ratios.join(", ")}`);
  const side = row.targetSide && row.targetSide !== "ndgrad" ? `${row.targetSide} ` : "";
  return side + parts.join("; ");
}

/** Change of ndgrad's figure vs the previous run, as text ("12% faster"). */
function change(row: Row, prev: Row | undefined): string {
  const now = row.values.ndgrad;
  const then = prev?.values.ndgrad;
  if (now == null || then == null || then === 0) return "";
  const rel = now / then - 1;
  if (Math.abs(rel) < 0.005) return "same";
  const better = higherIsBetter(row.unit) ? rel > 0 : rel < 0;
  const word = row.unit === "B/param" ? (better ? "smaller" : "larger") : better ? "better" : "worse";
  return `${rel > 0 ? "+" : ""}${(rel * 100).toFixed(1)}% ${word}`;
}

function cell(row: Row, side: Side): string {
  const v = row.values[side];
  if (v == null) return "n/a";
  return num(v);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The table as markdown (readable in a terminal and pasteable into a report). */
export function table(rows: Row[], previous: Results | null): string {
  const head = [
    "workload",
    "unit",
    "ndgrad",
    "ndgrad-js",
    "x vs js",
    "ndgrad-wasm",
    "tfjs-cpu",
    "tfjs-wasm",
    "jax-js",
    "x vs cpu",
    "x vs wasm",
    "wasm-k x vs tfjs-wasm",
    "wasm-k x vs jax",
    "target",
    "met",
    "vs previous",
  ];
  const x = (v: number | null): string => (v == null ? "-" : `${v.toFixed(2)}x`);
  const body = rows.map((r) => {
    const met = meetsTarget(r);
    return [
      r.label,
      r.unit,
      cell(r, "ndgrad"),
      cell(r, "ndgrad-js"),
      x(ratio(r, "ndgrad-js")),
      cell(r, "ndgrad-wasm"),
      cell(r, "tfjs-cpu"),
      cell(r, "tfjs-wasm"),
      cell(r, "jax-js"),
      x(ratio(r, "tfjs-cpu")),
      x(ratio(r, "tfjs-wasm")),
      x(ratio(r, "tfjs-wasm", "ndgrad-wasm")),
      x(ratio(r, "jax-js", "ndgrad-wasm")),
      targetText(r),
      met == null ? "-" : met ? "yes" : "NO",
      change(r, previous?.rows[r.id]),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => pad(c, widths[i])).join(" | ")} |`;
  const out = [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)];
  return out.join("\n");
}

/** The n/a reasons and the per-side spreads, printed under the table. */
export function footnotes(rows: Row[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    for (const side of SIDES) {
      const note = r.notes?.[side];
      if (note && r.values[side] == null) lines.push(`- ${r.label} / ${side}: n/a — ${note}`);
    }
  }
  const spread: string[] = [];
  for (const r of rows) {
    const parts = SIDES.filter((s) => r.spread?.[s]).map((s) => `${s} ${num(r.spread![s]![0])}..${num(r.spread![s]![1])}`);
    if (parts.length) spread.push(`- ${r.label}: ${parts.join(", ")} ${r.unit}`);
  }
  return [
    "x vs cpu / x vs wasm: how many times better ndgrad is (tfjs time / ndgrad time; for GFLOP/s ndgrad / tfjs; for B/param tfjs / ndgrad).",
    'ndgrad: the default backend (wasm where it validates); ndgrad-js: the same on setBackend("js"); x vs js: ndgrad-js time / ndgrad time.',
    "wasm-k x vs tfjs-wasm / wasm-k x vs jax: the same for ndgrad's wasm kernels (ndgrad-wasm) against tfjs-wasm and jax-js.",
    "Figures: median per call; spread = min..max of per-round medians.",
    ...(lines.length ? ["", "n/a:", ...lines] : []),
    "",
    "spread (per-round medians):",
    ...spread,
    "",
    "what ran:",
    ...rows.filter((r) => r.detail).map((r) => `- ${r.label}: ${r.detail}`),
  ].join("\n");
}
