/**
 * `lab report DIR`: DIR/report.html (self-contained: inline CSS and SVG, no script, works
 * offline), DIR/summary.csv (one line per configuration), DIR/summary.md (the report's tables
 * in Markdown, for a README), and the charts as SVG files in DIR/figures/. All written atomically.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { htmlReport, textTable, Cell } from "ndgrad/display";
import { readRows, atomicWrite } from "../results";
import { canonical, OPTIMIZER_TITLES } from "../grid";
import { SCHEDULE_DEFAULTS } from "../schedule";
import type { Study } from "../spec";
import type { Row } from "../rows";
import { tInterval as tIntervalOf } from "../stats";
import type { Interval } from "../stats";
import { analyse, adviceCheck, BatchAnalysis } from "./analysis";
import { bandChart, heatmap, BandSeries } from "./charts";
import { summaryCsv } from "./csv";

const pct = (i: Interval) =>
  Number.isFinite(i.mean) ? `${(100 * i.mean).toFixed(2)}%${Number.isFinite(i.half) ? ` ± ${(100 * i.half).toFixed(2)}` : ""}` : "-";
const num = (i: Interval, d = 4) => (Number.isFinite(i.mean) ? `${i.mean.toFixed(d)}${Number.isFinite(i.half) ? ` ± ${i.half.toFixed(d)}` : ""}` : "-");
const title = (o: string) => OPTIMIZER_TITLES[o] ?? o;
/** A learning rate or decay as written (no 0.00030000000000000003). */
const hp = (v: number) => Number(v.toPrecision(6));

/** The configuration's options other than lr and wd, shown next to them. */
function extras(config: Record<string, unknown>): string {
  const rest = Object.entries(config).filter(([k]) => k !== "learningRate" && k !== "weightDecay");
  return rest.length ? rest.map(([k, v]) => `${k} ${typeof v === "object" ? canonical(v) : String(v)}`).join(", ") : "";
}

function resultsTable(batches: BatchAnalysis[]): { columns: string[]; rows: Cell[][] } {
  const columns = [
    "batch",
    "optimizer",
    "lr",
    "weight decay",
    "other options",
    "validation acc",
    "test acc (95% CI)",
    "test loss (95% CI)",
    "time to target",
    "steps/s",
    "state bytes",
    "bytes/param",
  ];
  const rows: Cell[][] = [];
  for (const b of batches)
    for (const c of Object.values(b.chosen)) {
      rows.push([
        b.batchSize,
        c.title,
        hp(c.lr),
        hp(c.wd),
        extras(c.choice.config) || "-",
        pct(c.val),
        pct(c.testAccuracy),
        num(c.testLoss),
        c.secondsToTarget === null ? "not reached" : `${c.secondsToTarget.toFixed(c.secondsToTarget < 10 ? 2 : 1)} s (${c.epochsToTarget!.toFixed(2)} ep)`,
        c.stepsPerSecond >= 100 ? c.stepsPerSecond.toFixed(0) : c.stepsPerSecond.toPrecision(2),
        c.stateBytes.toLocaleString("en-US"),
        (c.stateBytes / c.parameters).toFixed(0),
      ]);
    }
  return { columns, rows };
}

function pairedTable(batches: BatchAnalysis[]): { columns: string[]; rows: Cell[][] } {
  const rows = batches
    .filter((b) => b.paired)
    .map((b) => {
      const d = b.paired!.diff;
      return [
        b.batchSize,
        `${(100 * d.mean).toFixed(2)}`,
        Number.isFinite(d.half) ? `[${(100 * d.lo).toFixed(2)}, ${(100 * d.hi).toFixed(2)}]` : "-",
        b.paired!.verdict,
      ] as Cell[];
    });
  return { columns: ["batch", "Lion − AdamW test acc (points)", "95% CI (paired over seeds)", "verdict"], rows };
}

function adviceTable(batches: BatchAnalysis[]): { columns: string[]; rows: Cell[][] } {
  const rows: Cell[][] = [];
  for (const b of batches) {
    const a = adviceCheck(b);
    if (!a) continue;
    const edges = Object.values(b.chosen)
      .filter((c) => c.edge)
      .map((c) => `${c.title}: ${c.edge}`)
      .join("; ");
    rows.push([
      b.batchSize,
      hp(b.chosen.adamw.lr),
      hp(b.chosen.lion.lr),
      a.lrRatio.toPrecision(3),
      hp(b.chosen.adamw.wd),
      hp(b.chosen.lion.wd),
      a.wdRatio.toPrecision(3),
      (b.chosen.adamw.lr * b.chosen.adamw.wd).toPrecision(2),
      (b.chosen.lion.lr * b.chosen.lion.wd).toPrecision(2),
      edges || "-",
    ]);
  }
  return {
    columns: [
      "batch",
      "AdamW lr",
      "Lion lr",
      "lr ratio (advice 3-10)",
      "AdamW wd",
      "Lion wd",
      "wd ratio (advice 3-10)",
      "AdamW lr×wd",
      "Lion lr×wd",
      "chosen at a grid edge",
    ],
    rows,
  };
}

