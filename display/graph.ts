/**
 * The autograd graph behind a tensor as a picture: `toDot` rendered to SVG by Graphviz's `dot`
 * when it is installed (Debian: `apt-get install graphviz`), otherwise a readable text tree.
 */
import { execFileSync } from "child_process";
import { toDot } from "../core";
import type { Tensor } from "../core";
import { svgFragment } from "./svg";

/** An autograd graph as a picture: SVG when Graphviz is installed, a text tree otherwise. @example renderGraph(loss).kind // "svg" or "text" */
export type GraphPicture = { kind: "svg"; svg: string } | { kind: "text"; text: string };

/** Options of the graph pictures (`showGraph`, `renderGraph`): the Graphviz `dot` to use, or false for the text tree. @example showGraph(loss, { dot: false }) */
export interface GraphOptions {
  /** the Graphviz binary (default "dot"); false skips Graphviz and gives the text tree */
  dot?: string | false;
}

/**
 * `toDot(t)` rendered by Graphviz as SVG text, or null when `dot` is not installed or fails.
 * @example const svg = graphSvg(loss); if (svg) fs.writeFileSync("graph.svg", svg);
 */
export function graphSvg(t: Tensor, opts: GraphOptions = {}): string | null {
  if (opts.dot === false) return null;
  try {
    const svg = execFileSync(opts.dot ?? "dot", ["-Tsvg"], { input: toDot(t), encoding: "utf8", stdio: ["pipe", "pipe", "ignore"], timeout: 20000 });
    // Graphviz starts with an <?xml encoding?> prolog and a DOCTYPE: drop them (see svgFragment).
    return svg.includes("<svg") ? svgFragment(svg) : null;
  } catch {
    return null;
  }
}

function describe(t: Tensor): string {
  const what = `[${t.shape.join(",")}] ${t.dtype}`;
  const name = t.name ? `${t.name}: ` : "";
  if (t.node) return `${name}${what}  = ${t.node.op}(${t.node.inputs.map((x) => x.name ?? "·").join(", ")})`;
  if (t.requiresGrad) return `${name}${what}  (leaf, requires grad${t.grad ? ", has .grad" : ""})`;
  return `${name}${what}  (constant)`;
}

/**
 * The graph as an indented tree, output first; a tensor used twice is drawn once and then
 * referred to by its `#id`.
 * @example console.log(graphText(loss));
 */
export function graphText(t: Tensor): string {
  const lines: string[] = [];
  const drawn = new Set<Tensor>();
  const walk = (x: Tensor, prefix: string, childPrefix: string) => {
    if (drawn.has(x)) {
      lines.push(`${prefix}#${x.id} ${x.name ?? ""} (drawn above)`.replace(/ +\(/, " ("));
      return;
    }
    drawn.add(x);
    lines.push(`${prefix}#${x.id} ${describe(x)}`);
    const inputs = x.node ? x.node.inputs : [];
    inputs.forEach((input, i) => {
      const last = i === inputs.length - 1;
      walk(input, childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "));
    });
  };
  walk(t, "", "");
  return lines.join("\n");
}

/**
 * The best picture available: Graphviz SVG, else the text tree.
 * @example const g = renderGraph(loss); g.kind === "svg" ? save(g.svg) : console.log(g.text);
 */
export function renderGraph(t: Tensor, opts: GraphOptions = {}): GraphPicture {
  const svg = graphSvg(t, opts);
  return svg ? { kind: "svg", svg } : { kind: "text", text: graphText(t) };
}
