/**
 * A Tensor as a compact HTML table for notebooks: a header line with shape, dtype and autograd
 * status, then the values (rows and columns elided in the middle when large; for 3-D and up,
 * the first and last 2-D slices, labelled `[i, :, :]`), then min/mean/max.
 *
 * Only the tensor's public fields are read (`shape`, `dtype`, `values`, `requiresGrad`,
 * `node`, `grad`, `name`), so this file needs no runtime import of core.
 */
import type { Tensor } from "../core";
import { esc } from "./svg";

/** Options of `show` / `tensorHtml` for tensors: how many rows and columns to print. @example show(x, { maxRows: 5, digits: 3 }) */
export interface TensorHtmlOptions {
  /** rows shown before eliding the middle (default 8) */
  maxRows?: number;
  /** columns shown before eliding the middle (default 8) */
  maxCols?: number;
  /** 2-D slices shown for tensors of rank 3 and more (default 3: the first two and the last) */
  maxSlices?: number;
  /** significant digits (default 4) */
  digits?: number;
}

const CELL = "padding:1px 6px;text-align:right;font-family:monospace;font-size:12px;border:none";
const INDEX = CELL + ";color:#9ca3af";

function num(v: number, digits: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  if (v !== 0 && Number.isFinite(v) && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

/** Indices to show out of n, with -1 marking the elided middle. */
function pick(n: number, max: number): number[] {
  if (n <= max) return [...Array(n).keys()];
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return [...Array(head).keys(), -1, ...Array.from({ length: tail }, (_, k) => n - tail + k)];
}

function table(values: ArrayLike<number>, offset: number, rows: number, cols: number, o: Required<TensorHtmlOptions>): string {
  const rs = pick(rows, o.maxRows);
  const cs = pick(cols, o.maxCols);
  const out = [`<table style="border-collapse:collapse;margin:2px 0;border:none">`];
  out.push(`<tr><td style="${INDEX}"></td>${cs.map((c) => `<td style="${INDEX}">${c < 0 ? "…" : c}</td>`).join("")}</tr>`);
  for (const r of rs) {
    const cells = cs.map((c) => `<td style="${CELL}">${r < 0 || c < 0 ? "…" : num(values[offset + r * cols + c], o.digits)}</td>`);
    out.push(`<tr style="background:none"><td style="${INDEX}">${r < 0 ? "⋮" : r}</td>${cells.join("")}</tr>`);
  }
  out.push("</table>");
  return out.join("");
}

function stats(values: ArrayLike<number>, digits: number): string {
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      bad++;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
  }
  const n = values.length - bad;
  const parts = n > 0 ? [`min ${num(lo, digits)}`, `mean ${num(sum / n, digits)}`, `max ${num(hi, digits)}`] : [];
  if (bad) parts.push(`<b style="color:#dc2626">${bad} NaN/Inf</b>`);
  return parts.join(" · ");
}

/**
 * The HTML shown for a tensor in a notebook (`show(t)` in `examples/display`).
 * @example tslab.display.html(tensorHtml(randn([3, 4])));
 */
export function tensorHtml(t: Tensor, opts: TensorHtmlOptions = {}): string {
  const o: Required<TensorHtmlOptions> = { maxRows: 8, maxCols: 8, maxSlices: 3, digits: 4, ...opts };
  const shape = t.shape;
  const v = t.values;
  const flags: string[] = [t.dtype];
  if (t.node) flags.push(`grad_fn=${esc(t.node.op)}`);
  else if (t.requiresGrad) flags.push("requiresGrad");
  if (t.grad) flags.push("has .grad");
  const title = `${t.name ? `<b>${esc(t.name)}</b> ` : ""}Tensor [${shape.join(", ")}] · ${flags.join(" · ")}`;
  const parts = [`<div class="ndgrad-tensor" style="font-family:monospace;font-size:12px">`, `<div style="color:#374151">${title}</div>`];
  if (t.size === 0) {
    parts.push(`<div style="color:#9ca3af">(empty)</div>`);
  } else if (shape.length === 0) {
    parts.push(`<div style="font-size:14px;padding:2px 6px">${num(v[0], o.digits + 2)}</div>`);
  } else if (shape.length <= 2) {
    const [rows, cols] = shape.length === 1 ? [1, shape[0]] : [shape[0], shape[1]];
    parts.push(table(v, 0, rows, cols, o));
  } else {
    // Rank >= 3: slices over the leading dimensions, each a [rows, cols] table.
    const rows = shape[shape.length - 2];
    const cols = shape[shape.length - 1];
    const lead = shape.slice(0, -2);
    const count = lead.reduce((a, b) => a * b, 1);
    const shown = pick(count, o.maxSlices);
    for (const s of shown) {
      if (s < 0) {
        parts.push(`<div style="color:#9ca3af">… ${count - shown.length + 1} more slices …</div>`);
        continue;
      }
      const idx: number[] = [];
      let rest = s;
      for (let d = lead.length - 1; d >= 0; d--) {
        idx.unshift(rest % lead[d]);
        rest = Math.floor(rest / lead[d]);
      }
      parts.push(`<div style="color:#6b7280;margin-top:4px">[${idx.join(", ")}, :, :]</div>`);
      parts.push(table(v, s * rows * cols, rows, cols, o));
    }
  }
  if (t.size > 1) parts.push(`<div style="color:#6b7280">${stats(v, o.digits)}</div>`);
  parts.push("</div>");
  return parts.join("\n");
}
