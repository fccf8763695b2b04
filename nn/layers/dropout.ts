/** Dropout: inverted dropout in training, the identity in eval mode (torch.nn.Dropout). */
import { Tensor, dropout } from "../../core";
import { Generator } from "../../core/random";
import { Module } from "../module";
import { checkInput } from "./common";
import { checkOptionKeys, show } from "../../core/check";

/**
 * Zeroes each element with probability p during training and scales the rest by 1/(1-p).
 * With `seed`, the layer owns a generator, so the sequence of masks is reproducible while
 * each call still draws a new mask; without it the global generator (`manualSeed`) is used.
 * @example const d = new Dropout(0.5, { seed: 1 }); d.call(ones([4])); d.eval().call(ones([4])) // [1, 1, 1, 1]
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly gen: Generator | null;

  constructor(p = 0.5, opts: { seed?: number } = {}) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be in [0, 1], got ${show(p)}`);
    checkOptionKeys("Dropout", opts, ["seed"]);
    if (opts.seed !== undefined && !Number.isFinite(opts.seed)) throw new Error(`Dropout: seed must be a finite number, got ${opts.seed}`);
    this.p = p;
    this.gen = opts.seed === undefined ? null : new Generator(opts.seed);
  }

  forward(x: Tensor): Tensor {
    checkInput(x, "Dropout");
    if (!this.training || this.p === 0) return x;
    // core dropout re-seeds from `seed` on every call; derive a fresh seed per call from our stream.
    const seed = this.gen ? this.gen.int(0x100000000) : undefined;
    return dropout(x, this.p, true, seed === undefined ? {} : { seed });
  }

  toString(): string {
    return `Dropout(p=${this.p})`;
  }
}
