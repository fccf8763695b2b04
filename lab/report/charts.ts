/**
 * The report's charts as self-contained SVG: curves with a shaded band (mean ± 95% CI over
 * seeds) and a heatmap of the lr x wd grid.
 *
 * Why hand-written SVG rather than an inlined charting library: the report has to work offline
 * and the same pictures go into the README (docs/img), which cannot run scripts; the tables
 * carry the exact values that hover tooltips would give. The legend sits outside the plotting
 * area, to its right, so it can never cover data (the fault of the old lion-vs-adamw chart).
 */

const PALETTE: Record<string, string> = { adamw: "#2563eb", lion: "#dc2626", adam: "#16a34a", sgd: "#9333ea" };
const FALLBACK = ["#0891b2", "#ea580c", "#4b5563", "#db2777"];

/** The colour of an optimizer in every chart. @example colorOf("lion") // "#dc2626" */
export function colorOf(name: string, i = 0): string {
  return PALETTE[name] ?? FALLBACK[i % FALLBACK.length];
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count,
    mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function fmtTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

/** A curve with its band: y = mean, shaded between lo and hi (NaN where unknown: no band). */
export interface BandSeries {
  name: string;
  key: string;
  x: number[];
  mean: number[];
  lo: number[];
  hi: number[];
  dashed?: boolean;
}

export interface BandChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Batch sizes: a log2 x axis with a tick at each value. */
  log2X?: boolean;
  /** Draw a horizontal line at y = 0 (for differences). */
  zeroLine?: boolean;
}

/**
 * Lines with shaded ±CI bands and the legend outside the plot, on its right.
 * @example bandChart([{ name: "AdamW", key: "adamw", x: [1, 2], mean: [0.9, 0.95], lo: [0.89, 0.94], hi: [0.91, 0.96] }], { title: "acc", xLabel: "epoch", yLabel: "%" })
 */
export function bandChart(series: BandSeries[], opts: BandChartOptions): string {
  const legendWidth = 24 + 6.4 * Math.max(6, ...series.map((s) => s.name.length));
  const width = opts.width ?? 420 + legendWidth,
    height = opts.height ?? 300;
  const m = { top: 34, right: legendWidth + 16, bottom: 44, left: 62 };
  const pw = width - m.left - m.right,
    ph = height - m.top - m.bottom;
  const tx = (x: number) => (opts.log2X ? Math.log2(x) : x);
  const xs = series.flatMap((s) => s.x.map(tx));
  const ys = series.flatMap((s) => [...s.mean, ...s.lo, ...s.hi]).filter(Number.isFinite);
  if (opts.zeroLine) ys.push(0);
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
  const pad = 0.06 * (y1 - y0);
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => m.left + ((tx(x) - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const p: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${m.left + pw / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1)) {
    p.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${m.left - 6}" y="${sy(t).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${fmtTick(t)}</text>`,
    );
  }
  const xTicks = opts.log2X ? [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b) : niceTicks(x0, x1, 6);
  for (const t of xTicks) {
    const x = sx(opts.log2X ? t : t).toFixed(1);
    p.push(
      `<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#374151"/>`,
      `<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle">${fmtTick(t)}</text>`,
    );
  }
  if (opts.zeroLine)
    p.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${sy(0).toFixed(1)}" y2="${sy(0).toFixed(1)}" stroke="#111827" stroke-dasharray="3 3"/>`);
  p.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#374151"/>`,
    `<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">${esc(opts.xLabel)}</text>`,
    `<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const c = colorOf(s.key, k);
    const band = s.x.map((x, i) => [x, s.lo[i], s.hi[i]]).filter(([, lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
    if (band.length > 1) {
      const up = band.map(([x, , hi]) => `${sx(x).toFixed(1)},${sy(hi).toFixed(1)}`),
        down = band.map(([x, lo]) => `${sx(x).toFixed(1)},${sy(lo).toFixed(1)}`).reverse();
      p.push(`<polygon points="${[...up, ...down].join(" ")}" fill="${c}" fill-opacity="0.15" stroke="none"/>`);
    } else
      for (const [x, lo, hi] of band)
        p.push(`<line x1="${sx(x).toFixed(1)}" x2="${sx(x).toFixed(1)}" y1="${sy(lo).toFixed(1)}" y2="${sy(hi).toFixed(1)}" stroke="${c}" stroke-width="2"/>`);
    const pts = s.x.map((x, i) => [x, s.mean[i]]).filter(([, y]) => Number.isFinite(y));
    p.push(
      `<path d="${pts.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")}" fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    for (const [x, y] of pts)
      p.push(
        `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${c}"><title>${esc(s.name)}: ${fmtTick(x)}, ${y.toPrecision(4)}</title></circle>`,
      );
  });
  // Legend: outside the plotting area, so it never hides a point.
  const lx = m.left + pw + 14;
  series.forEach((s, k) => {
    const ly = m.top + 8 + 18 * k,
      c = colorOf(s.key, k);
    p.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      `<text x="${lx + 23}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`,
    );
  });
  if (series.some((s) => s.lo.some(Number.isFinite))) p.push(`<text x="${lx}" y="${m.top + 14 + 18 * series.length}" fill="#6b7280">band: 95% CI</text>`);
  p.push("</svg>");
  return p.join("\n");
}

