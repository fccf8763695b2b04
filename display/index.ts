/**
 * ndgrad/display (Node only): pictures for notebooks and reports. Line charts, contour plots
 * with trajectories, image grids, autograd graphs, tensors and tables as HTML, and a whole HTML
 * report. In a Jupyter notebook with the tslab kernel, `show(x)` displays inline; elsewhere the
 * text form is printed, and every picture is also a plain SVG/HTML string to write to a file.
 * @example
 * import { show, lineChart } from "ndgrad/display";
 * show(lineChart([{ name: "loss", y: [1, 0.5, 0.3] }], { title: "training loss" }));
 */
import * as path from "path";
import type { Tensor } from "../core";
import { tensorHtml, TensorHtmlOptions } from "./tensor-html";
import { GraphOptions, GraphPicture, renderGraph } from "./graph";
import { Cell, htmlTable, textTable } from "./report";
import { svgFragment } from "./svg";

export { lineChart } from "./chart";
export type { Series, ChartOptions } from "./chart";
export { contourPlot } from "./contour";
export type { ContourOptions, Trajectory } from "./contour";
export { imageGrid } from "./images";
export type { ImageGridOptions } from "./images";
export { graphSvg, graphText, renderGraph } from "./graph";
export type { GraphPicture, GraphOptions } from "./graph";
export { tensorHtml } from "./tensor-html";
export type { TensorHtmlOptions } from "./tensor-html";
export { htmlTable, textTable, htmlReport } from "./report";
export type { Cell, ReportSection } from "./report";
export { sideBySide, svgFragment, svgSize, PALETTE } from "./svg";
export { encodePng, pngDataUri } from "./png";

type Kind = "html" | "svg" | "text";

/**
 * Sends `payload` to tslab's display when running in its Jupyter kernel; elsewhere (scripts,
 * tests) tslab is absent or throws "Not ready", and the text form is printed instead.
 *
 * A picture goes out as one display bundle with two forms of the same SVG: `image/svg+xml`, and
 * `text/html` holding it inline. Jupyter shows one of them (HTML ranks first); the HTML form is
 * what survives `jupyter nbconvert --to html`, which would otherwise pass the SVG through lxml's
 * HTML cleaner and strip every SVG element (empty boxes). `npm run notebooks -- --figures`
 * reads the `image/svg+xml` form.
 */
function emit(kind: Kind, payload: string, fallback: string): void {
  try {
    // tslab as the running kernel loaded it: resolved from the kernel's main script first, since
    // the notebook's own project need not have tslab installed.
    const from = [require.main?.filename ? path.dirname(require.main.filename) : process.cwd(), process.cwd()];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tslab = require(require.resolve("tslab", { paths: from })) as { display: Record<Kind, (s: string) => void> };
    if (kind === "svg") {
      const svg = svgFragment(payload);
      // tslab's display API sends one MIME type per output; its kernel's writer (the same
      // tslab's dist/jupyter.js) takes a bundle.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const jupyter = require(require.resolve("tslab/dist/jupyter", { paths: from })) as {
        lastWriteDisplayData: ((d: unknown, update: boolean) => void) | null;
      };
      if (jupyter.lastWriteDisplayData) {
        jupyter.lastWriteDisplayData(
          { data: { "image/svg+xml": svg, "text/html": `<div class="ndgrad-svg">${svg}</div>` }, metadata: {}, transient: {} },
          false,
        );
        return;
      }
      tslab.display.svg(svg);
      return;
    }
    tslab.display[kind](payload);
  } catch {
    console.log(fallback);
  }
}

function isTensor(v: unknown): v is Tensor {
  // Duck-typed on purpose: a notebook may hold tensors from more than one copy of core.
  return typeof v === "object" && v !== null && "shape" in v && "dtype" in v && "values" in v && "backward" in v;
}

function isGraphPicture(v: unknown): v is GraphPicture {
  return typeof v === "object" && v !== null && ((v as GraphPicture).kind === "svg" || (v as GraphPicture).kind === "text");
}

function isSvg(v: unknown): v is string {
  return typeof v === "string" && /^\s*(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg\b/.test(v);
}

function pre(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<pre style="font-size:12px;line-height:1.3">${escaped}</pre>`;
}

/**
 * Shows a value richly in a notebook: a Tensor as a table with shape and dtype, an SVG string
 * (from `lineChart`, `contourPlot`, `imageGrid`, `graphSvg`) as a picture, a `renderGraph`
 * result as SVG or its text tree, an array of records as a table. Outside a notebook it prints
 * a text form instead.
 * @example show(randn([3, 4])); show(lineChart([{ name: "loss", y: history.history.loss }]));
 */
export function show(value: unknown, opts: TensorHtmlOptions = {}): void {
  if (isTensor(value)) emit("html", tensorHtml(value, opts), String(value));
  else if (isGraphPicture(value)) {
    if (value.kind === "svg") show(value.svg);
    else emit("html", pre(value.text + "\n\n(Graphviz is not installed: this is the text form. apt-get install graphviz draws it.)"), value.text);
  } else if (isSvg(value)) emit("svg", value, `[SVG picture, ${value.length} characters]`);
  else if (Array.isArray(value) && value.length > 0 && value.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))) {
    const records = value as Record<string, Cell>[];
    const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
    const rows = records.map((r) => columns.map((c) => r[c] ?? ""));
    emit("html", htmlTable(columns, rows), textTable(columns, rows));
  } else if (typeof value === "string") emit("text", value, value);
  else console.log(value);
}

/** Shows the autograd graph of `t`: Graphviz SVG when `dot` is installed, else a text tree. */
export function showGraph(t: Tensor, opts: GraphOptions = {}): void {
  show(renderGraph(t, opts));
}
