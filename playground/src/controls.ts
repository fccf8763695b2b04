/**
 * Form fields built from the settings table: a <label> for every control, native inputs (so
 * Tab, arrows, Space and Enter work as everywhere), and `aria-invalid` plus a message when a
 * typed value is refused. A field never changes a setting itself: it hands the raw text to
 * `commit`, which validates and answers whether it was taken.
 */
import { SPECS, Value } from "./settings";

/** Settings shown as sliders (with their value beside them) rather than number boxes. */
const SLIDERS = new Set(["s.noise", "c.noise", "c.batch", "s.speed", "c.train"]);

export interface Field {
  key: string;
  element: HTMLElement;
  /** Shows a value set from elsewhere (hash, button, click) and clears any invalid mark. */
  show(v: Value): void;
}

/** Validates and applies; returns an error message, or null when the value was taken. */
export type Commit = (key: string, raw: string | boolean) => string | null;

let counter = 0;

/**
 * A labelled control for setting `key`, showing `value`; a change goes through `commit`.
 * @example root.append(buildField(document, "s.noise", 0, commit).element);
 */
export function buildField(doc: Document, key: string, value: Value, commit: Commit, labelText?: string): Field {
  const spec = SPECS[key];
  const id = `f-${key.replace(/\./g, "-")}-${counter++}`;
  const wrap = doc.createElement("div");
  wrap.className = `field field-${spec.kind}`;
  const label = doc.createElement("label");
  label.htmlFor = id;
  label.textContent = labelText ?? spec.label;
  let input: HTMLInputElement | HTMLSelectElement;
  let output: HTMLOutputElement | null = null;
  if (spec.kind === "choice") {
    const select = doc.createElement("select");
    for (const o of spec.options) select.append(new Option(o, o));
    input = select;
  } else {
    const box = doc.createElement("input");
    if (spec.kind === "bool") box.type = "checkbox";
    else if (spec.kind === "widths") {
      box.type = "text";
      box.size = 8;
      box.spellcheck = false;
    } else {
      box.type = SLIDERS.has(key) ? "range" : "number";
      box.min = String(spec.min);
      box.max = String(spec.max);
      box.step = box.type === "range" ? String(spec.step) : "any";
      if (box.type === "range") {
        output = doc.createElement("output");
        output.htmlFor.add(id);
      }
    }
    input = box;
  }
  input.id = id;
  input.dataset.key = key;
  const show = (v: Value) => {
    if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = v === true;
    else input.value = String(v);
    if (output) output.value = String(v);
    input.removeAttribute("aria-invalid");
  };
  const onCommit = () => {
    const raw = input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value;
    const error = commit(key, raw);
    if (error) input.setAttribute("aria-invalid", "true");
    else {
      input.removeAttribute("aria-invalid");
      if (output) output.value = String(raw);
    }
  };
  input.addEventListener(input instanceof HTMLInputElement && input.type === "range" ? "input" : "change", onCommit);
  show(value);
  if (spec.kind === "bool") wrap.append(input, label);
  else wrap.append(label, input);
  if (output) wrap.append(output);
  return { key, element: wrap, show };
}
