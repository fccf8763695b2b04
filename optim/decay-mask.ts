/**
 * Which parameters the decoupled weight decay skips (`excludeFromWeightDecay`): by identity
 * and by name fragments, as Keras (`"bias"` matches `"dense/bias"`).
 *
 * @example const ex = parseDecayExclusions("AdamW", { names: ["bias"] }, check); decayMask(params, ex) // [true, false, ...]
 */
import type { Parameter } from "../core/parameter";
import type { Tensor } from "../core/tensor";
import { checkOptionKeys, fail, show } from "../core/check";

/** The exclusions of one `excludeFromWeightDecay` call. */
export interface DecayExclusions {
  params: Set<Tensor>;
  names: RegExp | null;
}

/** No exclusions: every parameter is decayed. */
export const NO_EXCLUSIONS: DecayExclusions = { params: new Set(), names: null };

/** Checks `{ params?, names? }`; `checkParams` validates the parameter list. Mutates nothing. */
export function parseDecayExclusions(owner: string, opts: unknown, checkParams: (ps: unknown) => readonly Parameter[]): DecayExclusions {
  if (typeof opts !== "object" || opts === null) fail(owner, "excludeFromWeightDecay options", "an object { params?, names? }", opts);
  checkOptionKeys(`${owner}.excludeFromWeightDecay`, opts, ["params", "names"]);
  const o = opts as { params?: unknown; names?: unknown };
  const params = o.params === undefined ? [] : checkParams(o.params);
  let names: RegExp | null = null;
  if (o.names !== undefined) {
    if (!Array.isArray(o.names) || !o.names.every((n) => typeof n === "string")) fail(owner, "excludeFromWeightDecay names", "an array of strings", o.names);
    if (o.names.length > 0) {
      try {
        names = new RegExp(o.names.join("|"));
      } catch (e) {
        throw new Error(`${owner}: excludeFromWeightDecay names ${show(o.names)} are not a valid regular expression: ${(e as Error).message}`);
      }
    }
  }
  return { params: new Set(params), names };
}

/** Per built parameter: true when the weight decay applies to it. */
export function decayMask(params: readonly Parameter[], ex: DecayExclusions): boolean[] {
  return params.map((p) => !ex.params.has(p) && !(ex.names && ex.names.test(p.name ?? "")));
}
