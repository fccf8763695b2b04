/**
 * Checking an `apply(grads, params)` call before anything changes: the lists, each gradient's
 * shape and dtype against its parameter, the optional finite guard. The result, `ApplyPlan`,
 * is what the pipeline runs on; a call that fails here leaves the optimizer untouched.
 *
 * @example const plan = checkApplyCall(optimizerView, [gW, gB], [w, b]); // null for an empty list
 */
import { Tensor } from "../core/tensor";
import type { Parameter } from "../core/parameter";
import { fmt, sameShape } from "../core/shape";
import { fail } from "../core/check";
import { firstNonFinite } from "./arguments";

/** A checked `apply` call: one gradient (or null) per parameter, and the learning rate read once. */
export interface ApplyPlan {
  params: readonly Parameter[];
  grads: readonly (Tensor | null)[];
  lr: number;
}

/** What the check reads from the optimizer (nothing here is written). */
export interface ApplyCheckView {
  readonly className: string;
  readonly checkFinite: boolean;
  readonly isBuilt: boolean;
  readonly builtParams: readonly Parameter[];
  _indexOf(p: Tensor): number;
}

/** `" ("name")"` after a parameter reference, or nothing for an unnamed one. */
export const paramLabel = (p: Tensor): string => (p.name ? ` ("${p.name}")` : "");

/**
 * Throws unless `params` is an array of distinct Parameters.
 * @example checkParamList("Lion", [w, b], "params")
 */
export function checkParamList(owner: string, params: unknown, what: string): readonly Parameter[] {
  if (!Array.isArray(params)) fail(owner, what, "an array of Parameters", params);
  const seen = new Set<unknown>();
  params.forEach((p, k) => {
    if (!(p instanceof Tensor)) fail(owner, `${what}[${k}]`, "a Parameter", p);
    if (seen.has(p)) throw new Error(`${owner}: ${what}[${k}]${paramLabel(p)} appears twice in the list`);
    seen.add(p);
  });
  return params as Parameter[];
}

/** The parameters an `apply` call is about: `params`, or the built ones when it is omitted. */
function paramsOfCall(opt: ApplyCheckView, grads: readonly unknown[], params: readonly Parameter[] | undefined): readonly Parameter[] {
  const o = opt.className;
  if (params !== undefined) {
    const vars = checkParamList(o, params, "params");
    if (vars.length !== grads.length) throw new Error(`${o}: grads and params differ in length: ${grads.length} gradients for ${vars.length} parameters`);
    return vars;
  }
  if (!opt.isBuilt) throw new Error(`${o}: apply(grads) without params needs a built optimizer: call build(params) first or pass params`);
  if (grads.length !== opt.builtParams.length) {
    throw new Error(
      `${o}: got ${grads.length} gradients but the optimizer tracks ${opt.builtParams.length} parameters; pass params, or one gradient per built parameter`,
    );
  }
  return opt.builtParams;
}

/** Throws unless gradient `g` (at position k) fits parameter `p`. */
function checkGradient(opt: ApplyCheckView, g: unknown, p: Parameter, k: number): asserts g is Tensor {
  const o = opt.className;
  const named = p.name ? ` "${p.name}"` : "";
  if (!(g instanceof Tensor)) fail(o, `grads[${k}]`, "a Tensor or null", g);
  if (!sameShape(g.shape, p.shape)) throw new Error(`${o}: grads[${k}] has shape ${fmt(g.shape)} but its parameter${named} has shape ${fmt(p.shape)}`);
  if (g.dtype !== p.dtype)
    throw new Error(`${o}: grads[${k}] is ${g.dtype} but its parameter${named} is ${p.dtype} (mixing dtypes is not allowed; convert the gradient)`);
  if (opt.checkFinite) {
    const at = firstNonFinite(g.values);
    if (at >= 0) {
      throw new Error(
        `${o}: grads[${k}]${p.name ? ` (parameter "${p.name}")` : ""} is not finite: element ${at} is ${g.values[at]}; nothing was changed (checkFinite is on; use LossScaleOptimizer to skip such steps instead)`,
      );
    }
  }
}

/**
 * Checks the lists and every gradient; mutates nothing. Returns the params and grads of the
 * call (`lr` still 0: the optimizer reads it next), or null for an empty list.
 */
export function checkApplyCall(opt: ApplyCheckView, grads: readonly (Tensor | null | undefined)[], params?: readonly Parameter[]): ApplyPlan | null {
  const o = opt.className;
  if (!Array.isArray(grads)) fail(o, "grads", "an array of Tensors (or nulls)", grads);
  if (grads.length === 0) return null;
  const vars = paramsOfCall(opt, grads, params);
  let any = false;
  for (let k = 0; k < vars.length; k++) {
    const p = vars[k];
    if (opt.isBuilt && opt._indexOf(p) < 0) {
      throw new Error(
        `${o}: unknown parameter params[${k}]${paramLabel(p)} of shape ${fmt(p.shape)}: this optimizer was built on other parameters; create a new optimizer for a new set`,
      );
    }
    const g = grads[k];
    if (g === null || g === undefined) continue;
    checkGradient(opt, g, p, k);
    any = true;
  }
  if (!any) throw new Error(`${o}: no gradients provided for any parameter (all ${vars.length} are null; did you call loss.backward()?)`);
  return { params: vars, grads: grads.map((g) => g ?? null), lr: 0 };
}