/**
 * A heatmap of a grid (columns: learning rates, rows: weight decays), each cell labelled with its
 * value; the chosen cell gets a thick outline and a star.
 * @example heatmap([1e-3, 3e-3], [0.01, 0.1], (lr, wd) => 0.97, [3e-3, 0.1], { title: "AdamW" })
 */
export function heatmap(
  lrs: number[],
  wds: number[],
  value: (lr: number, wd: number) => number | null,
  chosen: [number, number] | null,
  opts: { title: string; label?: (v: number) => string },
): string {
  const cw = 74,
    ch = 34,
    m = { top: 40, left: 78, bottom: 44, right: 16 };
  const width = m.left + cw * lrs.length + m.right,
    height = m.top + ch * wds.length + m.bottom;
  const vals = lrs.flatMap((lr) => wds.map((wd) => value(lr, wd))).filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(...vals),
    hi = Math.max(...vals);
  const label = opts.label ?? ((v: number) => (100 * v).toFixed(2));
  const color = (v: number) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 1; // light yellow (worst) to dark blue (best)
    const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
    return `rgb(${mix(255, 30)},${mix(247, 64)},${mix(188, 175)})`;
  };
  const p: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(opts.title)}</text>`,
  ];
  wds.forEach((wd, r) => {
    p.push(`<text x="${m.left - 6}" y="${m.top + ch * r + ch / 2}" text-anchor="end" dominant-baseline="middle">${fmtTick(wd)}</text>`);
    lrs.forEach((lr, c) => {
      const v = value(lr, wd),
        x = m.left + cw * c,
        y = m.top + ch * r;
      const isChosen = chosen !== null && chosen[0] === lr && chosen[1] === wd;
      const fill = v === null || !Number.isFinite(v) ? "#f3f4f6" : color(v);
      const dark = v !== null && Number.isFinite(v) && hi > lo && (v - lo) / (hi - lo) > 0.55;
      p.push(
        `<rect x="${x}" y="${y}" width="${cw}" height="${ch}" fill="${fill}" stroke="white"/>`,
        `<text x="${x + cw / 2}" y="${y + ch / 2}" text-anchor="middle" dominant-baseline="middle" fill="${dark ? "white" : "#111827"}"${isChosen ? ' font-weight="bold"' : ""}>${v === null ? "-" : esc(label(v))}${isChosen ? " ★" : ""}</text>`,
      );
      if (isChosen) p.push(`<rect x="${x + 1.5}" y="${y + 1.5}" width="${cw - 3}" height="${ch - 3}" fill="none" stroke="#111827" stroke-width="3"/>`);
    });
  });
  lrs.forEach((lr, c) => p.push(`<text x="${m.left + cw * c + cw / 2}" y="${m.top + ch * wds.length + 14}" text-anchor="middle">${fmtTick(lr)}</text>`));
  p.push(
    `<text x="${m.left + (cw * lrs.length) / 2}" y="${height - 8}" text-anchor="middle">learning rate (peak)</text>`,
    `<text transform="translate(14 ${m.top + (ch * wds.length) / 2}) rotate(-90)" text-anchor="middle">weight decay</text>`,
    "</svg>",
  );
  return p.join("\n");
}
