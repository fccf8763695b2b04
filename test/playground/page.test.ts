/**
 * The playground in real headless Chromium (Debian's, through puppeteer-core; skipped with a
 * message where it is absent, `.ci/run` installs it). The page is built once, exactly as
 * `npm run playground` builds it, and then driven through its own buttons and fields; the
 * numbers are read from `window.playground.snapshot()`. Frames and steps per second are
 * printed, never asserted (the machine is shared).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import type { Browser, Page } from "puppeteer-core";
import { buildPlayground } from "../../scripts/playground-build";
import { chromiumArgs, findChromium, serveStatic } from "../support/chromium";
import { decodeHash } from "../../playground/src/hash";

interface Runner {
  id: string;
  lr: number;
  position: number[];
  lastUpdate: number[];
  firstLoss: number;
  loss: number;
  diverged: string | null;
}
interface Metrics {
  step: number;
  testAcc: number;
  trainAcc: number;
}
interface Contender {
  id: string;
  history: Metrics[];
  memory: { slots: string[]; bytes: number } | null;
  firstWeights: number[];
  diverged: string | null;
}
interface Snapshot {
  panel: string;
  backend: string;
  backendReason: string;
  playing: boolean;
  fps: number;
  stepsPerSecond: number;
  trainMsPerFrame: number;
  drawMsPerFrame: number;
  messages: string[];
  hash: string;
  surface: { steps: number; start: number[]; runners: Runner[] };
  classifier: { steps: number; contenders: Contender[] };
}

const snapshot = (page: Page) => page.evaluate("window.playground.snapshot()") as Promise<Snapshot>;
const until = (page: Page, expression: string, timeout = 60_000) => page.waitForFunction(expression, { timeout, polling: 50 });
/** A property of the first element matching `selector` (evaluated in the page, so no DOM types here). */
const prop = (page: Page, selector: string, name: string) => page.evaluate(`document.querySelector(${JSON.stringify(selector)})[${JSON.stringify(name)}]`);

/** Types `text` into a field as a user would: clear it, type, then Tab away (which commits it). */
async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  const field = await page.$(selector);
  if (!field) throw new Error(`no field ${selector}`);
  await field.evaluate((e) => {
    (e as unknown as { value: string }).value = "";
  });
  await field.focus();
  await field.type(text);
  await page.keyboard.press("Tab");
}

