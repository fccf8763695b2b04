/**
 * The library's import graph (value and type imports alike, as written in the sources): no
 * cycles, and the layering of CONTRIBUTING's map (core imports neither nn nor optim; nn never
 * imports optim). A re-export counts as an import.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const LIBRARY = ["core", "nn", "optim", "datasets", "display"];

function sourceFiles(): string[] {
  const out: string[] = [path.join(root, "index.ts")];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "asm") walk(p); // AssemblyScript sources are not TypeScript modules of the library
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
    }
  };
  for (const d of LIBRARY) walk(path.join(root, d));
  return out;
}

/** Resolves a relative specifier the way Node + TypeScript do here: X.ts, then X/index.ts. */
function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

function importsOf(file: string): string[] {
  const code = fs.readFileSync(file, "utf8");
  const specs = [...code.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => m[1]);
  return specs.map((s) => resolve(file, s)).filter((f): f is string => f !== null);
}

const rel = (f: string): string => path.relative(root, f);

describe("the library's import graph", () => {
  const files = sourceFiles();
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it("has no import cycle (type-only imports included)", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, "open");
      stack.push(f);
      for (const g of graph.get(f) ?? []) {
        if (!graph.has(g)) continue;
        if (state.get(g) === "open") cycles.push([...stack.slice(stack.indexOf(g)), g].map(rel).join(" -> "));
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).to.deep.equal([]);
  });

  it("keeps the layers: core imports neither nn nor optim, nn never imports optim", () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      const layer = rel(f).split(path.sep)[0];
      for (const d of deps) {
        const to = rel(d).split(path.sep)[0];
        if ((layer === "core" && (to === "nn" || to === "optim")) || (layer === "nn" && to === "optim")) bad.push(`${rel(f)} -> ${rel(d)}`);
      }
    }
    expect(bad).to.deep.equal([]);
  });
});
