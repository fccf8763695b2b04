/** Sequential: a chain of modules, each fed the previous one's output (torch.nn.Sequential). */
import { Tensor } from "../../core";
import { Module } from "../module";
import { show } from "../../core/check";

/**
 * Runs its modules in order. Children are named "0", "1", ... so parameter names are
 * PyTorch's ("0.weight", "2.bias", "1.running_mean").
 * @example
 * const model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2));
 * model.add(new Dropout(0.1));
 * model.namedParameters().map(([n]) => n) // ["0.weight", "0.bias", "2.weight", "2.bias"]
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => this.add(m));
  }

  /** Appends a module under the next index; returns this for chaining. */
  add(module: Module): this {
    if (!(module instanceof Module)) {
      throw new Error(`Sequential: every entry must be a Module, got ${show(module)} at index ${this.length}`);
    }
    // Integer-like keys enumerate first and in numeric order, so namedChildren keeps the order.
    (this as unknown as Record<string, Module>)[String(this.length)] = module;
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    const children = this.namedChildren();
    const j = i < 0 ? children.length + i : i;
    if (!Number.isInteger(j) || j < 0 || j >= children.length) {
      throw new Error(`Sequential: index ${i} is out of range for ${children.length} modules`);
    }
    return children[j][1];
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const [, m] of this.namedChildren()) y = m.call(y);
    return y;
  }

  toString(): string {
    const lines = this.namedChildren().map(([k, m]) => `  (${k}): ${String(m)}`);
    return `Sequential(\n${lines.join("\n")}\n)`;
  }
}
