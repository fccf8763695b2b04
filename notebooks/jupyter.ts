/**
 * Jupyter for ndgrad's notebooks: finds Debian's Jupyter, installs the tslab kernel spec into
 * the repository (`.jupyter/`, git-ignored, nothing global is touched), executes notebooks
 * headlessly (test/notebooks.test.ts, via execute.py), and starts the notebook server on
 * localhost (`npm run notebooks`).
 *
 *   npm run notebooks                # install the kernel spec, open Jupyter on 127.0.0.1
 *   npm run notebooks -- --no-browser
 *   npm run notebooks -- --figures   # re-make README's pictures in docs/img/ from the notebooks
 *
 * Jupyter comes from Debian: apt-get install jupyter-notebook jupyter-nbconvert python3-ipykernel jupyter-client
 * It is run with /usr/bin/python3 by name, because the `python3` first on PATH (pyenv, conda,
 * a venv) may be another Python without Jupyter.
 */
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO = path.resolve(__dirname, "..");
export const NOTEBOOKS_DIR = path.join(REPO, "notebooks");
/** Kernel specs go to <prefix>/share/jupyter/kernels/, found through JUPYTER_PATH. */
export const JUPYTER_PREFIX = path.join(REPO, ".jupyter");
/** Debian's Python; NDGRAD_JUPYTER_PYTHON names another one that has Jupyter. */
export const PYTHON = process.env.NDGRAD_JUPYTER_PYTHON || "/usr/bin/python3";
export const APT_PACKAGES = ["jupyter-notebook", "jupyter-nbconvert", "python3-ipykernel", "jupyter-client"];
/** The kernel: the repo's tslab, started at the repo root (see tslab-kernel.js). */
const KERNEL_BINARY = path.join(NOTEBOOKS_DIR, "tslab-kernel.js");

/** The notebooks, in reading order. */
export function listNotebooks(): string[] {
  return fs
    .readdirSync(NOTEBOOKS_DIR)
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(NOTEBOOKS_DIR, f));
}

/**
 * Why notebooks cannot be executed here (a sentence with the fix), or null when they can:
 * needs PYTHON (/usr/bin/python3) with nbconvert, nbclient, ipykernel and jupyter_client.
 */
export function jupyterMissing(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found; install Debian's Jupyter: apt-get install ${APT_PACKAGES.slice(1).join(" ")}`;
  const r = spawnSync(PYTHON, ["-c", "import nbconvert, nbclient, ipykernel, jupyter_client, IPython"], { encoding: "utf8" });
  if (r.status !== 0) {
    const missing = /No module named '([^']+)'/.exec(r.stderr ?? "")?.[1] ?? "Jupyter";
    return `${missing} is not installed for ${PYTHON}; install it with: apt-get install ${APT_PACKAGES.slice(1).join(" ")}`;
  }
  return null;
}

/**
 * The environment Jupyter needs to find the repo's kernel spec. Without the ndgrad-source
 * condition (tests set it for their processes): the kernel runs the built package, the code its
 * types describe (see tslab-kernel.js).
 */
export function jupyterEnv(): NodeJS.ProcessEnv {
  const share = path.join(JUPYTER_PREFIX, "share", "jupyter");
  const rest = process.env.JUPYTER_PATH ? path.delimiter + process.env.JUPYTER_PATH : "";
  const nodeOptions = (process.env.NODE_OPTIONS ?? "").replace(/--conditions[= ]ndgrad-source/g, "").trim();
  return { ...process.env, NODE_OPTIONS: nodeOptions, JUPYTER_PATH: share + rest };
}

/**
 * Installs the tslab kernel spec ("tslab", shown as TypeScript) under `.jupyter/`. Idempotent
 * and quick; the spec runs notebooks/tslab-kernel.js by absolute path, so no PATH setup.
 */
export function installKernel(): void {
  fs.chmodSync(KERNEL_BINARY, 0o755); // git keeps the bit, but a copied checkout may lose it
  const tslab = path.join(path.dirname(require.resolve("tslab/package.json")), "bin", "tslab");
  execFileSync(process.execPath, [tslab, "install", `--python=${PYTHON}`, `--prefix=${JUPYTER_PREFIX}`, `--binary=${KERNEL_BINARY}`], { stdio: "pipe" });
  const spec = path.join(JUPYTER_PREFIX, "share", "jupyter", "kernels", "tslab", "kernel.json");
  if (!fs.existsSync(spec)) throw new Error(`installKernel: tslab install did not write ${spec}`);
  // Start the kernel with this very node (not whichever `node` Jupyter's PATH finds first).
  const kernel = JSON.parse(fs.readFileSync(spec, "utf8")) as { argv: string[]; display_name: string };
  kernel.argv = [process.execPath, KERNEL_BINARY, "kernel", "--config-path", "{connection_file}"];
  kernel.display_name = "TypeScript (ndgrad)";
  fs.writeFileSync(spec, JSON.stringify(kernel, null, 1) + "\n");
  // tslab also installs a JavaScript kernel ("jslab"); the notebooks are TypeScript only.
  fs.rmSync(path.join(JUPYTER_PREFIX, "share", "jupyter", "kernels", "jslab"), { recursive: true, force: true });
}

export interface ExecuteResult {
  ok: boolean;
  /** the executed notebook (with outputs) */
  output: string;
  seconds: number;
  /** when !ok: the failing cell, its source and what it printed (tslab's error message) */
  log: string;
}

