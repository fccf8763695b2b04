/** MaxPool2d and AvgPool2d: window pooling over NCHW input (no padding), as PyTorch's layers. */
import { Tensor, avgPool2d, maxPool2d } from "../../core";
import { fmt } from "../../core/shape";
import { Module } from "../module";
import { checkInput } from "./common";
import { checkOptionKeys, pair } from "../../core/check";

/** Options of `MaxPool2d` / `AvgPool2d`. @example new nn.MaxPool2d(2, { stride: 2 }) */
export interface PoolLayerOptions {
  /** Step between windows: a number or [h, w]; defaults to the window size, as PyTorch. */
  stride?: number | [number, number];
}

abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];

  constructor(
    private readonly layer: string,
    k: number | [number, number],
    opts: PoolLayerOptions,
  ) {
    super();
    this.kernelSize = pair(k, layer, "kernel size", 1);
    checkOptionKeys(layer, opts, ["stride"]);
    this.stride = opts.stride === undefined ? this.kernelSize : pair(opts.stride, layer, "stride", 1);
  }

  /** Throws, naming the layer, unless `x` is a 4-D NCHW tensor. */
  protected check(x: Tensor): void {
    checkInput(x, this.layer);
    const [kh, kw] = this.kernelSize;
    if (x.rank !== 4 || x.shape[2] < kh || x.shape[3] < kw) {
      throw new Error(`${this.layer}: expected 4-D NCHW input at least ${kh}x${kw} in its last two dims, got ${fmt(x.shape)}`);
    }
  }

  toString(): string {
    return `${this.layer}(kernelSize=[${this.kernelSize}], stride=[${this.stride}])`;
  }
}

/**
 * Max over each k×k window. [N, C, H, W] → [N, C, floor((H−kh)/sh)+1, floor((W−kw)/sw)+1].
 * @example new MaxPool2d(2).call(randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class MaxPool2d extends Pool2d {
  constructor(k: number | [number, number], opts: PoolLayerOptions = {}) {
    super("MaxPool2d", k, opts);
  }

  forward(x: Tensor): Tensor {
    this.check(x);
    return maxPool2d(x, this.kernelSize, { stride: this.stride });
  }
}

/**
 * Mean over each k×k window (same output shape as MaxPool2d).
 * @example new AvgPool2d(2, { stride: 1 }).call(randn([1, 3, 8, 8])).shape // [1, 3, 7, 7]
 */
export class AvgPool2d extends Pool2d {
  constructor(k: number | [number, number], opts: PoolLayerOptions = {}) {
    super("AvgPool2d", k, opts);
  }

  forward(x: Tensor): Tensor {
    this.check(x);
    return avgPool2d(x, this.kernelSize, { stride: this.stride });
  }
}
