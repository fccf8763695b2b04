/**
 * The browser build in real headless Chromium: a page of the user's project imports "ndgrad"
 * (the installed tarball's dist/browser, through an import map, as a bundler would pick it by
 * the "browser" condition), trains a 2-16-1 MLP on XOR with Lion, and must log no error.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { installPackedNdgrad } from "../support/packed";
import { chromiumArgs, findChromium, serveStatic } from "../support/chromium";

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>ndgrad in the browser</title><link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "ndgrad": "/node_modules/ndgrad/dist/browser/index.js" } }</script>
</head><body><pre id="out">running</pre>
<script type="module">
import { tensor, nn, optim, getNumThreads } from "ndgrad";
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
const model = new nn.Sequential(new nn.Linear(2, 16, { seed: 0 }), new nn.Tanh(), new nn.Linear(16, 1, { seed: 1 }));
const opt = new optim.Lion({ learningRate: 0.01 });
const params = model.parameters();
let loss = Infinity;
const t0 = performance.now();
for (let step = 0; step < 1000; step++) {
  const l = nn.losses.mse(model.call(x), y);
  loss = l.item();
  l.backward(); opt.step(params); opt.zeroGrad(params);
}
const errors = [];
try { nn.loadWeights(model, "model.safetensors"); } catch (e) { errors.push(e.message); }
const bytes = nn.saveWeightsBytes(model);
nn.loadWeightsBytes(model, bytes);
window.result = { loss, ms: performance.now() - t0, threads: getNumThreads(), bytes: bytes.length, errors };
document.getElementById("out").textContent = JSON.stringify(window.result);
</script></body></html>`;

describe("the browser build in headless Chromium", function () {
  this.timeout(300_000);
  const chromium = findChromium();

  it("trains a 2-16-1 MLP on XOR with Lion below loss 0.05, with no error logged", async function () {
    if (!chromium) {
      console.log("    (skipped: Chromium is not installed; `apt-get install -y chromium`, as .ci/run does)");
      this.skip();
    }
    const { dir } = installPackedNdgrad();
    fs.writeFileSync(path.join(dir, "index.html"), PAGE);
    const server = await serveStatic(dir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
    const browser = await puppeteer.launch({ executablePath: chromium!, args: chromiumArgs(), headless: true });
    const logged: string[] = [];
    try {
      const page = await browser.newPage();
      page.on("console", (m) => { if (m.type() === "error" || m.type() === "warn") logged.push(`${m.type()}: ${m.text()}`); });
      page.on("pageerror", (e) => logged.push(`pageerror: ${(e as Error).message}`));
      page.on("requestfailed", (r) => logged.push(`requestfailed: ${r.url()}`));
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction("window.result !== undefined || document.getElementById('out').textContent !== 'running'", { timeout: 120_000 }).catch(() => undefined);
      const result = (await page.evaluate("window.result")) as { loss: number; ms: number; threads: number; bytes: number; errors: string[] } | undefined;
      console.log(`    browser: ${JSON.stringify(result)}`);
      expect(logged).to.deep.equal([]);
      expect(result, "the page did not finish").to.not.equal(undefined);
      expect(result!.loss).to.be.lessThan(0.05);
      expect(result!.threads).to.equal(1);
      expect(result!.errors).to.have.length(1);
      expect(result!.errors[0]).to.match(/^loadWeights\(model, "model\.safetensors"\) needs Node.*parseSafetensors/);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
