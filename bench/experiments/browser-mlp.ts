/**
 * Experiment: the browser build's backends in headless Chromium (Debian's, through
 * puppeteer-core), on the bench's MLP step (784-128-10 ReLU, batch 64, cross-entropy, AdamW
 * lr 1e-3 wd 0.004: bench/workloads/mlp.ts's ndgrad side) and the calibration loop (a plain-JS
 * fused Lion pass over 10M float32: bench/workloads/calib.ts), with the same step in this Node
 * process beside it (on one thread, as the page). `npm run build` first (the page bundles dist/browser through the package's
 * exports, as a user's bundler would), then
 * `nice -n 10 npx ts-node -T bench/experiments/browser-mlp.ts [rounds=7] [steps=20]`.
 *
 * One model per backend, each made under its backend (so its parameters live where that backend
 * keeps them); rounds alternate between the two, and each figure is the median over rounds of the
 * mean step time in a round.
 *
 * When: 2026-12-01 (branch wasmweb on main 6e0291f), Chromium 156, other jobs on the 2 cores
 * (load average 3.3 and 3.8; the calibration loop's ~31 ms idle figure ran at 36-44 ms). Two runs:
 *   Chromium (dist/browser)  MLP step wasm 1.52 ms, js 7.15 ms (js/wasm 4.71x); calib 38.5 ms
 *   Node v20.20.2, 1 thread  MLP step wasm 1.52 ms, js 7.43 ms (js/wasm 4.88x); calib 36.2 ms
 *   Chromium (dist/browser)  MLP step wasm 2.04 ms, js 9.30 ms (js/wasm 4.56x); calib 43.8 ms
 *   Node v20.20.2, 1 thread  MLP step wasm 1.89 ms, js 8.72 ms (js/wasm 4.62x); calib 38.3 ms
 * So a page runs the step as fast as Node on one thread; before the browser build carried the
 * kernels, a page had only the js column.
 */
import * as path from "path";
import * as esbuild from "esbuild";
import { getBackend, getNumThreads, setBackend, setNumThreads, nn, optim, tensor, type Backend } from "../../index";
import { chromiumArgs, findChromium, serveStatic } from "../../test/support/chromium";
import * as fs from "fs";
import * as os from "os";

const root = path.resolve(__dirname, "..", "..");

/** The step and the calibration loop, written once, run in the page and here (`nd` is ndgrad). */
const PROGRAM = String.raw`
function random(n, seed, scale) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = (s / 2 ** 31 - 1) * scale; }
  return out;
}
function mlp(nd, backend) {
  nd.setBackend(backend);
  const { nn, optim } = nd;
  const model = new nn.Sequential(new nn.Linear(784, 128, { seed: 1 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 2 }));
  const params = model.parameters();
  const opt = new optim.AdamW({ learningRate: 1e-3, weightDecay: 0.004, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  const x = nd.tensor(random(64 * 784, 11, 1)).reshape([64, 784]);
  const labels = Array.from({ length: 64 }, (_, i) => (i * 7) % 10);
  return () => {
    nd.setBackend(backend);
    const loss = nn.losses.crossEntropy(model.call(x), labels);
    loss.backward(); opt.step(params); opt.zeroGrad(params);
    if (!Number.isFinite(loss.item())) throw new Error("loss is not finite");
  };
}
function calibration() {
  const N = 10000000, v = random(N, 1, 1), g = random(N, 2, 0.01), m = new Float32Array(N + 512).subarray(256);
  return () => {
    for (let k = 0; k < N; k++) { const gk = g[k], mk = m[k]; const c = 0.9 * mk + 0.1 * gk; v[k] -= 1e-4 * (+(c > 0) - +(c < 0)); m[k] = 0.99 * mk + 0.01 * gk; }
  };
}
function measure(nd, rounds, steps) {
  const runs = { wasm: mlp(nd, "wasm"), js: mlp(nd, "js") };
  const times = { wasm: [], js: [], calib: [] };
  for (const b of ["wasm", "js"]) for (let i = 0; i < 5; i++) runs[b](); // warm-up
  const calib = calibration();
  calib();
  for (let r = 0; r < rounds; r++) {
    for (const b of ["wasm", "js"]) {
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) runs[b]();
      times[b].push((performance.now() - t0) / steps);
    }
    const t0 = performance.now();
    calib();
    times.calib.push(performance.now() - t0);
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  return { wasm: median(times.wasm), js: median(times.js), calib: median(times.calib), backend: nd.getBackend() };
}
`;

interface Figures {
  wasm: number;
  js: number;
  calib: number;
  backend: string;
}

async function inChromium(rounds: number, steps: number): Promise<Figures> {
  const chromium = findChromium();
  if (!chromium) throw new Error("browser-mlp: Chromium is not installed (apt-get install -y chromium)");
  const site = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-browser-mlp-"));
  await esbuild.build({
    stdin: {
      contents: `import * as nd from "ndgrad";\n${PROGRAM}\nsetTimeout(() => { try { window.figures = measure(nd, ${rounds}, ${steps}); } catch (e) { window.figures = { error: String(e) }; } }, 0);`,
      resolveDir: root, // "ndgrad" resolves through the package's own exports map to dist/browser
      loader: "js",
    },
    bundle: true,
    outfile: path.join(site, "bench.js"),
    platform: "browser",
    tsconfigRaw: "{}", // not the checkout's tsconfig "paths", which point at the sources
    logLevel: "error",
  });
  fs.writeFileSync(
    path.join(site, "index.html"),
    `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script src="bench.js"></script></body></html>`,
  );
  const server = await serveStatic(site);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
  const browser = await puppeteer.launch({ executablePath: chromium, args: chromiumArgs(), headless: true, protocolTimeout: 600_000 });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction("window.figures !== undefined", { timeout: 600_000, polling: 500 });
    const figures = (await page.evaluate("window.figures")) as Figures & { error?: string };
    if (figures.error) throw new Error(`browser-mlp: the page failed: ${figures.error}`);
    return figures;
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(site, { recursive: true, force: true });
  }
}

function inNode(rounds: number, steps: number): Figures {
  const previous: Backend = getBackend(),
    threads = getNumThreads();
  setNumThreads(1); // as a page runs: one thread
  try {
    const measure = new Function("nd", "rounds", "steps", `${PROGRAM}\nreturn measure(nd, rounds, steps);`);
    return measure({ getBackend, setBackend, nn, optim, tensor }, rounds, steps) as Figures;
  } finally {
    setBackend(previous);
    setNumThreads(threads);
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 7),
    steps = Number(process.argv[3] ?? 20);
  const row = (where: string, f: Figures) =>
    console.log(
      `${where.padEnd(24)} MLP step wasm ${f.wasm.toFixed(2)} ms, js ${f.js.toFixed(2)} ms (js/wasm ${(f.js / f.wasm).toFixed(2)}x); calib ${f.calib.toFixed(1)} ms`,
    );
  console.log(`browser-mlp: ${new Date().toISOString()}, load average ${os.loadavg()[0].toFixed(1)}, ${rounds} rounds of ${steps} steps`);
  row("Chromium (dist/browser)", await inChromium(rounds, steps));
  row(`Node ${process.version}, 1 thread`, inNode(rounds, steps));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
