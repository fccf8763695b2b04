/**
 * `npm run playground -- --measure`: frames and steps per second of the built playground in
 * headless Chromium, each panel playing for a few seconds at its defaults (the surfaces: four
 * optimizers on Rosenbrock; the network: Lion and AdamW, MLP 2-16-16-2, batch 32). Counted
 * over the whole window, after one second of warm-up. A measurement, not a test: the figures
 * depend on what else the machine is doing.
 */
import { chromiumArgs, findChromium } from "../test/support/chromium";

interface Seen {
  backend: string;
  playingFrames: number;
  surface: { steps: number };
  classifier: { steps: number };
  trainMsPerFrame: number;
  drawMsPerFrame: number;
}

const CASES = [
  { name: "surfaces (Rosenbrock, 4 optimizers, 4 steps per frame)", hash: "#panel=surface&s.steps=20000", panel: "surface" as const },
  { name: "network (moons, Lion + AdamW, 2-16-16-2, batch 32)", hash: "#panel=classifier&c.steps=100000", panel: "classifier" as const },
];

export async function measure(url: string, seconds = 4): Promise<void> {
  const chromium = findChromium();
  if (!chromium) throw new Error("playground --measure: Chromium is not installed (apt-get install -y chromium)");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const puppeteer = require("puppeteer-core") as typeof import("puppeteer-core");
  const browser = await puppeteer.launch({ executablePath: chromium, args: chromiumArgs(), headless: true });
  try {
    for (const c of CASES) {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${url}/index.html${c.hash}`);
      await page.waitForFunction("window.playground !== undefined");
      await page.click("#play");
      await new Promise((r) => setTimeout(r, 1000));
      const read = async () => ({ t: performance.now(), s: (await page.evaluate("window.playground.snapshot()")) as Seen });
      const a = await read();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const b = await read();
      const dt = (b.t - a.t) / 1000;
      const steps = b.s[c.panel].steps - a.s[c.panel].steps;
      console.log(
        `playground --measure: ${c.name}, ${b.s.backend} backend: ${((b.s.playingFrames - a.s.playingFrames) / dt).toFixed(1)} frames/s, ${(steps / dt).toFixed(0)} steps/s over ${dt.toFixed(1)} s (last second: train ${b.s.trainMsPerFrame.toFixed(2)} ms, draw ${b.s.drawMsPerFrame.toFixed(2)} ms per frame)`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
}
