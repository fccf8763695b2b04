/** Flatten: [N, d1, d2, ...] → [N, d1·d2·...], keeping the batch axis (torch.nn.Flatten()). */
import { Tensor } from "../../core";
import { fmt } from "../../core/shape";
import { Module } from "../module";
import { checkInput } from "./common";

/**
 * Flattens every axis after the first (the batch). Shares storage with its input.
 * @example new Flatten().call(zeros([8, 16, 4, 4])).shape // [8, 256]
 */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    checkInput(x, "Flatten");
    if (x.rank < 1) throw new Error(`Flatten: expected an input with a batch axis (rank >= 1), got ${fmt(x.shape)}`);
    // A 1-D input [N] becomes [N, 1] (PyTorch would reject it; a column is the useful reading).
    return x.reshape([x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)]);
  }

  toString(): string {
    return "Flatten()";
  }
}