describe("the playground in headless Chromium", function () {
  this.timeout(120_000);
  const chromium = findChromium();
  let browser: Browser | null = null;
  let server: { url: string; close: () => Promise<void> } | null = null;
  let dir = "";
  const logged: string[] = [];

  before(async function () {
    if (!chromium) {
      console.log("    (skipped: Chromium is not installed; `apt-get install -y chromium`, as .ci/run does)");
      this.skip();
    }
    dir = await buildPlayground(fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-playground-")));
    server = await serveStatic(dir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
    browser = await puppeteer.launch({ executablePath: chromium!, args: chromiumArgs(), headless: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh page at `url`, with every console error, warning, page error and failed request collected. */
  async function open(url: string): Promise<Page> {
    const page = await browser!.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warn") logged.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => logged.push(`pageerror: ${(e as Error).message}`));
    page.on("requestfailed", (r) => logged.push(`requestfailed: ${r.url()}`));
    await page.goto(url);
    await until(page, "window.playground !== undefined", 20_000);
    return page;
  }

  beforeEach(() => {
    logged.length = 0;
  });
  afterEach(() => {
    expect(logged, "console errors").to.deep.equal([]);
  });

  it("loads with no console error, over http and from file://, on both panels", async () => {
    for (const url of [`${server!.url}/index.html`, pathToFileURL(path.join(dir, "index.html")).href]) {
      const page = await open(url);
      const s = await snapshot(page);
      expect(s.messages, url).to.deep.equal([]);
      // the browser build's wasm kernels, over http and from file:// alike (Chromium makes the shared memory in both)
      expect([s.backend, s.backendReason], url).to.deep.equal(["wasm", "the default: this engine runs the WebAssembly SIMD kernels"]);
      expect(s.surface.runners.map((r) => r.id)).to.deep.equal(["lion", "adamw", "adam", "sgd"]);
      await page.click("#tab-classifier");
      await page.click("#step");
      const after = await snapshot(page);
      expect(after.panel).to.equal("classifier");
      expect(after.classifier.steps, url).to.equal(1);
      expect(await page.evaluate('document.querySelectorAll("figure.model canvas").length')).to.equal(2);
      // Lion's "from AdamW" button (the 3-10x rule, factor 3): lr / 3, weight decay x 3, in the fields and the hash.
      await typeInto(page, '#panel-classifier [data-key="c.adamw.lr"]', "0.05");
      await page.click("#c-lion-from-adamw");
      const lion = (await page.evaluate("window.playground.settings()")) as Record<string, unknown>;
      expect([lion["c.lion.lr"], lion["c.lion.wd"], lion["c.lion.beta1"], lion["c.lion.beta2"]]).to.deep.equal([0.0166667, 0.03, 0.9, 0.99]);
      expect(await prop(page, '#panel-classifier [data-key="c.lion.lr"]', "value")).to.equal("0.0166667");
      expect(await page.evaluate("location.hash"))
        .to.contain("c.adamw.lr=0.05&")
        .and.contain("c.lion.lr=0.0166667&");
      await page.close();
    }
  });

  it("play moves every trajectory and lowers its loss; Lion's steps are ±lr in every coordinate", async () => {
    const page = await open(`${server!.url}/index.html`);
    await page.click("#play");
    await until(page, "window.playground.snapshot().surface.steps >= 400");
    const s = await snapshot(page);
    console.log(
      `    surfaces: ${s.fps.toFixed(1)} frames/s while playing (train ${s.trainMsPerFrame.toFixed(2)} ms, draw ${s.drawMsPerFrame.toFixed(2)} ms per frame)`,
    );
    await page.click("#play"); // pause
    for (const r of s.surface.runners) {
      expect(r.position, r.id).to.not.deep.equal(s.surface.start);
      expect(r.loss, r.id).to.be.lessThan(r.firstLoss / 2);
      expect(r.diverged).to.equal(null);
    }
    // Single steps with the Step button: every one moves Lion by exactly lr (the float32 value
    // the optimizer holds, as Keras's learning-rate variable) in x and in y.
    for (let i = 0; i < 5; i++) {
      const before = (await snapshot(page)).surface.steps;
      await page.click("#step");
      const now = await snapshot(page);
      expect(now.surface.steps).to.equal(before + 1);
      const lion = now.surface.runners.find((r) => r.id === "lion")!;
      for (const d of lion.lastUpdate) expect(Math.abs(d)).to.be.closeTo(Math.fround(lion.lr), 1e-15);
    }
    const cells = (await page.evaluate(
      'Array.from(document.querySelectorAll("#updates-table tr"), (r) => Array.from(r.children, (c) => c.textContent))',
    )) as string[][];
    expect(cells[0].slice(0, 1).concat(cells[0].slice(3, 5))).to.deep.equal(["Lion", "1.000", "1.000"]);
    await page.close();
  });

  it("the classifier: same initialisation for every copy, Lion one state slot and AdamW two, 95% on moons within 2,000 steps", async () => {
    const page = await open(`${server!.url}/index.html#panel=classifier&dataset=moons`);
    const start = await snapshot(page);
    const [lion, adamw] = start.classifier.contenders;
    expect(lion.firstWeights).to.deep.equal(adamw.firstWeights);
    await page.click("#play");
    await until(
      page,
      "window.playground.snapshot().classifier.steps >= 2000 || window.playground.snapshot().classifier.contenders.every((c) => c.history.some((h) => h.testAcc >= 0.95))",
    );
    await new Promise((r) => setTimeout(r, 1200)); // a full second of playing for the rate below
    const s = await snapshot(page);
    await page.click("#play");
    console.log(
      `    classifier (2 MLPs 2-16-16-2, batch 32, ${s.backend} backend): ${s.stepsPerSecond.toFixed(0)} steps/s, ${s.fps.toFixed(1)} frames/s (train ${s.trainMsPerFrame.toFixed(2)} ms, draw ${s.drawMsPerFrame.toFixed(2)} ms per frame)`,
    );
    for (const c of s.classifier.contenders) {
      const reached = c.history.find((h) => h.testAcc >= 0.95);
      console.log(`    ${c.id}: 95% test accuracy at step ${reached?.step}`);
      expect(reached, `${c.id} never reached 95%`).to.not.equal(undefined);
      expect(reached!.step).to.be.at.most(2000);
    }
    const [l, a] = s.classifier.contenders;
    expect(l.memory!.slots).to.deep.equal(["momentums"]);
    expect(a.memory!.slots).to.deep.equal(["momentums", "velocities"]);
    expect(a.memory!.bytes).to.equal(2 * l.memory!.bytes);
    expect(await page.$eval("figure.model figcaption", (e) => e.textContent)).to.match(
      /optimizer state: 1 slot per parameter \(momentums\): 354 floats, 1\.4 KiB/,
    );
    await page.close();
  });

  it("a URL hash restores its settings, and changing a field writes the hash", async () => {
    const hash = "#panel=classifier&surface=beale&s.lion.lr=0.002&dataset=xor&c.widths=8,8&c.batch=64&c.sgd.on=1&c.sgd.nesterov=1";
    const page = await open(`${server!.url}/index.html${hash}`);
    const settings = (await page.evaluate("window.playground.settings()")) as Record<string, unknown>;
    const wanted = decodeHash(hash).settings;
    expect(settings).to.deep.equal(wanted);
    expect(await page.$eval("#tab-classifier", (e) => e.getAttribute("aria-selected"))).to.equal("true");
    expect(await prop(page, '[data-key="c.widths"]', "value")).to.equal("8,8");
    expect(await prop(page, '[data-key="dataset"]', "value")).to.equal("xor");
    expect(await prop(page, '[data-key="c.sgd.nesterov"]', "checked")).to.equal(true);
    expect(await page.evaluate('Array.from(document.querySelectorAll("figure.model"), (e) => e.dataset.optimizer)')).to.deep.equal(["lion", "adamw", "sgd"]);
    // The surface panel's Lion learning rate field, typed into like a user would.
    await page.click("#tab-surface");
    await typeInto(page, '#panel-surface [data-key="s.lion.lr"]', "0.004");
    const written = await page.evaluate("location.hash");
    expect(written).to.contain("s.lion.lr=0.004").and.contain("surface=beale").and.contain("panel=surface");
    const again = await open(`${server!.url}/index.html${written}`);
    const restored = (await again.evaluate("window.playground.settings()")) as Record<string, unknown>;
    expect(restored).to.deep.equal({ ...wanted, panel: "surface", "s.lion.lr": 0.004 });
    expect((await snapshot(again)).surface.runners.find((r) => r.id === "lion")!.lr).to.equal(0.004);
    // Editing the address bar's hash by hand applies it at once.
    await again.evaluate("location.hash = '#surface=saddle&s.noise=0.5'");
    await until(again, "window.playground.settings().surface === 'saddle'", 5000);
    const edited = await snapshot(again);
    expect(edited.surface.start).to.deep.equal([-1.8, 0.02]);
    expect(edited.hash).to.contain("s.noise=0.5").and.contain("s.lion.lr=0.01");
    await page.close();
    await again.close();
  });

  it("bad input: an out-of-range field, a malformed hash and a diverging setting each give a visible message, and the page keeps working", async () => {
    const page = await open(`${server!.url}/index.html#surface=rosenbrock&s.lion.lr=abc&%E0%A4%A=1&bogus=2`);
    const shown = await page.$eval("#messages", (e) => e.textContent ?? "");
    expect(shown)
      .to.match(/URL hash was not fully understood/)
      .and.match(/Lion learning rate \(surfaces\) must be a number from 0.000001 to 1000, got "abc"/)
      .and.match(/not valid URL encoding/)
      .and.match(/unknown setting "bogus"/);
    expect(((await page.evaluate("window.playground.settings()")) as Record<string, unknown>)["s.lion.lr"]).to.equal(0.01);

    // An out-of-range learning rate typed into SGD's field: refused, marked, the old value kept.
    const sgdLr = '#panel-surface [data-key="s.sgd.lr"]';
    await typeInto(page, sgdLr, "5000");
    expect(await page.evaluate(`document.querySelector('${sgdLr}').getAttribute("aria-invalid")`)).to.equal("true");
    expect(await page.$eval("#messages", (e) => e.textContent ?? "")).to.contain(
      "SGD learning rate (surfaces) must be from 0.000001 to 1000, got 5000. The previous value 0.0005 is kept.",
    );
    expect(((await page.evaluate("window.playground.settings()")) as Record<string, unknown>)["s.sgd.lr"]).to.equal(0.0005);

    // A learning rate far too large (but allowed): SGD blows up on Rosenbrock; the animation stops with a message.
    await typeInto(page, sgdLr, "1");
    expect(await page.evaluate(`document.querySelector('${sgdLr}').getAttribute("aria-invalid")`)).to.equal(null);
    await page.click("#play");
    await until(page, "!window.playground.snapshot().playing", 20_000);
    const s = await snapshot(page);
    const sgd = s.surface.runners.find((r) => r.id === "sgd")!;
    expect(sgd.diverged).to.match(/^SGD diverged at step \d+ on Rosenbrock/);
    expect(s.messages.join("\n")).to.contain(sgd.diverged!);
    expect(await page.$eval("#play", (e) => e.textContent)).to.equal("Play");
    // Nothing froze: the others still step, and Reset clears the divergence.
    await page.click("#step");
    expect((await snapshot(page)).surface.steps).to.equal(s.surface.steps + 1);
    await page.click("#reset");
    const reset = await snapshot(page);
    expect(reset.surface.steps).to.equal(0);
    expect(reset.surface.runners.every((r) => r.diverged === null)).to.equal(true);
    expect(reset.messages.join("\n")).to.not.contain("diverged");

    // An invalid hyper-parameter the field range allows but ndgrad refuses (Lion's beta1 = 0):
    // ndgrad's own message is shown and playing does nothing.
    await typeInto(page, '#panel-surface [data-key="s.lion.beta1"]', "0");
    expect(await page.$eval("#messages", (e) => e.textContent ?? "")).to.match(/Loss surfaces: Lion: beta1 must be a finite number in \(0, 1\], got 0/);
    await page.click("#play");
    expect((await snapshot(page)).playing).to.equal(false);
    await typeInto(page, '#panel-surface [data-key="s.lion.beta1"]', "0.9");
    expect(await page.$eval("#messages", (e) => e.textContent ?? "")).to.not.contain("beta1");
    await page.click("#step");
    expect((await snapshot(page)).surface.steps).to.equal(1);
    await page.close();
  });
});
