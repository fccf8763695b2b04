/**
 * Executes every notebook in notebooks/ headlessly (jupyter nbconvert --execute, tslab kernel)
 * and fails on any cell error; then exports each executed notebook with `jupyter nbconvert --to
 * html` and checks that every picture (SVG or PNG output) is in the export intact. Skipped, with the reason, where Debian's Jupyter is not
 * installed (see .ci/run, which installs it in CI). The notebooks' own settings are already
 * small (MNIST subsets of a few thousand images, 1-2 epochs): the four take about a minute.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExecuteResult, executeNotebook, exportHtml, installKernel, jupyterMissing, listNotebooks } from "../notebooks/jupyter";
import { installPackedNdgrad } from "./support/packed";

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; ename?: string; evalue?: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> }[];
  execution_count?: number | null;
}

const readCells = (file: string): Cell[] => (JSON.parse(fs.readFileSync(file, "utf8")) as { cells: Cell[] }).cells;
const joined = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join("") : (s ?? ""));

/** Runs `jobs` at most `width` at a time; each result is available as soon as it finishes. */
function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T>[] {
  const results: Promise<T>[] = [];
  const slots: Promise<unknown>[] = Array.from({ length: width }, () => Promise.resolve());
  jobs.forEach((job, i) => {
    const slot = i % width;
    const p = slots[slot].then(job);
    slots[slot] = p.catch(() => undefined);
    results.push(p);
  });
  return results;
}

describe("notebooks", function () {
  const notebooks = listNotebooks();

  it("are committed with outputs cleared", function () {
    expect(notebooks.length, "notebooks/NN-*.ipynb").to.be.greaterThan(0);
    for (const nb of notebooks) {
      for (const [i, cell] of readCells(nb).entries()) {
        if (cell.cell_type !== "code") continue;
        expect(cell.outputs ?? [], `${path.basename(nb)} cell ${i} has outputs`).to.deep.equal([]);
        expect(cell.execution_count ?? null, `${path.basename(nb)} cell ${i} execution_count`).to.equal(null);
      }
    }
  });

  describe("execute without a cell error (headless, as jupyter nbconvert --execute)", function () {
    this.timeout(10 * 60 * 1000);
    let outDir = "";
    let runs: Promise<ExecuteResult>[] = [];

    before(function () {
      const missing = jupyterMissing();
      if (missing) {
        console.log(`      skipped: ${missing}`);
        this.skip();
      }
      installKernel();
      outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-notebooks-"));
      // Kernels start and type-check on one core each: run two notebooks at a time.
      const width = Math.max(1, Math.min(2, os.cpus().length));
      runs = pool(
        notebooks.map((nb) => () => executeNotebook(nb, outDir)),
        width,
      );
    });

    after(function () {
      if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
    });

    notebooks.forEach((nb, k) => {
      it(path.basename(nb), async function () {
        const r = await runs[k];
        if (!r.ok) {
          throw new Error(`${path.basename(nb)} failed after ${r.seconds.toFixed(1)} s:\n${r.log.trim().split("\n").slice(-60).join("\n")}`);
        }
        const cells = readCells(r.output);
        for (const [i, cell] of cells.entries()) {
          for (const out of cell.outputs ?? []) {
            expect(out.output_type, `cell ${i}: ${out.ename}: ${out.evalue}`).to.not.equal("error");
            // tslab reports compile errors on stderr as "line:col - message"
            if (out.output_type === "stream" && out.name === "stderr") {
              expect(joined(out.text), `cell ${i} wrote a compile error`).to.not.match(/^\d+:\d+ - /m);
            }
          }
        }
        console.log(`      (${r.seconds.toFixed(1)} s)`);
      });
    });

    notebooks.forEach((nb, k) => {
      it(`${path.basename(nb)} exports to HTML (jupyter nbconvert --to html) with every picture in it`, async function () {
        const r = await runs[k];
        if (!r.ok) this.skip(); // its execution failure is reported above
        const exported = await exportHtml(r.output);
        expect(exported.ok, `nbconvert --to html failed:\n${exported.log.trim().split("\n").slice(-20).join("\n")}`).to.equal(true);
        const html = fs.readFileSync(exported.html, "utf8");
        let pictures = 0;
        for (const [i, cell] of readCells(r.output).entries()) {
          for (const out of cell.outputs ?? []) {
            const svg = out.data?.["image/svg+xml"];
            if (svg !== undefined) {
              pictures++;
              const text = joined(svg);
              expect(text, `cell ${i}: an SVG output with an XML prolog or DOCTYPE`).to.match(/^\s*<svg\b/);
              // The whole SVG, every element, verbatim (nbconvert's cleaner would strip its elements).
              expect(html.includes(text), `cell ${i}: its SVG picture (${text.length} characters) is not in the HTML export intact`).to.equal(true);
            }
            const png = out.data?.["image/png"];
            if (png !== undefined) {
              pictures++;
              expect(html.includes(joined(png).replace(/\n/g, "")), `cell ${i}: its PNG picture is not in the HTML export`).to.equal(true);
            }
          }
        }
        expect(pictures, "the notebook shows pictures").to.be.greaterThan(0);
      });
    });
  });

  describe("run from any folder where ndgrad is installed", function () {
    this.timeout(10 * 60 * 1000);
    it("01-autograd runs in an empty project that installed the packed tarball", async function () {
      const missing = jupyterMissing();
      if (missing) {
        console.log(`      skipped: ${missing}`);
        this.skip();
      }
      installKernel();
      const { dir } = installPackedNdgrad();
      const copy = path.join(dir, "01-autograd.ipynb");
      fs.copyFileSync(
        notebooks.find((nb) => path.basename(nb) === "01-autograd.ipynb")!,
        copy,
      );
      const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-notebook-user-"));
      try {
        const r = await executeNotebook(copy, outDir, { NODE_OPTIONS: "" });
        if (!r.ok) throw new Error(`01-autograd failed in ${dir}:\n${r.log.trim().split("\n").slice(-40).join("\n")}`);
        const outputs = readCells(r.output).flatMap((c) => c.outputs ?? []);
        expect(outputs.filter((o) => o.output_type === "error")).to.deep.equal([]);
        expect(outputs.length).to.be.greaterThan(3);
      } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
      }
    });
  });
});
