/** Inverted dropout: zero each element with probability p and scale the survivors by 1/(1-p). */
import { allocate } from "../dtype";
import { Tensor } from "../tensor";
import { isGradEnabled, maskedGradient, record } from "../autograd";
import { generatorFor } from "../random";
import { checkOptionKeys } from "../check";
import { checkTensor } from "./operand";

/**
 * In training, keeps each element with probability 1-p and scales it by 1/(1-p), so the
 * expected value is unchanged; outside training (or p = 0) returns `x` itself. Reproducible
 * with `seed` (or `manualSeed`).
 * @example dropout(ones([4]), 0.5, true, { seed: 1 }) // e.g. [2, 0, 2, 2]
 */
export function dropout(x: Tensor, p: number, training: boolean, opts: { seed?: number } = {}): Tensor {
  checkTensor("dropout", "x", x);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
  checkOptionKeys("dropout", opts, ["seed"]);
  if (!training || p === 0) return x;
  const gen = generatorFor(opts.seed);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const mask = allocate(x.dtype, x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = gen.uniform() >= p ? scale : 0;
  const xv = x.values;
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < out.length; i++) out[i] = xv[i] * mask[i];
  const masked = (g: Tensor): Tensor => {
    const gv = g.values;
    const d = allocate(x.dtype, gv.length);
    for (let i = 0; i < d.length; i++) d[i] = gv[i] * mask[i];
    return new Tensor(d, x.shape);
  };
  return record("dropout", [x], new Tensor(out, x.shape), (g) => [isGradEnabled() ? maskedGradient("dropoutBackward", g, masked) : masked(g)], true);
}
