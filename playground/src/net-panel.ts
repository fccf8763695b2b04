/**
 * The network panel: data and model controls, one decision-boundary heatmap per optimizer
 * (same initial weights, same batches), loss and accuracy curves, optimizer state memory.
 */
import { drawChart, Series } from "./charts";
import { NetRace, NetSettings } from "./classifier";
import { buildField } from "./controls";
import { drawDecision } from "./decision-view";
import type { Host, PanelController } from "./host";
import { buildOptimizerCards } from "./optimizer-cards";
import { COLORS } from "./optimizers";
import { OPTIMIZERS, OPTIMIZER_LABEL, OptimizerId, Settings, optimizerSettings, parseWidths } from "./settings";

const GRID = 36,
  HEAT = 240;
// While playing, metrics are measured at most every EVAL_MS and the heatmaps (the costliest
// part: a forward pass over GRID² points per network) redrawn every GRID_MS; steps never wait.
const EVAL_MS = 50,
  GRID_MS = 100;
/** At most this many steps in one frame, whatever the time budget says (a slow machine must not freeze). */
const MAX_STEPS_PER_FRAME = 2000;

function netSettings(s: Settings): NetSettings {
  const widths = parseWidths(s["c.widths"] as string);
  return {
    dataset: s.dataset as string,
    noise: s["c.noise"] as number,
    samples: s["c.samples"] as number,
    trainFraction: s["c.train"] as number,
    widths: typeof widths === "string" ? [16, 16] : widths,
    activation: s["c.activation"] as string,
    batch: s["c.batch"] as number,
    seed: s["c.seed"] as number,
  };
}

function kilobytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * The network panel's controller.
 * @example const panel = new NetPanel(host, document.getElementById("panel-classifier")!); panel.reset();
 */
export class NetPanel implements PanelController {
  private race: NetRace | null = null;
  private readonly models: HTMLElement;
  private readonly lossChart: HTMLCanvasElement;
  private readonly accChart: HTMLCanvasElement;
  private readonly scratch: HTMLCanvasElement;
  private views: { canvas: HTMLCanvasElement; caption: HTMLElement }[] = [];
  private lastEval = -Infinity;
  private lastGrid = -Infinity;
  private gridStale = true;

  constructor(
    private readonly host: Host,
    root: HTMLElement,
  ) {
    const doc = host.doc,
      $ = <T extends HTMLElement>(sel: string) => root.querySelector(sel) as T;
    const controls = $<HTMLElement>(".panel-controls");
    for (const key of ["dataset", "c.noise", "c.samples", "c.train", "c.widths", "c.activation", "c.batch", "c.steps", "c.seed"]) {
      controls.append(host.track(buildField(doc, key, host.settings()[key], host.commit)).element);
    }
    buildOptimizerCards(host, "c", $(".optimizers"));
    this.models = $("#models");
    this.lossChart = $("#classifier-loss");
    this.accChart = $("#classifier-accuracy");
    this.scratch = doc.createElement("canvas");
  }

