/**
 * The Lion playground's page: settings (validated, mirrored in the URL hash), the two panels,
 * the toolbar (play/pause, step, reset) and the animation loop. It runs ndgrad exactly as a
 * user's web app would: `import ... from "ndgrad"`, bundled from the package's browser build.
 */
import { backendReason, getBackend } from "ndgrad";
import { Field } from "./controls";
import { decodeHash, encodeHash } from "./hash";
import type { Host, PanelController } from "./host";
import { Messages } from "./messages";
import { NetPanel } from "./net-panel";
import { PANELS, Panel, Settings, checkValue } from "./settings";
import { SurfacePanel } from "./surface-panel";
import { surfaceById } from "./surfaces";

/** Training time per frame on the network panel: leaves room for drawing within a 60 Hz frame. */
const TRAIN_BUDGET_MS = 8;

const doc = document;
const $ = <T extends HTMLElement>(id: string) => doc.getElementById(id) as T;
const messages = new Messages($("messages"));
const fields = new Map<string, Field[]>();
let settings: Settings;
let lastHash = "";
let playing = false;
let dirty = true;

{
  const decoded = decodeHash(location.hash);
  settings = decoded.settings;
  if (decoded.problems.length > 0)
    messages.show("hash", "error", `The URL hash was not fully understood, so defaults were used for: ${decoded.problems.join("; ")}.`);
}

/** Which panel a key resets when it changes (null: none, e.g. steps per frame). */
function panelOf(key: string): Panel | null {
  if (key === "surface" || (key.startsWith("s.") && key !== "s.speed" && key !== "s.steps")) return "surface";
  if (key === "dataset" || (key.startsWith("c.") && key !== "c.steps")) return "classifier";
  return null;
}

function writeHash(): void {
  const hash = encodeHash(settings);
  if (hash === lastHash) return;
  lastHash = hash;
  try {
    history.replaceState(null, "", `#${hash}`);
  } catch {
    location.replace(`#${hash}`); // some file:// contexts refuse replaceState
  }
}

function commit(key: string, raw: string | boolean): string | null {
  const checked = checkValue(key, raw);
  if ("error" in checked) {
    messages.show(`field:${key}`, "error", `${checked.error}. The previous value ${String(settings[key])} is kept.`);
    return checked.error;
  }
  messages.clear(`field:${key}`);
  if (settings[key] === checked.value) return null;
  settings[key] = checked.value;
  if (key === "surface") {
    // A new surface starts from its own usual start point (a click moves it afterwards).
    const [x, y] = surfaceById(checked.value as string).start;
    settings["s.startX"] = x;
    settings["s.startY"] = y;
    for (const k of ["s.startX", "s.startY"]) for (const f of fields.get(k) ?? []) f.show(settings[k]);
  }
  for (const f of fields.get(key) ?? []) f.show(checked.value);
  if (key === "panel") showPanel();
  const panel = panelOf(key);
  if (panel) panels[panel].reset();
  writeHash();
  dirty = true;
  return null;
}

function stop(source: string, text: string): void {
  setPlaying(false);
  messages.show(source, "error", text);
}

const host: Host = {
  doc,
  settings: () => settings,
  commit,
  set: (key, value) => {
    const error = commit(key, value as string | boolean);
    if (error) for (const f of fields.get(key) ?? []) f.show(settings[key]);
  },
  track: (field) => {
    fields.set(field.key, [...(fields.get(field.key) ?? []), field]);
    return field;
  },
  messages,
  playing: () => playing,
  stop,
};

const panels: Record<Panel, PanelController> = {
  surface: new SurfacePanel(host, $("panel-surface")),
  classifier: new NetPanel(host, $("panel-classifier")),
};

function active(): PanelController {
  return panels[settings.panel as Panel];
}

