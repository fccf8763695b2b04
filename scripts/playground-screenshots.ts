/**
 * `npm run playground -- --screenshots`: opens the built playground in headless Chromium, lets
 * each panel train for a while, pauses it and saves a picture of it to docs/img/ (the ones in
 * README's "Playground" section). Also prints the frames and steps per second it saw.
 */
import * as path from "path";
import { chromiumArgs, findChromium } from "../test/support/chromium";

const root = path.resolve(__dirname, "..");

interface Shot {
  file: string;
  hash: string;
  steps: number;
}

const SHOTS: Shot[] = [
  { file: "playground-surfaces.png", hash: "#panel=surface&surface=rosenbrock", steps: 900 },
  { file: "playground-network.png", hash: "#panel=classifier&dataset=spirals&c.noise=0.05&c.widths=24,24&c.adam.on=1&c.sgd.on=1", steps: 3000 },
];

export async function takeScreenshots(url: string): Promise<string[]> {
  const chromium = findChromium();
  if (!chromium) throw new Error("playground --screenshots: Chromium is not installed (apt-get install -y chromium)");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
  const browser = await puppeteer.launch({ executablePath: chromium, args: chromiumArgs(), headless: true });
  const written: string[] = [];
  try {
    for (const shot of SHOTS) {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${url}/index.html${shot.hash}`);
      await page.waitForFunction("window.playground !== undefined");
      await page.click("#play");
      const progress = "(() => { const s = window.playground.snapshot(); return s.panel === 'surface' ? s.surface.steps : s.classifier.steps; })()";
      await page.waitForFunction(`${progress} >= ${shot.steps}`, { timeout: 120_000, polling: 100 });
      const seen = (await page.evaluate("window.playground.snapshot()")) as { fps: number; stepsPerSecond: number };
      await page.click("#play"); // pause, so the picture shows one settled frame
      await new Promise((r) => setTimeout(r, 200));
      const file = path.join(root, "docs", "img", shot.file);
      await page.screenshot({ path: file as `${string}.png`, fullPage: true });
      console.log(`playground: ${path.relative(root, file)} (${seen.fps.toFixed(0)} frames/s, ${seen.stepsPerSecond.toFixed(0)} steps/s while playing)`);
      written.push(file);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return written;
}
