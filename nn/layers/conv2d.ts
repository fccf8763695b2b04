/** Conv2d: 2-D convolution over NCHW input, as PyTorch's nn.Conv2d (weight [out, in, kh, kw]). */
import { Parameter, Tensor, conv2d } from "../../core";
import { fmt } from "../../core/shape";
import { Module } from "../module";
import { torchDefault } from "../init";
import { LayerOptions, checkInput, layerSetup, positiveInt } from "./common";
import { pair, show } from "../../core/check";

export interface Conv2dLayerOptions extends LayerOptions {
  /** Step between windows: a number or [h, w] (default 1). */
  stride?: number | [number, number];
  /** Zero padding on each side: a number or [h, w] (default 0). */
  padding?: number | [number, number];
  /** Add a learnable per-channel bias (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution layer. Input [N, inChannels, H, W] → [N, outChannels, H', W'] with
 * H' = floor((H + 2·padH − kh)/strideH) + 1. Weights start as PyTorch's:
 * U(-1/√fanIn, 1/√fanIn) with fanIn = inChannels·kh·kw (bias too).
 * @example const conv = new Conv2d(3, 8, 3, { padding: 1, seed: 0 }); conv.call(randn([2, 3, 16, 16])).shape // [2, 8, 16, 16]
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  weight: Parameter;
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], opts: Conv2dLayerOptions = {}) {
    super();
    this.inChannels = positiveInt(inChannels, "Conv2d", "inChannels");
    this.outChannels = positiveInt(outChannels, "Conv2d", "outChannels");
    this.kernelSize = pair(kernelSize, "Conv2d", "kernelSize", 1);
    this.stride = pair(opts.stride ?? 1, "Conv2d", "stride", 1);
    this.padding = pair(opts.padding ?? 0, "Conv2d", "padding", 0);
    const { dtype, gen } = layerSetup("Conv2d", opts, ["stride", "padding", "bias"]);
    const useBias = opts.bias ?? true;
    if (typeof useBias !== "boolean") throw new Error(`Conv2d: bias must be a boolean, got ${show(opts.bias)}`);
    const [kh, kw] = this.kernelSize;
    const fanIn = inChannels * kh * kw;
    this.weight = new Parameter(torchDefault([outChannels, inChannels, kh, kw], fanIn, { generator: gen, dtype }), { name: "weight" });
    this.bias = useBias ? new Parameter(torchDefault([outChannels], fanIn, { generator: gen, dtype }), { name: "bias" }) : null;
  }

  forward(x: Tensor): Tensor {
    checkInput(x, "Conv2d", this.weight.dtype);
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(`Conv2d: expected 4-D NCHW input with ${this.inChannels} channels, got ${fmt(x.shape)}`);
    }
    const [kh, kw] = this.kernelSize;
    const [ph, pw] = this.padding;
    if (x.shape[2] + 2 * ph < kh || x.shape[3] + 2 * pw < kw) {
      throw new Error(`Conv2d: input ${fmt(x.shape)} with padding [${ph},${pw}] is smaller than the kernel [${kh},${kw}]`);
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }

  toString(): string {
    return `Conv2d(${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}])`;
  }
}
