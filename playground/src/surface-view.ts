/**
 * Draws a surface frame (the cached contour image, the minima, the start, each trajectory and
 * its head) and the update panel: the last step's [Δx, Δy] of every optimizer as arrows, with
 * a dashed ±lr square for Lion, whose arrow must end on its corners.
 */
import { View } from "./contours";
import { COLORS } from "./optimizers";
import type { SurfaceRace } from "./surface-race";
import { OPTIMIZER_LABEL, OptimizerId } from "./settings";

/**
 * One frame of the surface plot.
 * @example drawSurfaceFrame(ctx, surfaceBackground(race.surface, 480), new View(race.surface, 480), race);
 */
export function drawSurfaceFrame(ctx: CanvasRenderingContext2D, background: HTMLCanvasElement, view: View, race: SurfaceRace): void {
  ctx.drawImage(background, 0, 0);
  ctx.fillStyle = "#111";
  for (const [mx, my] of race.surface.minima) {
    ctx.font = "16px system-ui, sans-serif";
    ctx.fillText("★", view.px(mx) - 6, view.py(my) + 6);
  }
  ctx.strokeStyle = "#111";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(view.px(race.start[0]), view.py(race.start[1]), 5, 0, 2 * Math.PI);
  ctx.stroke();
  for (const r of race.runners) {
    const p = r.path;
    ctx.strokeStyle = COLORS[r.id];
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(view.px(p[0]), view.py(p[1]));
    // Beyond the plot, points are clamped to a margin so a diverging path cannot make huge canvas paths.
    const clampX = (u: number) => Math.max(-50, Math.min(view.size + 50, u));
    for (let k = 2; k < p.length; k += 2) ctx.lineTo(clampX(view.px(p[k])), clampX(view.py(p[k + 1])));
    ctx.stroke();
    const hx = clampX(view.px(p[p.length - 2])),
      hy = clampX(view.py(p[p.length - 1]));
    ctx.fillStyle = COLORS[r.id];
    ctx.beginPath();
    ctx.arc(hx, hy, 4.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1;
    ctx.stroke();
  }
}

/**
 * The update panel: arrows on a canvas, and the numbers in `table` (a <tbody>).
 * @example drawUpdates(updatesCanvas, document.querySelector("tbody")!, race);
 */
export function drawUpdates(canvas: HTMLCanvasElement, table: HTMLTableSectionElement, race: SurfaceRace): void {
  const ctx = canvas.getContext("2d")!;
  const S = canvas.width,
    mid = S / 2;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, S, S);
  ctx.strokeStyle = "#ccc";
  ctx.beginPath();
  ctx.moveTo(mid, 0);
  ctx.lineTo(mid, S);
  ctx.moveTo(0, mid);
  ctx.lineTo(S, mid);
  ctx.stroke();
  // One scale for every arrow, so their lengths compare; the longest reaches 80% of the half-width.
  let longest = 0;
  for (const r of race.runners) {
    longest = Math.max(longest, Math.abs(r.lastUpdate[0]), Math.abs(r.lastUpdate[1]));
    if (r.id === "lion") longest = Math.max(longest, r.settings.lr);
  }
  const k = longest > 0 && Number.isFinite(longest) ? (0.8 * mid) / longest : 0;
  for (const r of race.runners) {
    if (r.id === "lion") {
      const h = r.settings.lr * k;
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = COLORS.lion;
      ctx.strokeRect(mid - h, mid - h, 2 * h, 2 * h);
      ctx.setLineDash([]);
    }
    const [dx, dy] = r.lastUpdate;
    if (!Number.isFinite(dx) || !Number.isFinite(dy)) continue;
    const ex = mid + dx * k,
      ey = mid - dy * k;
    ctx.strokeStyle = COLORS[r.id];
    ctx.fillStyle = COLORS[r.id];
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(mid, mid);
    ctx.lineTo(ex, ey);
    ctx.stroke();
    const a = Math.atan2(ey - mid, ex - mid);
    ctx.beginPath();
    ctx.moveTo(ex, ey);
    ctx.lineTo(ex - 7 * Math.cos(a - 0.4), ey - 7 * Math.sin(a - 0.4));
    ctx.lineTo(ex - 7 * Math.cos(a + 0.4), ey - 7 * Math.sin(a + 0.4));
    ctx.fill();
  }
  const fmt = (v: number) => (Number.isFinite(v) ? v.toPrecision(4) : String(v));
  const rows = race.runners.map((r) => {
    const [dx, dy] = r.lastUpdate,
      lr = r.settings.lr;
    return `<tr><th scope="row" style="color:${COLORS[r.id]}">${OPTIMIZER_LABEL[r.id as OptimizerId]}</th><td>${fmt(dx)}</td><td>${fmt(dy)}</td><td>${fmt(Math.abs(dx) / lr)}</td><td>${fmt(Math.abs(dy) / lr)}</td><td>${fmt(r.losses[r.losses.length - 1])}</td></tr>`;
  });
  table.innerHTML = rows.join("");
}
