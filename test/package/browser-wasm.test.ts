/**
 * The browser build's wasm backend in real headless Chromium, from the installed tarball as a
 * user's bundler sees it. A page runs test/support/browser-program.ts (Lion and AdamW on fixed
 * inputs, and a matmul) on the default backend, then again after `setBackend("js")`; the same
 * program runs here in Node on each backend from the sources, and the bits must agree:
 * - the page's default is "wasm", its parameters live in the wasm memory, and its Lion/AdamW
 *   bits equal Node's wasm bits (and Node's js bits: the optimizer kernels are bit-identical);
 * - its matmul equals Node's wasm GEMM bit for bit, and after `setBackend("js")` Node's js GEMM
 *   (the two GEMMs differ in summation, so this shows which one ran).
 * The same page served cross-origin isolated (COOP/COEP headers), and the program run in a Web
 * Worker, give the same bits.
 * A third page refuses shared WebAssembly memory, as a browser that gates it behind cross-origin
 * isolation does: there the backend is "js", `backendReason()` says why, training still works
 * and `setBackend("wasm")` throws with the same reason.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";
import * as nd from "ndgrad";
import { installPackedNdgrad, root } from "../support/packed";
import { chromiumArgs, findChromium, serveStatic } from "../support/chromium";
import { type ProgramResult, optimizerProgram } from "../support/browser-program";

const PROGRAM = `
import * as nd from "ndgrad";
import { optimizerProgram } from ${JSON.stringify(path.join(root, "test", "support", "browser-program.ts"))};
let result;
try {
  const wasm = optimizerProgram(nd);
  nd.setBackend("js");
  const js = optimizerProgram(nd);
  nd.setBackend("wasm");
  result = { wasm, js, backendAfter: nd.getBackend(), crossOriginIsolated: self.crossOriginIsolated, sharedArrayBufferGlobal: typeof SharedArrayBuffer };
} catch (e) {
  result = { error: String(e && e.stack || e) }; // fails the test at once, with the page's message
}
// in a page, or in a Web Worker (then the page receives it)
if (typeof window !== "undefined") window.program = result;
else postMessage(result);
`;

// The same program in a dedicated Web Worker (where apps train to keep the page responsive).
const IN_WORKER = `
const worker = new Worker("program.js");
worker.onmessage = (e) => { window.program = e.data; };
worker.onerror = (e) => { window.program = { error: "worker: " + e.message }; };
`;

// What a browser that gates shared memory behind cross-origin isolation does (Chromium does not).
const REFUSE_SHARED_MEMORY = `
const RealMemory = WebAssembly.Memory;
WebAssembly.Memory = function Memory(descriptor) {
  if (descriptor && descriptor.shared) throw new TypeError("WebAssembly.Memory(): shared memory needs cross-origin isolation (this page's stand-in)");
  return new RealMemory(descriptor);
};
`;

const FALLBACK = `
import * as nd from "ndgrad";
try {
const x = nd.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = nd.tensor([[0], [1], [1], [0]]);
const model = new nd.nn.Sequential(new nd.nn.Linear(2, 16, { seed: 0 }), new nd.nn.Tanh(), new nd.nn.Linear(16, 1, { seed: 1 }));
const opt = new nd.optim.AdamW({ learningRate: 0.02 });
let loss = Infinity;
for (let step = 0; step < 600; step++) {
  const l = nd.nn.losses.mse(model.call(x), y);
  loss = l.item();
  l.backward(); opt.step(model.parameters()); opt.zeroGrad(model.parameters());
}
let refused = null;
try { nd.setBackend("wasm"); } catch (e) { refused = e.message; }
window.fallback = { backend: nd.getBackend(), reason: nd.backendReason(), loss, refused };
} catch (e) {
  window.fallback = { error: String(e && e.stack || e) };
}
`;

const page = (scripts: string[]) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>${scripts.map((s) => `<script src="${s}"></script>`).join("")}</body></html>`;

interface Program {
  wasm: ProgramResult;
  js: ProgramResult;
  backendAfter: string;
  crossOriginIsolated: boolean;
  sharedArrayBufferGlobal: string;
}

interface Fallback {
  backend: string;
  reason: string;
  loss: number;
  refused: string | null;
}

describe("the browser build's wasm backend in headless Chromium", function () {
  this.timeout(300_000);
  const chromium = findChromium();
  let program: Program, isolated: Program, inWorker: Program;
  let fallback: Fallback;
  const logged: string[] = [];

  before(async function () {
    if (!chromium) {
      console.log("    (skipped: Chromium is not installed; `apt-get install -y chromium`, as .ci/run does)");
      this.skip();
    }
    const { dir } = installPackedNdgrad();
    const site = path.join(dir, "site-wasm");
    fs.mkdirSync(site, { recursive: true });
    for (const [name, code] of Object.entries({ program: PROGRAM, fallback: FALLBACK })) {
      fs.writeFileSync(path.join(dir, `${name}.js`), code);
      // resolved from the user's project, for the browser: node_modules/ndgrad's dist/browser
      await esbuild.build({
        entryPoints: [path.join(dir, `${name}.js`)],
        bundle: true,
        outfile: path.join(site, `${name}.js`),
        platform: "browser",
        logLevel: "error",
      });
    }
    fs.writeFileSync(path.join(site, "refuse-shared-memory.js"), REFUSE_SHARED_MEMORY);
    fs.writeFileSync(path.join(site, "program.html"), page(["program.js"]));
    fs.writeFileSync(path.join(site, "in-worker.js"), IN_WORKER);
    fs.writeFileSync(path.join(site, "worker.html"), page(["in-worker.js"]));
    fs.writeFileSync(path.join(site, "fallback.html"), page(["refuse-shared-memory.js", "fallback.js"]));
    const server = await serveStatic(site);
    const isolating = await serveStatic(site, 0, { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
    const browser = await puppeteer.launch({ executablePath: chromium!, args: chromiumArgs(), headless: true });
    const run = async (url: string, result: string): Promise<unknown> => {
      const tab = await browser.newPage();
      tab.on("console", (m) => (m.type() === "error" || m.type() === "warn") && logged.push(`${url}: ${m.text()}`));
      tab.on("pageerror", (e) => logged.push(`${url}: pageerror: ${(e as Error).message}`));
      await tab.goto(url, { waitUntil: "load" });
      await tab.waitForFunction(`window.${result} !== undefined`, { timeout: 120_000 });
      const value = (await tab.evaluate(`window.${result}`)) as { error?: string };
      await tab.close();
      if (value.error !== undefined) throw new Error(`${url}: ${value.error}`);
      return value;
    };
    try {
      program = (await run(`${server.url}/program.html`, "program")) as Program;
      isolated = (await run(`${isolating.url}/program.html`, "program")) as Program;
      inWorker = (await run(`${server.url}/worker.html`, "program")) as Program;
      fallback = (await run(`${server.url}/fallback.html`, "fallback")) as Fallback;
    } finally {
      await browser.close();
      await server.close();
      await isolating.close();
    }
  });

  it("logs no error", () => {
    expect(logged).to.deep.equal([]);
  });

  it('defaults to "wasm" in a page that is not cross-origin isolated, parameters in the wasm memory', () => {
    expect(program.crossOriginIsolated).to.equal(false);
    expect(program.sharedArrayBufferGlobal).to.equal("undefined"); // hidden, yet WebAssembly's shared memory works
    expect(program.wasm.backend).to.equal("wasm");
    expect(program.wasm.reason).to.equal("the default: this engine runs the WebAssembly SIMD kernels");
    expect(program.wasm.paramsInSharedMemory).to.equal(true);
    expect(program.js.backend).to.equal("js");
    expect(program.js.reason).to.equal('setBackend("js")');
    expect(program.js.paramsInSharedMemory).to.equal(false);
    expect(program.backendAfter).to.equal("wasm");
  });

  it("a cross-origin-isolated page (SharedArrayBuffer visible) runs the same kernels, to the same bits", () => {
    expect([isolated.crossOriginIsolated, isolated.sharedArrayBufferGlobal]).to.deep.equal([true, "function"]);
    expect([isolated.wasm.backend, isolated.wasm.paramsInSharedMemory, isolated.js.backend]).to.deep.equal(["wasm", true, "js"]);
    for (const k of ["lion", "adamw", "matmul"] as const) {
      expect(isolated.wasm[k], k).to.deep.equal(program.wasm[k]);
      expect(isolated.js[k], k).to.deep.equal(program.js[k]);
    }
  });

  it("in a Web Worker too: wasm by default, the same bits on both backends", () => {
    expect([inWorker.wasm.backend, inWorker.wasm.paramsInSharedMemory, inWorker.js.backend, inWorker.backendAfter]).to.deep.equal(["wasm", true, "js", "wasm"]);
    for (const k of ["lion", "adamw", "matmul"] as const) {
      expect(inWorker.wasm[k], k).to.deep.equal(program.wasm[k]);
      expect(inWorker.js[k], k).to.deep.equal(program.js[k]);
    }
  });

  it("Lion and AdamW give Node's bits exactly, on both backends", () => {
    const previous = nd.getBackend();
    try {
      nd.setBackend("wasm");
      const node = optimizerProgram(nd);
      expect(node.paramsInSharedMemory, "Node ran the wasm kernels on heap parameters").to.equal(true);
      expect(program.wasm.lion).to.deep.equal(node.lion);
      expect(program.wasm.adamw).to.deep.equal(node.adamw);
      expect(program.js.lion).to.deep.equal(node.lion);
      expect(program.js.adamw).to.deep.equal(node.adamw);
    } finally {
      nd.setBackend(previous);
    }
  });

  it("the page's matmul is Node's wasm GEMM bit for bit, and after setBackend('js') Node's js GEMM", () => {
    const previous = nd.getBackend();
    try {
      nd.setBackend("wasm");
      const nodeWasm = optimizerProgram(nd).matmul;
      nd.setBackend("js");
      const nodeJs = optimizerProgram(nd).matmul;
      expect(nodeWasm, "the two GEMMs round differently on these inputs (the check below can tell them apart)").to.not.deep.equal(nodeJs);
      expect(program.wasm.matmul).to.deep.equal(nodeWasm);
      expect(program.js.matmul).to.deep.equal(nodeJs);
    } finally {
      nd.setBackend(previous);
    }
  });

  it('falls back to "js" where shared wasm memory is refused, says why, and still trains', () => {
    expect(fallback.backend).to.equal("js");
    expect(fallback.reason).to.equal(
      "the default where the wasm kernels cannot run: this engine refuses a shared WebAssembly.Memory (WebAssembly.Memory(): shared memory needs cross-origin isolation (this page's stand-in)); " +
        "this page is not cross-origin isolated (crossOriginIsolated is false), and engines that gate shared memory need the headers " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp",
    );
    expect(fallback.loss).to.be.lessThan(0.05);
    expect(fallback.refused).to.match(/^setBackend: backend "wasm" cannot run here: this engine refuses a shared WebAssembly\.Memory/);
  });
});
