/** Parameter-free activation layers: ReLU, GELU, Tanh, Sigmoid (element-wise, any shape). */
import { Tensor, gelu, relu, sigmoid, tanh } from "../../core";
import { Module } from "../module";
import { checkInput } from "./common";
import { show } from "../../core/check";

/** max(x, 0). @example new ReLU().call(tensor([-1, 2])) // [0, 2] */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    checkInput(x, "ReLU");
    return relu(x);
  }
  toString(): string {
    return "ReLU()";
  }
}

/**
 * Gaussian error linear unit, exact erf form by default (PyTorch's default), or the tanh
 * approximation with `{ approximate: "tanh" }`.
 * @example new GELU().call(tensor([1])) // [0.8413]
 */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(opts: { approximate?: "none" | "tanh" } = {}) {
    super();
    const a = opts.approximate ?? "none";
    if (a !== "none" && a !== "tanh") throw new Error(`GELU: approximate must be "none" or "tanh", got ${show(a)}`);
    this.approximate = a;
  }
  forward(x: Tensor): Tensor {
    checkInput(x, "GELU");
    return gelu(x, { approximate: this.approximate });
  }
  toString(): string {
    return `GELU(approximate=${this.approximate})`;
  }
}

/** tanh(x). @example new Tanh().call(tensor([0])) // [0] */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    checkInput(x, "Tanh");
    return tanh(x);
  }
  toString(): string {
    return "Tanh()";
  }
}

/** 1 / (1 + e^-x). @example new Sigmoid().call(tensor([0])) // [0.5] */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    checkInput(x, "Sigmoid");
    return sigmoid(x);
  }
  toString(): string {
    return "Sigmoid()";
  }
}