function heatmaps(b: BatchAnalysis): string[] {
  const out: string[] = [];
  for (const [optimizer, grid] of Object.entries(b.grids)) {
    if (grid.length < 2) continue;
    const lrs = [...new Set(grid.map((g) => g.lr))].sort((x, y) => x - y),
      wds = [...new Set(grid.map((g) => g.wd))].sort((x, y) => x - y);
    // Other axes (betas, EMA, ...) collapse to their best point for each lr x wd cell.
    const value = (lr: number, wd: number) => {
      const cell = grid.filter((g) => g.lr === lr && g.wd === wd && g.val.n > 0);
      return cell.length ? Math.max(...cell.map((g) => g.val.mean)) : null;
    };
    const c = b.chosen[optimizer];
    out.push(heatmap(lrs, wds, value, c ? [c.lr, c.wd] : null, { title: `${title(optimizer)}, batch ${b.batchSize}: validation acc %` }));
  }
  return out;
}

function curves(b: BatchAnalysis): string[] {
  const val: BandSeries[] = [],
    loss: BandSeries[] = [];
  for (const c of Object.values(b.chosen)) {
    const runs = c.choice.runs,
      points = Math.min(...runs.map((r) => r.epochs.length));
    const x = runs[0].epochs.slice(0, points).map((e) => e.epoch);
    const at = (i: number, f: (e: (typeof runs)[0]["epochs"][0]) => number) => runs.map((r) => f(r.epochs[i])).filter(Number.isFinite);
    const band = (f: (e: (typeof runs)[0]["epochs"][0]) => number, scale: number): Omit<BandSeries, "name" | "key"> => {
      const ints = x.map((_, i) => tIntervalOf(at(i, f)));
      return { x, mean: ints.map((v) => scale * v.mean), lo: ints.map((v) => scale * v.lo), hi: ints.map((v) => scale * v.hi) };
    };
    const name = `${c.title} lr ${hp(c.lr)} wd ${hp(c.wd)}`;
    val.push({ name, key: c.optimizer, ...band((e) => e.valAccuracy, 100) });
    loss.push({ name, key: c.optimizer, ...band((e) => e.trainLoss, 1) });
  }
  if (!val.length) return [];
  return [
    bandChart(val, { title: `validation accuracy, batch ${b.batchSize} (chosen configurations)`, xLabel: "epochs", yLabel: "accuracy %" }),
    bandChart(loss, { title: `training loss, batch ${b.batchSize}`, xLabel: "epochs", yLabel: "cross-entropy" }),
  ];
}

function scaling(batches: BatchAnalysis[]): string[] {
  if (batches.length < 2) return [];
  const names = [...new Set(batches.flatMap((b) => Object.keys(b.chosen)))];
  const series: BandSeries[] = names.map((o) => {
    const bs = batches.filter((b) => b.chosen[o] && b.chosen[o].testAccuracy.n > 0);
    const t = bs.map((b) => b.chosen[o].testAccuracy);
    return {
      name: `${title(o)} (tuned per batch size)`,
      key: o,
      x: bs.map((b) => b.batchSize),
      mean: t.map((i) => 100 * i.mean),
      lo: t.map((i) => 100 * i.lo),
      hi: t.map((i) => 100 * i.hi),
    };
  });
  const out = [
    bandChart(series, { title: "test accuracy against batch size (equal budget)", xLabel: "batch size (log scale)", yLabel: "test accuracy %", log2X: true }),
  ];
  const gaps = batches.filter((b) => b.paired);
  if (gaps.length) {
    out.push(
      bandChart(
        [
          {
            name: "Lion − AdamW",
            key: "lion",
            x: gaps.map((b) => b.batchSize),
            mean: gaps.map((b) => 100 * b.paired!.diff.mean),
            lo: gaps.map((b) => 100 * b.paired!.diff.lo),
            hi: gaps.map((b) => 100 * b.paired!.diff.hi),
          },
        ],
        { title: "the gap: Lion − AdamW test accuracy (paired)", xLabel: "batch size (log scale)", yLabel: "points", log2X: true, zeroLine: true },
      ),
    );
  }
  return out;
}

/** The verdict lines `npm start` and `lab run` print. @example verdictLines(study, analyse(study, rows)).join("\n") */
export function verdictLines(study: Study, batches: BatchAnalysis[]): string[] {
  const lines: string[] = [];
  for (const b of batches) {
    const pre = study.batchSizes.length > 1 ? `batch ${b.batchSize}: ` : "";
    if (b.paired) lines.push(`${pre}${b.paired.verdict}`);
    for (const c of Object.values(b.chosen))
      lines.push(
        `${pre}  ${c.title} chosen on validation: lr ${hp(c.lr)}, weight decay ${hp(c.wd)}${extras(c.choice.config) ? `, ${extras(c.choice.config)}` : ""}; test accuracy ${pct(c.testAccuracy)}`,
      );
    const a = adviceCheck(b);
    if (a) lines.push(`${pre}  ${a.text}`);
  }
  return lines;
}