  reset(): void {
    const s = this.host.settings();
    const enabled = OPTIMIZERS.map((id) => optimizerSettings(s, "c", id)).filter((o) => o.on);
    this.host.messages.clear("net-run");
    try {
      this.race = new NetRace(netSettings(s), enabled);
      this.host.messages.clear("net-build");
    } catch (e) {
      this.race = null;
      this.host.stop("net-build", `Network: ${(e as Error).message}`);
    }
    const doc = this.host.doc;
    const figures: HTMLElement[] = [];
    this.views = (this.race?.contenders ?? []).map((c) => {
      const fig = doc.createElement("figure");
      fig.className = "model";
      fig.dataset.optimizer = c.id;
      const canvas = doc.createElement("canvas");
      canvas.width = canvas.height = HEAT;
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `decision boundary of the network trained with ${OPTIMIZER_LABEL[c.id as OptimizerId]}`);
      const caption = doc.createElement("figcaption");
      fig.append(canvas, caption);
      figures.push(fig);
      return { canvas, caption };
    });
    this.models.replaceChildren(...figures);
    this.gridStale = true;
  }

  advance(budgetMs: number, maxSteps = MAX_STEPS_PER_FRAME): number {
    const race = this.race;
    if (!race) return 0;
    const left = Math.min(maxSteps, (this.host.settings()["c.steps"] as number) - race.steps);
    const t0 = performance.now();
    let n = 0;
    while (n < left && n < MAX_STEPS_PER_FRAME && (n === 0 || performance.now() - t0 < budgetMs)) {
      const diverged = race.step();
      n++;
      if (diverged) {
        this.host.stop("net-run", diverged);
        break;
      }
    }
    const now = performance.now();
    if (!this.host.playing() || now - this.lastEval >= EVAL_MS || race.steps >= (this.host.settings()["c.steps"] as number)) {
      race.evaluate();
      this.lastEval = now;
    }
    this.gridStale = true;
    return n;
  }

  render(): void {
    const race = this.race;
    if (!race) return;
    const now = performance.now();
    const redrawGrid = this.gridStale && (!this.host.playing() || now - this.lastGrid >= GRID_MS);
    if (!this.host.playing()) race.evaluate(); // a paused panel shows the metrics of its very last step
    if (redrawGrid) {
      this.lastGrid = now;
      this.gridStale = false;
    }
    race.contenders.forEach((c, i) => {
      const v = this.views[i];
      if (redrawGrid) drawDecision(v.canvas, race.probabilityGrid(c, GRID), GRID, race.data, this.scratch);
      const m = c.history[c.history.length - 1];
      const mem = c.memory
        ? `${c.memory.slots.length} slot${c.memory.slots.length === 1 ? "" : "s"} per parameter (${c.memory.slots.join(", ") || "none"}): ${c.memory.floats} floats, ${kilobytes(c.memory.bytes)}`
        : "state is built on the first step";
      v.caption.innerHTML = `<strong style="color:${COLORS[c.id]}">${OPTIMIZER_LABEL[c.id as OptimizerId]}</strong> · step ${m.step}<br>train ${(100 * m.trainAcc).toFixed(1)}% · test ${(100 * m.testAcc).toFixed(1)}% · loss ${m.trainLoss.toFixed(4)}<br><span class="memory">optimizer state: ${mem}</span>${c.diverged ? '<br><span class="bad">diverged</span>' : ""}`;
    });
    const series = (pick: (h: NetRace["contenders"][number]["history"][number]) => number, dashedPick?: typeof pick): Series[] =>
      race.contenders.flatMap((c) => {
        const name = OPTIMIZER_LABEL[c.id as OptimizerId],
          xs = c.history.map((h) => h.step);
        const out: Series[] = [{ label: name, color: COLORS[c.id], xs, ys: c.history.map(pick) }];
        if (dashedPick) out.push({ label: name, color: COLORS[c.id], xs, ys: c.history.map(dashedPick), dashed: true });
        return out;
      });
    drawChart(
      this.lossChart,
      series(
        (h) => h.trainLoss,
        (h) => h.testLoss,
      ),
      { title: "cross-entropy loss (solid train, dashed test, log scale)", logY: true },
    );
    drawChart(
      this.accChart,
      series((h) => h.testAcc),
      { title: "test accuracy", yMin: 0.4, yMax: 1 },
    );
  }

  finished(): boolean {
    return this.race !== null && this.race.steps >= (this.host.settings()["c.steps"] as number);
  }

  canRun(): boolean {
    return this.race !== null && !this.finished();
  }

  steps(): number {
    return this.race?.steps ?? 0;
  }

  snapshot(): Record<string, unknown> {
    const race = this.race;
    if (!race) return { steps: 0, contenders: [] };
    return {
      steps: race.steps,
      batch: race.batch,
      train: race.data.train.y.length,
      test: race.data.test.y.length,
      contenders: race.contenders.map((c) => ({
        id: c.id,
        history: c.history,
        memory: c.memory,
        diverged: c.diverged,
        // The first weights of the first layer, to show every copy started from the same point.
        firstWeights: Array.from(c.params[0].values.slice(0, 4)),
      })),
    };
  }
}
