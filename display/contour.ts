/**
 * A 2-D function as an SVG picture: a heatmap (an embedded PNG) with contour lines (marching
 * squares), and optimizer trajectories drawn on top. Used to watch SGD, AdamW and Lion walk
 * down the Rosenbrock valley.
 */
import { pngDataUri } from "./png";
import { PALETTE, esc, label, ticks } from "./svg";

/** A path drawn over a contour plot: its name and the points visited. @example { name: "Lion", points: [[-1, 2], [-0.9, 1.9]] } */
export interface Trajectory {
  name: string;
  /** the visited points, in order */
  points: [number, number][];
  color?: string;
}

/** Options of `contourPlot`: the plotted box, levels, trajectories and size. @example contourPlot(f, { x: [-2, 2], y: [-1, 3] }) */
export interface ContourOptions {
  x: [number, number];
  y: [number, number];
  /** contour levels, or how many log-spaced levels to draw (default 12) */
  levels?: number[] | number;
  paths?: Trajectory[];
  /** a point to mark with a star (e.g. the minimum) */
  marker?: [number, number];
  title?: string;
  width?: number;
  height?: number;
  /** grid cells along x (default 160; y follows the plot's aspect) */
  resolution?: number;
}

/** Light blue (low) to warm sand (high): pale enough for trajectories to stand out. */
function ramp(t: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [219, 234, 254],
    [240, 249, 255],
    [254, 249, 195],
    [253, 230, 138],
    [251, 191, 36],
  ];
  const s = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(s), stops.length - 2);
  const f = s - i;
  return [0, 1, 2].map((c) => Math.round(stops[i][c] * (1 - f) + stops[i + 1][c] * f)) as [number, number, number];
}

/**
 * @example
 * const rosen = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
 * fs.writeFileSync("rosen.svg", contourPlot(rosen, { x: [-2, 2], y: [-1, 3], paths: [{ name: "SGD", points }] }));
 */
