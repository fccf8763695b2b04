/**
 * One fieldset per optimizer (learning rate, betas or momentum/nesterov, weight decay), and
 * Lion's "from AdamW" button: it copies AdamW's settings through the 3-10x rule.
 */
import { buildField } from "./controls";
import type { Host } from "./host";
import { lionFromAdamW, COLORS } from "./optimizers";
import { OPTIMIZERS, OPTIMIZER_LABEL, SPECS, optimizerSettings } from "./settings";

/**
 * Appends the four optimizers' fieldsets for panel "s" or "c" to `root`.
 * @example buildOptimizerCards(host, "s", panel.querySelector(".optimizers")!);
 */
export function buildOptimizerCards(host: Host, panel: "s" | "c", root: HTMLElement): void {
  const doc = host.doc;
  for (const id of OPTIMIZERS) {
    const set = doc.createElement("fieldset");
    set.className = "optimizer";
    set.style.borderColor = COLORS[id];
    const legend = doc.createElement("legend");
    legend.textContent = OPTIMIZER_LABEL[id];
    legend.style.color = COLORS[id];
    set.append(legend);
    const prefix = `${panel}.${id}.`;
    for (const key of Object.keys(SPECS).filter((k) => k.startsWith(prefix))) {
      if (key.endsWith(".factor")) continue; // placed with its button below
      set.append(host.track(buildField(doc, key, host.settings()[key], host.commit)).element);
    }
    if (id === "lion") {
      const row = doc.createElement("div");
      row.className = "from-adamw";
      row.append(host.track(buildField(doc, `${prefix}factor`, host.settings()[`${prefix}factor`], host.commit)).element);
      const button = doc.createElement("button");
      button.type = "button";
      button.textContent = "from AdamW";
      button.id = `${panel}-lion-from-adamw`;
      button.title = "Lion's learning rate = AdamW's / factor, weight decay = AdamW's x factor (the paper's 3-10x rule)";
      button.addEventListener("click", () => {
        const s = host.settings();
        const adamw = optimizerSettings(s, panel, "adamw");
        const lion = lionFromAdamW(adamw, s[`${prefix}factor`] as number);
        host.set(`${prefix}lr`, lion.lr);
        host.set(`${prefix}wd`, lion.wd);
        host.set(`${prefix}beta1`, lion.beta1);
        host.set(`${prefix}beta2`, lion.beta2);
      });
      row.append(button);
      set.append(row);
    }
    root.append(set);
  }
}
