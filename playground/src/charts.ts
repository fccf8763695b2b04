/**
 * Small line charts on a canvas: loss or accuracy against step, one line per series, linear or
 * log y axis, with tick labels and a legend. Long series are thinned to about one point per
 * pixel, so a 20,000-step run draws as fast as a short one.
 */

/** `xs` defaults to the index (0, 1, 2, ...): a loss recorded every step needs no x array. */
export interface Series {
  label: string;
  color: string;
  xs?: number[];
  ys: number[];
  dashed?: boolean;
}
export interface ChartOptions {
  title: string;
  logY?: boolean;
  yMin?: number;
  yMax?: number;
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const step = Math.pow(10, Math.floor(Math.log10(span / count)));
  const mult = [1, 2, 5, 10].find((m) => span / (m * step) <= count) ?? 10;
  const s = mult * step,
    out: number[] = [];
  for (let v = Math.ceil(lo / s) * s; v <= hi + 1e-12; v += s) out.push(Number(v.toPrecision(12)));
  return out;
}

function label(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

/**
 * Draws `series` on `canvas` (cleared first).
 * @example drawChart(canvas, [{ label: "Lion", color: "#d62728", ys: losses }], { title: "loss", logY: true });
 */
export function drawChart(canvas: HTMLCanvasElement, series: Series[], opts: ChartOptions): void {
  const ctx = canvas.getContext("2d")!;
  const W = canvas.width,
    H = canvas.height,
    L = 46,
    R = 8,
    T = 34,
    B = 22;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, W, H);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#222";
  ctx.fillText(opts.title, L, 13);
  const f = opts.logY ? (v: number) => Math.log10(Math.max(v, 1e-12)) : (v: number) => v;
  let xMax = 1,
    yLo = Infinity,
    yHi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.ys.length; i++) {
      const y = s.ys[i];
      if (!Number.isFinite(y)) continue;
      xMax = Math.max(xMax, s.xs ? s.xs[i] : i);
      yLo = Math.min(yLo, f(y));
      yHi = Math.max(yHi, f(y));
    }
  }
  if (opts.yMin !== undefined) yLo = f(opts.yMin);
  if (opts.yMax !== undefined) yHi = f(opts.yMax);
  if (!Number.isFinite(yLo)) {
    yLo = 0;
    yHi = 1;
  }
  if (yHi - yLo < 1e-9) {
    yHi += 0.5;
    yLo -= 0.5;
  }
  const X = (x: number) => L + (x / xMax) * (W - L - R);
  const Y = (y: number) => T + (1 - (f(y) - yLo) / (yHi - yLo)) * (H - T - B);
  ctx.strokeStyle = "#ddd";
  ctx.fillStyle = "#555";
  ctx.lineWidth = 1;
  const yTicks = opts.logY
    ? niceTicks(Math.ceil(yLo), Math.floor(yHi), 4)
        .filter(Number.isInteger)
        .map((e) => Math.pow(10, e))
    : niceTicks(yLo, yHi, 4);
  for (const v of yTicks) {
    const y = Y(v);
    ctx.beginPath();
    ctx.moveTo(L, y);
    ctx.lineTo(W - R, y);
    ctx.stroke();
    ctx.fillText(label(v), 2, y + 4);
  }
  for (const v of niceTicks(0, xMax, 6)) {
    const text = label(v),
      w = ctx.measureText(text).width;
    ctx.fillText(text, Math.min(W - w - 2, X(v) - w / 2), H - 6);
  }
  ctx.strokeStyle = "#888";
  ctx.strokeRect(L, T, W - L - R, H - T - B);
  // The legend has its own line under the title, right-aligned, where it never hides a curve.
  // Series sharing a label (train and test of one optimizer) share one legend entry.
  const labels = [...new Set(series.map((s) => s.label))];
  let legendX = W - R - labels.reduce((w, l) => w + ctx.measureText(l).width + 10, 0);
  const drawn = new Set<string>();
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(s.dashed ? [4, 3] : []);
    ctx.beginPath();
    const stride = Math.max(1, Math.floor(s.ys.length / (W - L - R)));
    let pen = false;
    for (let i = 0; i < s.ys.length; i += stride) {
      if (!Number.isFinite(s.ys[i])) {
        pen = false;
        continue;
      }
      const px = X(s.xs ? s.xs[i] : i),
        py = Math.min(H - B, Math.max(T, Y(s.ys[i])));
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (drawn.has(s.label)) continue;
    drawn.add(s.label);
    ctx.fillStyle = s.color;
    ctx.fillText(s.label, legendX, 28);
    legendX += ctx.measureText(s.label).width + 10;
  }
}
