/**
 * The browser build in real headless Chromium, used as README says: the README's `// app.js`
 * block (a web page's script that imports "ndgrad") is bundled with esbuild inside an empty
 * project that installed the packed tarball (esbuild picks dist/browser by the "browser"
 * condition of the exports map, as Vite or webpack would), and run in a page. It trains a
 * 2-16-1 MLP on XOR with Lion; the loss it prints must fall below 0.05, with no error logged.
 * A second script checks the Node-only boundary: loadWeights(path) explains what to use instead.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";
import { installPackedNdgrad, root } from "../support/packed";
import { chromiumArgs, findChromium, serveStatic } from "../support/chromium";
import { readmeBlocks } from "../support/readme";

const CHECKS = `
import { nn, getNumThreads } from "ndgrad";
const errors = [];
const model = new nn.Linear(2, 1);
try { nn.loadWeights(model, "model.safetensors"); } catch (e) { errors.push(e.message); }
try { nn.saveWeights(model, "model.safetensors"); } catch (e) { errors.push(e.message); }
const bytes = nn.saveWeightsBytes(model);
nn.loadWeightsBytes(model, bytes);
window.checks = { threads: getNumThreads(), errors, bytes: bytes.length };
`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>ndgrad app</title><link rel="icon" href="data:,"></head>
<body><script src="bundle.js"></script><script src="checks.js"></script></body></html>`;

describe("the browser build in headless Chromium", function () {
  this.timeout(300_000);
  const chromium = findChromium();

  it("README's web-app snippet, bundled by esbuild, trains XOR with Lion below loss 0.05, no error logged", async function () {
    if (!chromium) {
      console.log("    (skipped: Chromium is not installed; `apt-get install -y chromium`, as .ci/run does)");
      this.skip();
    }
    const app = readmeBlocks(root).find((b) => b.file === "app.js");
    expect(app, "README has a // app.js block").to.not.equal(undefined);
    const { dir } = installPackedNdgrad();
    const site = path.join(dir, "site");
    fs.mkdirSync(site, { recursive: true });
    fs.writeFileSync(path.join(dir, "app.js"), app!.code);
    fs.writeFileSync(path.join(dir, "checks.js"), CHECKS);
    for (const name of ["app", "checks"]) {
      // a bundler resolving "ndgrad" from the user's project, for the browser (esbuild's default platform)
      await esbuild.build({
        entryPoints: [path.join(dir, `${name}.js`)],
        bundle: true,
        outfile: path.join(site, name === "app" ? "bundle.js" : "checks.js"),
        platform: "browser",
        logLevel: "error",
      });
    }
    fs.writeFileSync(path.join(site, "index.html"), PAGE);
    const server = await serveStatic(site);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
    const browser = await puppeteer.launch({ executablePath: chromium!, args: chromiumArgs(), headless: true });
    const logged: string[] = [];
    const printed: string[] = [];
    try {
      const page = await browser.newPage();
      page.on("console", (m) => (m.type() === "error" || m.type() === "warn" ? logged : printed).push(`${m.type()}: ${m.text()}`));
      page.on("pageerror", (e) => logged.push(`pageerror: ${(e as Error).message}`));
      page.on("requestfailed", (r) => logged.push(`requestfailed: ${r.url()}`));
      await page.goto(`${server.url}/index.html`, { waitUntil: "load" });
      await page.waitForFunction("window.checks !== undefined", { timeout: 120_000 });
      const checks = (await page.evaluate("window.checks")) as { threads: number; errors: string[]; bytes: number };
      console.log(`    browser printed: ${printed.join(" | ")}`);
      expect(logged).to.deep.equal([]);
      const line = printed.find((p) => p.includes("XOR with Lion in the browser"));
      expect(line, "the app's line").to.not.equal(undefined);
      const loss = Number(/loss ([\d.]+)/.exec(line!)![1]);
      expect(loss).to.be.lessThan(0.05);
      expect(line).to.include("(wasm backend)"); // the kernels inlined in the bundle, on the page's thread
      expect(checks.threads).to.equal(1);
      expect(checks.errors[0]).to.match(
        /^loadWeights\(model, "model\.safetensors"\) needs Node \(a file path\); in a browser, parse the bytes with parseSafetensors/,
      );
      expect(checks.errors[1]).to.match(/^saveWeights\(model, "model\.safetensors"\) needs Node .*saveWeightsBytes/);
      expect(checks.bytes).to.be.greaterThan(0);
    } finally {
      await browser.close();
      await server.close();
    }
  });

  it("the browser bundle inlines the committed kernels.wasm byte for byte; dist/cjs and dist/esm read the copied file, never inline it", () => {
    const wasm = fs.readFileSync(path.join(root, "core", "wasm", "kernels.wasm"));
    // A page compiles it synchronously (new WebAssembly.Module), which Chromium refuses above 8 MB on the main thread.
    expect(wasm.length, "kernels.wasm bytes").to.be.below(8 * 1024 * 1024);
    const jsFiles = (dir: string) =>
      fs
        .readdirSync(path.join(root, "dist", dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && /\.m?js$/.test(e.name))
        .map((e) => fs.readFileSync(path.join(e.parentPath ?? e.path, e.name), "utf8"));
    // esbuild's binary loader writes the bytes as one base64 string literal
    const inlined = jsFiles("browser").flatMap((code) => [...code.matchAll(/__toBinary\("([A-Za-z0-9+/=]+)"\)/g)].map((m) => m[1]));
    expect(inlined.length, "one inlined copy").to.equal(1);
    expect(Buffer.from(inlined[0], "base64").equals(wasm), "the inlined bytes are kernels.wasm's").to.equal(true);
    const head = wasm.subarray(0, 48).toString("base64");
    for (const dir of ["cjs", "esm"]) for (const code of jsFiles(dir)) expect(code.includes(head), `dist/${dir} carries no wasm bytes`).to.equal(false);
    expect(fs.readFileSync(path.join(root, "dist", "cjs", "core", "wasm", "kernels.wasm")).equals(wasm), "dist/cjs has the file").to.equal(true);
  });

  it("the browser bundle reaches no Node built-in (fs, path, os, worker_threads, child_process, Buffer, process)", () => {
    const dir = path.join(root, "dist", "browser");
    const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".js"));
    expect(files.length).to.be.greaterThan(3);
    for (const f of files) {
      const code = fs
        .readFileSync(path.join(f.parentPath ?? f.path, f.name), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, ""); // comments may name anything
      expect(code, f.name).to.not.match(/(?<![\w$])require\(|from "(node:)?(fs|path|os|worker_threads|child_process|zlib|util)"/);
      expect(code, f.name).to.not.match(/(?<![\w.])(Buffer|process)\./);
    }
  });
});