/**
 * Writes the report of a results folder and returns the paths and the verdict lines.
 * @example const { html, verdicts } = writeReport("runs/quick");
 */
export function writeReport(dir: string): { html: string; csv: string; verdicts: string[] } {
  const studyFile = path.join(dir, "study.json");
  if (!fs.existsSync(studyFile)) throw new Error(`lab: ${dir} is not a results folder (no study.json); run a study into it first`);
  const study = JSON.parse(fs.readFileSync(studyFile, "utf8")) as Study;
  const rows = readRows<Row>(path.join(dir, "results.jsonl"));
  const batches = analyse(study, rows);
  const verdicts = verdictLines(study, batches);
  const runs = rows.filter((r) => r.kind === "run");
  const sched = { ...SCHEDULE_DEFAULTS, ...study.schedule };
  const setup = `${study.data.dataset}: ${study.data.train} training, ${study.data.validation} validation (taken from the training set) and ${study.data.test} test examples; model ${study.model}; budget ${canonical(study.budget)} per run; batch sizes ${study.batchSizes.join(", ")}; seeds ${study.seeds.join(", ")} (a seed fixes initialisation and data order); schedule: ${(100 * sched.warmup).toFixed(0)}% linear warmup, then ${sched.decay} to ${sched.alpha} x the peak, the same for every optimizer; no weight decay on biases. ${runs.length} runs in results.jsonl. Report written ${new Date().toISOString()} on ${os.cpus()[0]?.model ?? "?"} (${os.cpus().length} cores), Node ${process.version}.`;
  const method =
    "Each optimizer's configuration is chosen per batch size by its mean final validation accuracy over the seeds (ties: lower validation loss). The test set is evaluated once per chosen configuration and seed, after the choice, and never drives a choice. Intervals are 95% Student-t intervals over seeds; the Lion − AdamW difference is paired by seed (same initialisation and data order). Time to target: median over seeds of the training time (evaluation excluded) until the validation accuracy, checked after every pass, first reaches the target.";
  const sections = [
    { heading: "Setup", text: setup },
    verdicts.length
      ? { heading: "Verdict", table: { columns: ["in words"], rows: verdicts.map((v) => [v.trim()]) } }
      : { heading: "Verdict", text: "no chosen configurations yet: the study is not finished" },
    {
      heading: "Results (chosen configurations)",
      table: resultsTable(batches),
      text: `${method} Target accuracy: ${batches.map((b) => (b.target === null ? "-" : `${(100 * b.target).toFixed(2)}%`)).join(", ")}${study.targetAccuracy === undefined ? " (99% of the worse chosen optimizer's validation accuracy)" : ""}.`,
    },
    { heading: "Lion − AdamW", table: pairedTable(batches) },
    {
      heading: "The 3-10x advice",
      table: adviceTable(batches),
      text: "The Lion paper advises a learning rate 3-10x smaller than AdamW's and a weight decay 3-10x larger, keeping lr x wd similar. A choice at the edge of its grid means the grid should be widened before trusting the ratio.",
    },
    ...(study.batchSizes.length > 1 ? [{ heading: "Batch-size scaling", svg: scaling(batches) }] : []),
    ...batches.map((b) => ({ heading: `Grids and curves, batch ${b.batchSize}`, svg: [...heatmaps(b), ...curves(b)] })),
  ];
  const html = path.join(dir, "report.html"),
    csv = path.join(dir, "summary.csv");
  atomicWrite(html, htmlReport(`AdamW vs Lion: study ${study.name}`, sections));
  atomicWrite(csv, summaryCsv(batches));
  const md = [resultsTable(batches), pairedTable(batches), adviceTable(batches)].filter((t) => t.rows.length).map((t) => textTable(t.columns, t.rows));
  atomicWrite(path.join(dir, "summary.md"), `${verdicts.map((v) => `- ${v.trim()}`).join("\n")}\n\n${md.join("\n\n")}\n`);
  const figures = path.join(dir, "figures");
  fs.mkdirSync(figures, { recursive: true });
  scaling(batches).forEach((svg, i) => atomicWrite(path.join(figures, `scaling-${i + 1}.svg`), svg));
  for (const b of batches) {
    heatmaps(b).forEach((svg, i) => atomicWrite(path.join(figures, `heatmap-b${b.batchSize}-${i + 1}.svg`), svg));
    curves(b).forEach((svg, i) => atomicWrite(path.join(figures, `curves-b${b.batchSize}-${i + 1}.svg`), svg));
  }
  return { html, csv, verdicts };
}
