/** Linear: y = x Wᵀ + b over the last axis, as PyTorch's nn.Linear (weight [out, in]). */
import { Parameter, Tensor, linear } from "../../core";
import { fmt } from "../../core/shape";
import { Module } from "../module";
import { torchDefault } from "../init";
import { LayerOptions, checkInput, layerSetup, positiveInt } from "./common";
import { show } from "../../core/check";

export interface LinearOptions extends LayerOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
}

/**
 * Fully connected layer. Input [..., inFeatures] → output [..., outFeatures]. Weight and bias
 * start as PyTorch's: U(-1/√inFeatures, 1/√inFeatures).
 * @example const fc = new Linear(4, 3, { seed: 0 }); fc.call(randn([2, 4])).shape // [2, 3]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    this.inFeatures = positiveInt(inFeatures, "Linear", "inFeatures");
    this.outFeatures = positiveInt(outFeatures, "Linear", "outFeatures");
    const { dtype, gen } = layerSetup("Linear", opts, ["bias"]);
    const useBias = opts.bias ?? true;
    if (typeof useBias !== "boolean") throw new Error(`Linear: bias must be a boolean, got ${show(opts.bias)}`);
    this.weight = new Parameter(torchDefault([outFeatures, inFeatures], inFeatures, { generator: gen, dtype }), { name: "weight" });
    this.bias = useBias ? new Parameter(torchDefault([outFeatures], inFeatures, { generator: gen, dtype }), { name: "bias" }) : null;
  }

  forward(x: Tensor): Tensor {
    checkInput(x, "Linear", this.weight.dtype);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new Error(`Linear: expected input with last dim ${this.inFeatures}, got shape ${fmt(x.shape)}`);
    }
    return linear(x, this.weight, this.bias); // one fused GEMM, no transpose copy
  }

  toString(): string {
    return `Linear(inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null})`;
  }
}
