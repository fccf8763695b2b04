/**
 * The lab's models: "mlp" (one hidden layer of 128, so 784-128-10 on MNIST), "mlp-256-128"
 * (the hidden sizes, any number of layers), and "cnn" (conv8-pool-conv16-pool-linear, for
 * 28x28 images). A seed fixes every layer's initialisation.
 */
import { nn } from "ndgrad";
import { badValue } from "./show";

/** A parsed model name. */
export type ModelShape = { kind: "mlp"; hidden: number[] } | { kind: "cnn" };

/**
 * Parses a model name, throwing a lab error naming `where` when it is not one.
 * @example parseModel("mlp-256-128", true, "study.model") // { kind: "mlp", hidden: [256, 128] }
 */
export function parseModel(name: string, image: boolean, where = "model"): ModelShape {
  if (name === "cnn") {
    if (!image) badValue(where, `"mlp" or "mlp-H1-H2..." for a non-image dataset ("cnn" needs 28x28 images)`, name);
    return { kind: "cnn" };
  }
  const m = /^mlp((?:-[0-9]+)*)$/.exec(name);
  if (!m) badValue(where, `"mlp", "cnn" or hidden sizes such as "mlp-256-128"`, name);
  const hidden = m[1] ? m[1].slice(1).split("-").map(Number) : [128];
  if (hidden.some((h) => h < 1 || h > 65536)) badValue(where, "hidden sizes between 1 and 65536", name);
  return { kind: "mlp", hidden };
}

/**
 * The shape of one input sample for a model: [features] for an MLP, [1, 28, 28] for the CNN.
 * @example sampleShape({ kind: "cnn" }, 784) // [1, 28, 28]
 */
export function sampleShape(shape: ModelShape, features: number): number[] {
  return shape.kind === "cnn" ? [1, 28, 28] : [features];
}

/**
 * A freshly initialised model; layer k is seeded with 1000·seed + k.
 * @example const model = buildModel(parseModel("mlp", true), 784, 10, 0);
 */
export function buildModel(shape: ModelShape, features: number, classes: number, seed: number): nn.Module {
  let k = 0;
  const s = () => 1000 * seed + k++;
  if (shape.kind === "cnn") {
    return new nn.Sequential(
      new nn.Conv2d(1, 8, 3, { padding: 1, seed: s() }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 16, 3, { padding: 1, seed: s() }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(16 * 7 * 7, classes, { seed: s() }),
    );
  }
  const layers: nn.Module[] = [];
  let width = features;
  for (const h of shape.hidden) {
    layers.push(new nn.Linear(width, h, { seed: s() }), new nn.ReLU());
    width = h;
  }
  layers.push(new nn.Linear(width, classes, { seed: s() }));
  return new nn.Sequential(...layers);
}
