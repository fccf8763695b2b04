/**
 * Module: the base of every layer and model (PyTorch's nn.Module). Parameters, buffers and
 * sub-modules are found by walking the module's own properties in definition order, so a layer
 * only has to assign them: `this.weight = new Parameter(...)`, `this.body = new Sequential(...)`.
 * Names are dotted paths (`0.weight`, `block.1.running_mean`), as PyTorch's state dicts use.
 */
import { Tensor, Parameter } from "../core";
import { fmt, sameShape } from "../core/shape";

export abstract class Module {
  /** true in training mode (Dropout active, BatchNorm uses batch statistics). */
  training = true;
  /** Names of properties holding non-trainable state saved in the state dict (e.g. running_mean). */
  protected readonly bufferNames: string[] = [];
  /** The buffers among them that hold integers (counters such as num_batches_tracked). */
  protected readonly integerBufferNames: string[] = [];

  /** The computation. Subclasses implement it; callers use `call` (or `forward`). */
  abstract forward(x: Tensor): Tensor;

  /** Runs `forward`. @example const y = model.call(x); */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /**
   * Declares a tensor property as a buffer: saved and loaded with the state dict, never trained.
   * `integer: true` marks integer state (a counter, kept exact in a float64 tensor): it is written
   * to safetensors as I64, as PyTorch does, and only integer values load into it.
   */
  protected registerBuffer(name: string, value: Tensor, opts: { integer?: boolean } = {}): void {
    (this as unknown as Record<string, unknown>)[name] = value;
    if (!this.bufferNames.includes(name)) this.bufferNames.push(name);
    if (opts.integer === true && !this.integerBufferNames.includes(name)) this.integerBufferNames.push(name);
  }

  /**
   * The state-dict names of integer buffers (written as I64 by `saveWeights`).
   * @example new nn.Sequential(new nn.BatchNorm2d(4)).integerStateNames() // ["0.num_batches_tracked"]
   */
  integerStateNames(): string[] {
    const out: string[] = [];
    const walk = (m: Module, pre: string) => {
      for (const name of m.integerBufferNames) out.push(pre + name);
      for (const [key, child] of m.namedChildren()) walk(child, `${pre}${key}.`);
    };
    walk(this, "");
    return out;
  }

  /** Direct sub-modules with their property names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
    }
    return out;
  }

  /**
   * Every parameter with its dotted name, depth first in definition order (each parameter once).
   * @example model.namedParameters() // [["0.weight", p0], ["0.bias", p1], ...]
   */
  namedParameters(prefix = ""): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const walk = (m: Module, pre: string) => {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter && !seen.has(value)) {
          seen.add(value);
          out.push([pre + key, value]);
        } else if (value instanceof Module) {
          walk(value, `${pre}${key}.`);
        }
      }
    };
    walk(this, prefix);
    return out;
  }

  /** All parameters (trainable or not), in `namedParameters` order. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Buffers (running statistics and the like) with dotted names. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const self = this as unknown as Record<string, Tensor>;
    for (const name of this.bufferNames) out.push([prefix + name, self[name]]);
    for (const [key, child] of this.namedChildren()) out.push(...child.namedBuffers(`${prefix}${key}.`));
    return out;
  }

  /** Switches this module and all sub-modules to training mode. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  /** Switches to evaluation mode (Dropout off, BatchNorm uses running statistics). */
  eval(): this {
    return this.train(false);
  }

  /**
   * Parameters and buffers by dotted name (PyTorch names: "0.weight", "1.running_mean").
   * The tensors are the live ones; clone them to keep a snapshot.
   */
  stateDict(): Record<string, Tensor> {
    // PyTorch's order: each module's own parameters, then its own buffers, then its children.
    // The parameter names are namedParameters' (a shared parameter appears once).
    const params = new Map(this.namedParameters());
    const out: Record<string, Tensor> = {};
    const walk = (m: Module, pre: string) => {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Parameter && params.get(pre + key) === value) out[pre + key] = value;
      }
      const self = m as unknown as Record<string, Tensor>;
      for (const name of m.bufferNames) out[pre + name] = self[name];
      for (const [key, child] of m.namedChildren()) walk(child, `${pre}${key}.`);
    };
    walk(this, "");
    return out;
  }

  /**
   * Copies values from a state dict into this module's tensors, in place. Strict by default:
   * a missing or unexpected key, or a shape mismatch, throws and nothing is changed.
   * @example model.loadStateDict(other.stateDict())
   */
  loadStateDict(sd: Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new Error(`loadStateDict: state dict does not match the model: missing keys [${missing.join(", ")}], unexpected keys [${unexpected.join(", ")}]`);
    }
    const pairs = Object.keys(own).filter((k) => k in sd);
    const integer = new Set(this.integerStateNames());
    for (const k of pairs) {
      const src = sd[k];
      if (!(src instanceof Tensor)) throw new Error(`loadStateDict: "${k}" is not a Tensor`);
      if (!sameShape(src.shape, own[k].shape)) {
        throw new Error(`loadStateDict: "${k}" has shape ${fmt(src.shape)} in the state dict but ${fmt(own[k].shape)} in the model`);
      }
      if (integer.has(k)) {
        const bad = src.values.findIndex((v) => !Number.isInteger(v) || v < 0);
        if (bad >= 0) throw new Error(`loadStateDict: "${k}" is an integer counter but element ${bad} is ${src.values[bad]} (need a non-negative integer)`);
      }
    }
    for (const k of pairs) own[k].values.set(sd[k].values);
  }
}
