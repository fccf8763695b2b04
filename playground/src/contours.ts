/**
 * The loss surface drawn once per surface: a shaded image of log(1 + loss − min) with contour
 * lines (marching squares), kept in an off-screen canvas; every frame then only copies it and
 * draws the trajectories on top.
 */
import type { Surface } from "./surfaces";

/** Light-to-dark earth tones, so the coloured trajectories stand out everywhere. */
const STOPS: [number, number, number][] = [
  [255, 251, 230],
  [242, 227, 179],
  [217, 183, 126],
  [166, 124, 82],
  [92, 64, 51],
];

/**
 * Colour of t in [0, 1] on STOPS.
 * @example earth(0) // [255, 251, 230], the palest: the lowest loss
 */
export function earth(t: number): [number, number, number] {
  const u = Math.min(0.9999, Math.max(0, t)) * (STOPS.length - 1),
    i = Math.floor(u),
    f = u - i;
  const a = STOPS[i],
    b = STOPS[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/**
 * Maps surface coordinates to pixels of a size×size plot and back.
 * @example new View(surfaceById("rosenbrock"), 480).px(0) // 240
 */
export class View {
  constructor(
    readonly surface: Surface,
    readonly size: number,
  ) {}
  px(x: number): number {
    const v = this.surface.view;
    return ((x - v.x0) / (v.x1 - v.x0)) * this.size;
  }
  py(y: number): number {
    const v = this.surface.view;
    return ((v.y1 - y) / (v.y1 - v.y0)) * this.size;
  }
  /** The surface point under pixel (u, v). */
  point(u: number, v: number): [number, number] {
    const w = this.surface.view;
    return [w.x0 + (u / this.size) * (w.x1 - w.x0), w.y1 - (v / this.size) * (w.y1 - w.y0)];
  }
}

/** The n×n grid of log(1 + loss − min), row 0 at the top, and its range. */
function lossGrid(surface: Surface, n: number): { t: Float64Array; lo: number; hi: number } {
  const { x0, x1, y0, y1 } = surface.view;
  const t = new Float64Array(n * n);
  let lo = Infinity,
    hi = -Infinity;
  for (let r = 0; r < n; r++) {
    const y = y1 - (r / (n - 1)) * (y1 - y0);
    for (let c = 0; c < n; c++) {
      const x = x0 + (c / (n - 1)) * (x1 - x0);
      const v = Math.log1p(Math.max(0, surface.value(x, y) - surface.minValue));
      t[r * n + c] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return { t, lo, hi };
}

/** Contour segments of `grid` at `level`, in grid coordinates (column, row). */
function marchingSquares(t: Float64Array, n: number, level: number, out: number[]): void {
  for (let r = 0; r < n - 1; r++) {
    for (let c = 0; c < n - 1; c++) {
      const a = t[r * n + c],
        b = t[r * n + c + 1],
        d = t[(r + 1) * n + c],
        e = t[(r + 1) * n + c + 1];
      const pts: number[] = [];
      // The four edges in order top, right, bottom, left; a crossing is interpolated linearly.
      if (a < level !== b < level) pts.push(c + (level - a) / (b - a), r);
      if (b < level !== e < level) pts.push(c + 1, r + (level - b) / (e - b));
      if (d < level !== e < level) pts.push(c + (level - d) / (e - d), r + 1);
      if (a < level !== d < level) pts.push(c, r + (level - a) / (d - a));
      for (let k = 0; k + 3 < pts.length; k += 4) out.push(pts[k], pts[k + 1], pts[k + 2], pts[k + 3]);
    }
  }
}

/**
 * The shaded, contoured surface on a new size×size canvas.
 * @example ctx.drawImage(surfaceBackground(surfaceById("beale"), 480), 0, 0);
 */
export function surfaceBackground(surface: Surface, size: number, doc: Document = document): HTMLCanvasElement {
  const n = Math.min(220, size);
  const { t, lo, hi } = lossGrid(surface, n);
  const small = doc.createElement("canvas");
  small.width = small.height = n;
  const sctx = small.getContext("2d")!;
  const img = sctx.createImageData(n, n);
  const span = hi - lo || 1;
  for (let k = 0; k < n * n; k++) {
    const [r, g, b] = earth((t[k] - lo) / span);
    img.data[4 * k] = r;
    img.data[4 * k + 1] = g;
    img.data[4 * k + 2] = b;
    img.data[4 * k + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  const canvas = doc.createElement("canvas");
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext("2d")!;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, size, size);
  const segs: number[] = [];
  for (let i = 1; i < 16; i++) marchingSquares(t, n, lo + (span * i) / 16, segs);
  const scale = size / (n - 1);
  ctx.strokeStyle = "rgba(60, 40, 20, 0.35)";
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let k = 0; k < segs.length; k += 4) {
    ctx.moveTo(segs[k] * scale, segs[k + 1] * scale);
    ctx.lineTo(segs[k + 2] * scale, segs[k + 3] * scale);
  }
  ctx.stroke();
  return canvas;
}