export function contourPlot(f: (x: number, y: number) => number, opts: ContourOptions): string {
  const width = opts.width ?? 420;
  const height = opts.height ?? 380;
  const m = { top: opts.title ? 30 : 12, right: 12, bottom: 36, left: 44 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const [x0, x1] = opts.x;
  const [y0, y1] = opts.y;
  if (!(x1 > x0) || !(y1 > y0)) throw new Error(`contourPlot: x and y ranges must be [lo, hi] with lo < hi, got [${opts.x}] and [${opts.y}]`);
  const nx = opts.resolution ?? 160;
  const ny = Math.max(2, Math.round((nx * ph) / pw));
  // Values at grid corners: (nx+1) x (ny+1), row 0 at the top (y1).
  const grid = new Float64Array((nx + 1) * (ny + 1));
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const v = f(x0 + ((x1 - x0) * i) / nx, y1 - ((y1 - y0) * j) / ny);
      grid[j * (nx + 1) + i] = v;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  // Colour and levels on a log scale above the minimum: these surfaces span many decades.
  const shift = (v: number) => Math.log10(v - lo + 1e-3);
  const s0 = shift(lo);
  const s1 = shift(hi);
  const px = new Uint8Array(nx * ny * 3);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const c = (grid[j * (nx + 1) + i] + grid[j * (nx + 1) + i + 1] + grid[(j + 1) * (nx + 1) + i] + grid[(j + 1) * (nx + 1) + i + 1]) / 4;
      px.set(ramp((shift(c) - s0) / (s1 - s0 || 1)), (j * nx + i) * 3);
    }
  }
  const count = typeof opts.levels === "number" ? opts.levels : 12;
  const levels = Array.isArray(opts.levels)
    ? opts.levels
    : Array.from({ length: count }, (_, k) => lo - 1e-3 + Math.pow(10, s0 + ((s1 - s0) * (k + 1)) / (count + 1)));
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const gx = (i: number) => (m.left + (pw * i) / nx).toFixed(1);
  const gy = (j: number) => (m.top + (ph * j) / ny).toFixed(1);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  ];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  const clip = `clip${Math.random().toString(36).slice(2, 9)}`; // unique: several plots may share one page
  parts.push(`<defs><clipPath id="${clip}"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  if (opts.title) parts.push(`<text x="${width / 2}" y="19" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  const uri = pngDataUri(px, nx, ny, 3);
  parts.push(`<image x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" preserveAspectRatio="none" href="${uri}" xlink:href="${uri}"/>`);

  // Marching squares: per cell, the level crosses the edges whose corner values straddle it.
  for (const level of levels) {
    const d: string[] = [];
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const a = grid[j * (nx + 1) + i];
        const b = grid[j * (nx + 1) + i + 1];
        const c = grid[(j + 1) * (nx + 1) + i + 1];
        const e = grid[(j + 1) * (nx + 1) + i];
        const pts: string[] = [];
        const cross = (p: number, q: number, pi: number, pj: number, qi: number, qj: number) => {
          if (p < level === q < level) return;
          const t = (level - p) / (q - p);
          pts.push(`${gx(pi + (qi - pi) * t)},${gy(pj + (qj - pj) * t)}`);
        };
        cross(a, b, i, j, i + 1, j);
        cross(b, c, i + 1, j, i + 1, j + 1);
        cross(e, c, i, j + 1, i + 1, j + 1);
        cross(a, e, i, j, i, j + 1);
        if (pts.length >= 2) d.push(`M${pts[0]}L${pts[1]}`);
        if (pts.length === 4) d.push(`M${pts[2]}L${pts[3]}`);
      }
    }
    if (d.length) parts.push(`<path d="${d.join("")}" fill="none" stroke="#64748b" stroke-width="0.6" stroke-opacity="0.7"/>`);
  }

  for (const t of ticks(x0, x1, 5)) {
    parts.push(`<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#374151"/>`);
    parts.push(`<text x="${sx(t).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of ticks(y0, y1, 5)) {
    parts.push(`<line x1="${m.left - 4}" x2="${m.left}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#374151"/>`);
    parts.push(`<text x="${m.left - 6}" y="${sy(t).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#374151"/>`);

  parts.push(`<g clip-path="url(#${clip})">`);
  if (opts.marker) {
    const [mx, my] = opts.marker;
    // a five-pointed star centred exactly on the point (a text glyph would sit on its baseline)
    const star = Array.from({ length: 10 }, (_, k) => {
      const r = k % 2 ? 3.2 : 8;
      const a = (Math.PI * k) / 5 - Math.PI / 2;
      return `${(sx(mx) + r * Math.cos(a)).toFixed(1)},${(sy(my) + r * Math.sin(a)).toFixed(1)}`;
    });
    parts.push(`<polygon points="${star.join(" ")}" fill="#111827" stroke="white" stroke-width="0.8"/>`);
  }
  (opts.paths ?? []).forEach((p, k) => {
    const color = p.color ?? PALETTE[k % PALETTE.length];
    const pts = p.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) return;
    const d = pts.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round"/>`);
    const [ax, ay] = pts[0];
    const [bx, by] = pts[pts.length - 1];
    parts.push(`<circle cx="${sx(ax).toFixed(1)}" cy="${sy(ay).toFixed(1)}" r="3.5" fill="white" stroke="${color}" stroke-width="1.5"/>`);
    parts.push(`<circle cx="${sx(bx).toFixed(1)}" cy="${sy(by).toFixed(1)}" r="3.5" fill="${color}"/>`);
  });
  parts.push("</g>");
  (opts.paths ?? []).forEach((p, k) => {
    const color = p.color ?? PALETTE[k % PALETTE.length];
    const ly = m.top + 12 + k * 15;
    parts.push(`<rect x="${m.left + 6}" y="${ly - 7}" width="${esc(p.name).length * 6.5 + 30}" height="14" fill="white" fill-opacity="0.8"/>`);
    parts.push(`<line x1="${m.left + 9}" x2="${m.left + 29}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${m.left + 33}" y="${ly}" dominant-baseline="middle">${esc(p.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