/**
 * Runs every cell of `notebook` in a fresh kernel (notebooks/execute.py: nbclient, as
 * `jupyter nbconvert --execute`), writing the executed copy to `outDir` even when a cell fails.
 * `env` is added to the kernel's environment; the kernel runs in `cwd` (where "ndgrad" must resolve).
 */
export function executeNotebook(
  notebook: string,
  outDir: string,
  env: Record<string, string> = {},
  cellTimeout = 300,
  cwd = NOTEBOOKS_DIR,
): Promise<ExecuteResult> {
  const start = Date.now();
  const output = path.join(outDir, path.basename(notebook));
  const args = [path.join(NOTEBOOKS_DIR, "execute.py"), notebook, output, "--timeout", String(cellTimeout)];
  return new Promise((resolve) => {
    // Connection files go to outDir: no need for a writable ~/.local/share/jupyter (CI).
    const child = spawn(PYTHON, args, { env: { ...jupyterEnv(), JUPYTER_RUNTIME_DIR: outDir, ...env }, cwd });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    child.on("error", (err) => resolve({ ok: false, output, seconds: (Date.now() - start) / 1000, log: `${log}${err.message}` }));
    child.on("close", (code) => resolve({ ok: code === 0, output, seconds: (Date.now() - start) / 1000, log }));
  });
}

/**
 * Exports an executed notebook to HTML as `jupyter nbconvert --to html` does (Debian's
 * nbconvert), next to it; `ok` is nbconvert's verdict, `log` what it printed.
 */
export function exportHtml(executed: string): Promise<{ ok: boolean; html: string; log: string }> {
  const html = executed.replace(/\.ipynb$/, ".html");
  const args = ["-m", "nbconvert", "--to", "html", executed, "--output", path.basename(html), "--output-dir", path.dirname(html)];
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { env: { ...jupyterEnv(), JUPYTER_RUNTIME_DIR: path.dirname(html) } });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    child.on("error", (err) => resolve({ ok: false, html, log: `${log}${err.message}` }));
    child.on("close", (code) => resolve({ ok: code === 0 && fs.existsSync(html), html, log }));
  });
}

/**
 * Executes every notebook and saves the first SVG output of its cell tagged "readme-figure" as
 * docs/img/<notebook>.png (rendered by `rsvg-convert`; the SVG itself when that is missing).
 */
async function exportFigures(): Promise<void> {
  installKernel();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-figures-"));
  const imgDir = path.join(REPO, "docs", "img");
  fs.mkdirSync(imgDir, { recursive: true });
  try {
    for (const nb of listNotebooks()) {
      const r = await executeNotebook(nb, outDir);
      if (!r.ok) throw new Error(r.log);
      type Out = { data?: Record<string, string | string[]> };
      const cells = (JSON.parse(fs.readFileSync(r.output, "utf8")) as { cells: { metadata?: { tags?: string[] }; outputs?: Out[] }[] }).cells;
      const tagged = cells.filter((c) => c.metadata?.tags?.includes("readme-figure"));
      const svg = tagged
        .flatMap((c) => c.outputs ?? [])
        .map((o) => o.data?.["image/svg+xml"])
        .find((d) => d !== undefined);
      if (svg === undefined) throw new Error(`${path.basename(nb)}: no SVG output in a cell tagged readme-figure`);
      const name = path.basename(nb, ".ipynb");
      const tmpSvg = path.join(outDir, `${name}.svg`);
      fs.writeFileSync(tmpSvg, Array.isArray(svg) ? svg.join("") : svg);
      const png = spawnSync("rsvg-convert", [tmpSvg, "-o", path.join(imgDir, `${name}.png`)]);
      const written = png.status === 0 ? `${name}.png` : `${name}.svg (rsvg-convert not found: SVG, not PNG)`;
      if (png.status !== 0) fs.copyFileSync(tmpSvg, path.join(imgDir, `${name}.svg`));
      console.log(`wrote docs/img/${written}`);
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** `npm run notebooks`: install the kernel spec and start Jupyter on localhost (`-- --figures`: see exportFigures). */
function main(): void {
  const missing = jupyterMissing();
  if (missing) {
    console.error(`notebooks: ${missing.replace(APT_PACKAGES.slice(1).join(" "), APT_PACKAGES.join(" "))}`);
    process.exit(1);
  }
  if (process.argv.includes("--figures")) {
    exportFigures().catch((e: Error) => {
      console.error(e.message);
      process.exit(1);
    });
    return;
  }
  if (spawnSync(PYTHON, ["-c", "import notebook"]).status !== 0) {
    console.error(`notebooks: the notebook UI is not installed for ${PYTHON}; install it with: apt-get install jupyter-notebook`);
    process.exit(1);
  }
  installKernel();
  const rootFlag = process.getuid?.() === 0 ? ["--allow-root"] : []; // Jupyter refuses root without it
  const args = ["-m", "notebook", "--ip=127.0.0.1", `--notebook-dir=${NOTEBOOKS_DIR}`, ...rootFlag, ...process.argv.slice(2)];
  console.log(`notebooks: kernel spec in ${path.relative(REPO, JUPYTER_PREFIX)}/; starting ${PYTHON} ${args.join(" ")}`);
  const child = spawn(PYTHON, args, { env: jupyterEnv(), stdio: "inherit" });
  child.on("exit", (code) => process.exit(code ?? 0));
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
}

if (require.main === module) main();
