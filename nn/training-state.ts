/**
 * The whole training state of a `fit` as one safetensors buffer (browser-safe: bytes only), the
 * format of BackupAndRestore's checkpoint:
 *
 * - tensors `model/<name>`: the model's state dict (integer state as I64);
 * - tensors `optimizer/<slot>/<i>`: the optimizer's slots (EMA weights, accumulated gradients,
 *   moments), bit for bit;
 * - metadata `ndgrad.training_state`: JSON of everything else: the optimizer's counters, config
 *   and loss scale; the loop position (epoch, batch within it, the epoch's running sums); the
 *   state of every generator (fit's shuffle one, the global one, each Dropout layer's own); the
 *   history so far.
 *
 * One buffer, so one atomic file write saves it all: a reader never sees weights from one step
 * and optimizer state from another.
 */
import { Tensor } from "../core";
import { Generator, GeneratorState } from "../core/random";
import type { SavedOptimizerState } from "./optimizer-like";
import type { Module } from "./module";
import type { LoopPosition } from "./fit-state";
import { allModules } from "./fit-state";
import { readSafetensorsMetadata, parseSafetensors, serializeSafetensors } from "./safetensors";
import type { SafetensorsDType } from "./safetensors-dtypes";

const KEY = "ndgrad.training_state";
const VERSION = 1;

/** Everything BackupAndRestore saves (tensors are the live ones when captured; encode at once). */
export interface TrainingState {
  model: Record<string, Tensor>;
  integerNames: string[];
  optimizer: SavedOptimizerState;
  position: LoopPosition;
  generators: { shuffle: GeneratorState; global: GeneratorState; modules: Record<string, GeneratorState> };
  history: { epoch: number[]; history: Record<string, number[]>; stoppedReason?: string };
}

/** Every Generator a module owns (Dropout with a seed), by "<module path>:<property>". */
export function moduleGenerators(model: Module): Map<string, Generator> {
  const out = new Map<string, Generator>();
  for (const [name, m] of allModules(model)) {
    for (const [key, value] of Object.entries(m)) if (value instanceof Generator) out.set(`${name}:${key}`, value);
  }
  return out;
}

/** JSON has no NaN or Infinity (a NaN loss can be in the history): spell them out. */
function numberOut(_key: string, v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return v;
}
function numberIn(_key: string, v: unknown): unknown {
  return v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v;
}

/**
 * The training state as safetensors bytes.
 * @example writeFileAtomic(file, encodeTrainingState(captureTrainingState(ctx)))
 */
export function encodeTrainingState(s: TrainingState): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  const dtypes: Record<string, SafetensorsDType> = {};
  for (const [k, t] of Object.entries(s.model)) tensors[`model/${k}`] = t;
  for (const k of s.integerNames) dtypes[`model/${k}`] = "I64";
  const slotCounts: Record<string, number> = {};
  for (const [slot, list] of Object.entries(s.optimizer.slots)) {
    slotCounts[slot] = list.length;
    list.forEach((t, i) => (tensors[`optimizer/${slot}/${i}`] = t));
  }
  const { slots: _slots, ...optimizerRest } = s.optimizer;
  const meta = { version: VERSION, optimizer: { ...optimizerRest, slotCounts }, position: s.position, generators: s.generators, history: s.history };
  return serializeSafetensors(tensors, { [KEY]: JSON.stringify(meta, numberOut) }, { dtypes });
}

/**
 * Decodes `encodeTrainingState` bytes; throws `BackupAndRestore: ...` naming what is wrong.
 * @example const state = decodeTrainingState(fs.readFileSync(file), file)
 */
export function decodeTrainingState(bytes: Uint8Array, where: string): TrainingState {
  let tensors: Record<string, Tensor>;
  let text: string | undefined;
  try {
    tensors = parseSafetensors(bytes);
    text = readSafetensorsMetadata(bytes)[KEY];
  } catch (e) {
    throw new Error(`BackupAndRestore: ${where} is not a readable checkpoint: ${(e as Error).message}`);
  }
  if (text === undefined) throw new Error(`BackupAndRestore: ${where} has no "${KEY}" metadata: not a BackupAndRestore checkpoint`);
  let meta: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    meta = JSON.parse(text, numberIn);
  } catch (e) {
    throw new Error(`BackupAndRestore: ${where}: its "${KEY}" metadata is not JSON (${(e as Error).message})`);
  }
  if (meta?.version !== VERSION)
    throw new Error(`BackupAndRestore: ${where} has checkpoint version ${String(meta?.version)}; this ndgrad reads version ${VERSION}`);
  const model: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith("model/")) model[k.slice(6)] = t;
  const slots: Record<string, Tensor[]> = {};
  for (const [slot, count] of Object.entries<number>(meta.optimizer.slotCounts ?? {})) {
    slots[slot] = Array.from({ length: count }, (_, i) => {
      const t = tensors[`optimizer/${slot}/${i}`];
      if (t === undefined) throw new Error(`BackupAndRestore: ${where} lacks the optimizer tensor "optimizer/${slot}/${i}"`);
      return t;
    });
  }
  const { slotCounts: _counts, ...optimizerRest } = meta.optimizer;
  return { model, integerNames: [], optimizer: { ...optimizerRest, slots }, position: meta.position, generators: meta.generators, history: meta.history };
}
