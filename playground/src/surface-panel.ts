/**
 * The loss-surface panel: its controls, the race, the contour plot with trajectories (click or
 * arrow keys move the start), the update panel and the loss chart.
 */
import { buildField } from "./controls";
import { View, surfaceBackground } from "./contours";
import { drawChart } from "./charts";
import type { Host, PanelController } from "./host";
import { buildOptimizerCards } from "./optimizer-cards";
import { COLORS } from "./optimizers";
import { OPTIMIZERS, OPTIMIZER_LABEL, optimizerSettings } from "./settings";
import { SurfaceRace } from "./surface-race";
import { surfaceById } from "./surfaces";
import { drawSurfaceFrame, drawUpdates } from "./surface-view";

const SIZE = 480;

/**
 * The loss-surface panel's controller.
 * @example const panel = new SurfacePanel(host, document.getElementById("panel-surface")!); panel.reset();
 */
export class SurfacePanel implements PanelController {
  private race: SurfaceRace | null = null;
  private background: { id: string; canvas: HTMLCanvasElement } | null = null;
  private readonly canvas: HTMLCanvasElement;
  private readonly updates: HTMLCanvasElement;
  private readonly table: HTMLTableSectionElement;
  private readonly lossChart: HTMLCanvasElement;
  private readonly lesson: HTMLElement;

  constructor(
    private readonly host: Host,
    root: HTMLElement,
  ) {
    const doc = host.doc,
      $ = <T extends HTMLElement>(sel: string) => root.querySelector(sel) as T;
    const controls = $<HTMLElement>(".panel-controls");
    for (const key of ["surface", "s.noise", "s.startX", "s.startY", "s.speed", "s.steps", "s.seed"]) {
      controls.append(host.track(buildField(doc, key, host.settings()[key], host.commit)).element);
    }
    buildOptimizerCards(host, "s", $(".optimizers"));
    this.canvas = $("#surface-canvas");
    this.updates = $("#updates-canvas");
    this.table = $("#updates-table");
    this.lossChart = $("#surface-loss");
    this.lesson = $("#surface-lesson");
    this.canvas.addEventListener("click", (e) => {
      const rect = this.canvas.getBoundingClientRect();
      const view = new View(surfaceById(host.settings().surface as string), SIZE);
      const [x, y] = view.point(((e.clientX - rect.left) / rect.width) * SIZE, ((e.clientY - rect.top) / rect.height) * SIZE);
      this.moveStart(x, y);
    });
    // Keyboard users move the start with the arrow keys (1/50 of the plot per press).
    this.canvas.addEventListener("keydown", (e) => {
      const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
      if (!d) return;
      e.preventDefault();
      const s = host.settings(),
        v = surfaceById(s.surface as string).view;
      this.moveStart((s["s.startX"] as number) + (d[0] * (v.x1 - v.x0)) / 50, (s["s.startY"] as number) + (d[1] * (v.y1 - v.y0)) / 50);
    });
  }

  private moveStart(x: number, y: number): void {
    const round = (v: number) => Math.round(v * 100) / 100;
    this.host.set("s.startX", round(x));
    this.host.set("s.startY", round(y));
  }

  reset(): void {
    const s = this.host.settings();
    const surface = surfaceById(s.surface as string);
    const enabled = OPTIMIZERS.map((id) => optimizerSettings(s, "s", id)).filter((o) => o.on);
    try {
      this.race = new SurfaceRace(surface, enabled, [s["s.startX"] as number, s["s.startY"] as number], s["s.noise"] as number, s["s.seed"] as number);
      this.host.messages.clear("surface-build");
    } catch (e) {
      this.race = null;
      this.host.stop("surface-build", `Loss surfaces: ${(e as Error).message}`);
    }
    this.host.messages.clear("surface-run");
    if (!this.background || this.background.id !== surface.id) this.background = { id: surface.id, canvas: surfaceBackground(surface, SIZE, this.host.doc) };
    this.lesson.textContent = `${surface.label}: ${surface.lesson} ★ marks the minimum; the ring is the start (click the plot, or focus it and use the arrow keys, to move it).`;
  }

  advance(_budgetMs: number, maxSteps = Infinity): number {
    const race = this.race;
    if (!race) return 0;
    const s = this.host.settings();
    const n = Math.min(s["s.speed"] as number, maxSteps, (s["s.steps"] as number) - race.steps);
    for (let i = 0; i < n; i++) {
      const diverged = race.step();
      if (diverged) {
        this.host.stop("surface-run", diverged);
        return i + 1;
      }
    }
    return Math.max(0, n);
  }

  render(): void {
    const race = this.race;
    const ctx = this.canvas.getContext("2d")!;
    if (!race || !this.background) {
      ctx.fillStyle = "#eee";
      ctx.fillRect(0, 0, SIZE, SIZE);
      return;
    }
    drawSurfaceFrame(ctx, this.background.canvas, new View(race.surface, SIZE), race);
    drawUpdates(this.updates, this.table, race);
    drawChart(
      this.lossChart,
      race.runners.map((r) => ({ label: OPTIMIZER_LABEL[r.id as keyof typeof OPTIMIZER_LABEL], color: COLORS[r.id], ys: r.losses })),
      { title: "loss − minimum, against step (log scale)", logY: true },
    );
  }

  finished(): boolean {
    return this.race !== null && this.race.steps >= (this.host.settings()["s.steps"] as number);
  }

  canRun(): boolean {
    return this.race !== null && !this.finished();
  }

  steps(): number {
    return this.race?.steps ?? 0;
  }

  snapshot(): Record<string, unknown> {
    const race = this.race;
    if (!race) return { steps: 0, runners: [] };
    return {
      surface: race.surface.id,
      steps: race.steps,
      start: race.start,
      runners: race.runners.map((r) => ({
        id: r.id,
        lr: r.settings.lr,
        weightDecay: r.settings.wd,
        position: [r.param.values[0], r.param.values[1]],
        lastUpdate: r.lastUpdate,
        firstLoss: r.losses[0],
        loss: r.losses[r.losses.length - 1],
        pathPoints: r.path.length / 2,
        diverged: r.diverged,
      })),
    };
  }
}