function showPanel(): void {
  for (const p of PANELS) {
    const on = settings.panel === p;
    $(`panel-${p}`).hidden = !on;
    const tab = $(`tab-${p}`);
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  setPlaying(false);
}

function setPlaying(on: boolean): void {
  playing = on && active().canRun();
  if (playing) messages.clear("finished");
  dirty = true; // one more frame, so that a paused panel shows its final state
  const button = $<HTMLButtonElement>("play");
  button.textContent = playing ? "Pause" : "Play";
  button.setAttribute("aria-pressed", String(playing));
}

function resetActive(): void {
  messages.clear("finished");
  active().reset();
  dirty = true;
}

/** One optimizer step of every runner of the active panel. */
function stepOnce(): void {
  setPlaying(false);
  const p = active();
  if (!p.canRun()) return;
  try {
    p.advance(0, 1);
  } catch (e) {
    stop("run", `Step failed: ${(e as Error).message}`);
  }
  dirty = true;
}

// ---- the toolbar, the tabs and the keyboard ----
for (const p of PANELS) $(`tab-${p}`).addEventListener("click", () => commit("panel", p));
$("tabs").addEventListener("keydown", (e) => {
  if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
  const next = PANELS[(PANELS.indexOf(settings.panel as Panel) + 1) % PANELS.length];
  commit("panel", next);
  $(`tab-${next}`).focus();
});
$("play").addEventListener("click", () => setPlaying(!playing));
$("step").addEventListener("click", stepOnce);
$("reset").addEventListener("click", () => {
  setPlaying(false);
  resetActive();
});
doc.addEventListener("keydown", (e) => {
  const t = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || ["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(t.tagName)) return;
  if (e.key === "p") setPlaying(!playing);
  else if (e.key === "s") stepOnce();
  else if (e.key === "r") {
    setPlaying(false);
    resetActive();
  } else return;
  e.preventDefault();
});
window.addEventListener("hashchange", () => {
  if (location.hash.slice(1) === lastHash) return;
  const decoded = decodeHash(location.hash);
  messages.clear("hash");
  if (decoded.problems.length > 0)
    messages.show("hash", "error", `The URL hash was not fully understood, so defaults were used for: ${decoded.problems.join("; ")}.`);
  settings = decoded.settings;
  for (const [key, fs] of fields) for (const f of fs) f.show(settings[key]);
  showPanel();
  panels.surface.reset();
  panels.classifier.reset();
  writeHash();
  dirty = true;
});

// ---- the animation loop ----
const status = $("status");
let frames = 0,
  stepsThisSecond = 0,
  secondStart = performance.now(),
  fps = 0,
  stepsPerSecond = 0;
/** Frames drawn while playing, since the page loaded (for measurements over longer windows). */
let playingFrames = 0;
// Where a second's time went (training vs drawing), in ms per frame: shown to the tests' log.
let trainMs = 0,
  drawMs = 0,
  timing = { trainMsPerFrame: 0, drawMsPerFrame: 0 };

function frame(now: number): void {
  try {
    const p = active();
    if (playing) {
      const t0 = performance.now();
      stepsThisSecond += p.advance(TRAIN_BUDGET_MS);
      trainMs += performance.now() - t0;
      if (p.finished()) {
        setPlaying(false);
        messages.show("finished", "info", `Reached ${p.steps()} steps ("steps to run"). Raise it to go on, or press Reset.`);
      }
    }
    if (playing || dirty) {
      const t0 = performance.now();
      p.render();
      drawMs += performance.now() - t0;
      frames++;
      if (playing) playingFrames++;
      dirty = false;
    }
  } catch (e) {
    stop("run", `The animation stopped: ${(e as Error).message}`);
  }
  if (now - secondStart >= 1000) {
    fps = playing ? (frames * 1000) / (now - secondStart) : 0;
    timing = { trainMsPerFrame: frames ? trainMs / frames : 0, drawMsPerFrame: frames ? drawMs / frames : 0 };
    trainMs = drawMs = 0;
    stepsPerSecond = (stepsThisSecond * 1000) / (now - secondStart);
    frames = 0;
    stepsThisSecond = 0;
    secondStart = now;
  }
  status.textContent = `step ${active().steps()}${playing ? ` · ${fps.toFixed(0)} frames/s · ${stepsPerSecond.toFixed(0)} steps/s` : " · paused"}`;
  requestAnimationFrame(frame);
}

panels.surface.reset();
panels.classifier.reset();
showPanel();
writeHash();
requestAnimationFrame(frame);

/** Read-only view for the tests (and the curious, from the console). */
(window as unknown as { playground: unknown }).playground = {
  snapshot: () => ({
    panel: settings.panel,
    // which kernels train: "wasm" (inlined in the bundle) wherever the browser runs them
    backend: getBackend(),
    backendReason: backendReason(),
    playing,
    fps,
    stepsPerSecond,
    playingFrames,
    ...timing,
    messages: messages.texts(),
    hash: lastHash,
    surface: panels.surface.snapshot(),
    classifier: panels.classifier.snapshot(),
  }),
  settings: () => ({ ...settings }),
};
