/**
 * Line charts as self-contained SVG text: the one plotting code path shared by the examples'
 * reports and the notebooks (which show the same SVG inline).
 */

import { PALETTE, esc, ticks, label } from "./svg";

/** Ticks for a log10 axis (values are exponents): 1, 2, 5 times powers of ten, thinned to fit. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of hi - lo > 3 ? [1] : [1, 2, 5]) {
      const t = e + Math.log10(m);
      if (t >= lo && t <= hi) out.push(t);
    }
  }
  return out.length >= 2 ? out : ticks(lo, hi);
}

/** One line of a chart: its name (the legend) and its y values (x defaults to 0, 1, 2, ...). @example { name: "loss", y: [1, 0.5, 0.2] } */
export interface Series {
  name: string;
  /** y values; x is 1..n unless `x` is given */
  y: number[];
  x?: number[];
  color?: string;
  dashed?: boolean;
}

/** Options of `lineChart`: title, axis labels, log scale, size. @example lineChart(series, { title: "loss", logY: true }) */
export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** log10 y axis (for losses spanning decades) */
  logY?: boolean;
}

/**
 * An SVG line chart of one or more series, with axes, ticks, a legend and a title.
 * @example fs.writeFileSync("loss.svg", lineChart([{ name: "AdamW", y: [2.3, 0.9, 0.5] }], { title: "loss" }));
 */
export function lineChart(series: Series[], opts: ChartOptions = {}): string {
  const width = opts.width ?? 560;
  const height = opts.height ?? 340;
  const m = { top: opts.title ? 36 : 16, right: 16, bottom: 44, left: 60 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const tf = (v: number) => (opts.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const pts = series.map((s) => s.y.map((y, i) => [s.x ? s.x[i] : i + 1, tf(y)] as [number, number]).filter(([, y]) => Number.isFinite(y)));
  const all = pts.flat();
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  if (y0 === y1) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (opts.title) parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  for (const t of opts.logY ? logTicks(y0, y1) : ticks(y0, y1)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(opts.logY ? label(Math.pow(10, t)) : label(t))}</text>`);
  }
  const integerX = xs.every(Number.isInteger); // epochs and steps: no 1.5 ticks
  for (const t of ticks(x0, x1, 6).filter((v) => !integerX || Number.isInteger(v))) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#374151"/>`);
    parts.push(`<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle">${esc(label(t))}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#374151"/>`);
  if (opts.xLabel) parts.push(`<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  if (opts.yLabel)
    parts.push(`<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}${opts.logY ? " (log)" : ""}</text>`);
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const p = pts[k];
    if (p.length === 0) return;
    const d = p.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
    parts.push(
      `<path class="series" data-name="${esc(s.name)}" d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    if (p.length <= 40) for (const [x, y] of p) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
  });
  // The legend goes last, on a translucent box, so curves never hide it.
  const longest = series.reduce((w, s) => Math.max(w, s.name.length), 0);
  const lw = 34 + longest * 6.2;
  const lx = m.left + pw - lw - 6;
  parts.push(`<rect x="${lx}" y="${m.top + 4}" width="${lw}" height="${series.length * 16 + 6}" fill="white" fill-opacity="0.85" stroke="#d1d5db"/>`);
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const ly = m.top + 14 + k * 16;
    parts.push(`<line x1="${lx + 6}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    parts.push(`<text x="${lx + 31}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
