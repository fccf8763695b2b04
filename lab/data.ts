/**
 * The lab's datasets, each split three ways. The validation split is carved out of the training
 * pool (a fixed permutation, `data.splitSeed`, default 0, the same for every run and seed), never
 * out of test; test is the dataset's own test set (MNIST: the first `test` images of t10k).
 *
 * `moons` and `spirals` are synthetic 2-d problems, generated from fixed seeds, fast enough for
 * tests. `registerDataset` adds others (in the process that runs them: `workers: 0`, or a module
 * the workers load).
 */
import { Tensor, Generator } from "ndgrad";
import { loadMnist, loadFashionMnist, hasFashionMnist } from "ndgrad/datasets";

/** One split: rows of `features` float32 values and integer labels. */
export interface Split {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** What a dataset gives a run: three splits and their shape. */
export interface LabData {
  train: Split;
  validation: Split;
  test: Split;
  /** Values per sample. */
  features: number;
  classes: number;
  /** 28x28 grey images (a CNN can take them as [n, 1, 28, 28]). */
  image: boolean;
}

/** The `data` part of a study. */
export interface DataSpec {
  dataset: string;
  train?: number;
  validation: number;
  test: number;
  /** Seed of the permutation that splits the training pool into train and validation (default 0). */
  splitSeed?: number;
  /** Synthetic sets only: standard deviation of the noise added to the points (default moons 0.2, spirals 0.15). */
  noise?: number;
}

/** A dataset the lab can use. */
export interface DatasetDef {
  image: boolean;
  /** Size of the training pool (train + validation), or null when any size can be generated. */
  pool: number | null;
  /** Size of the test set, or null when generated. */
  testPool: number | null;
  /** Why the dataset cannot be loaded here, or null when it can (checked before any run starts). */
  unavailable(): string | null;
  load(spec: DataSpec): LabData;
}

const registry = new Map<string, DatasetDef>();

/**
 * Makes a dataset usable in studies of this process under `name`.
 * @example registerDataset("tiny", { image: false, pool: null, testPool: null, unavailable: () => null, load: (s) => moons(s) });
 */
export function registerDataset(name: string, def: DatasetDef): void {
  registry.set(name, def);
}

/** @example datasetDef("mnist")?.pool // 60000 */
export function datasetDef(name: string): DatasetDef | undefined {
  return registry.get(name);
}

/** @example datasetNames() // ["mnist", "fashion-mnist", "moons", "spirals"] */
export function datasetNames(): string[] {
  return [...registry.keys()];
}

/** Splits a pool into train and validation with a fixed permutation (Fisher-Yates). */
function splitPool(x: Float32Array, y: Int32Array, features: number, spec: DataSpec): { train: Split; validation: Split } {
  const total = y.length;
  const order = Int32Array.from({ length: total }, (_, i) => i);
  const gen = new Generator(spec.splitSeed ?? 0);
  for (let i = total - 1; i > 0; i--) {
    const j = gen.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const nTrain = spec.train ?? total - spec.validation;
  return {
    validation: gather(x, y, features, order.subarray(0, spec.validation)),
    train: gather(x, y, features, order.subarray(spec.validation, spec.validation + nTrain)),
  };
}

/**
 * Copies the rows `rows` of (x, y) into a new split (whole-row `set`, no per-element access).
 * @example gather(x, y, 784, Int32Array.of(3, 1)).n // 2
 */
export function gather(x: Float32Array, y: Int32Array, features: number, rows: ArrayLike<number>): Split {
  const out = new Float32Array(rows.length * features);
  const labels = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    out.set(x.subarray(r * features, (r + 1) * features), i * features);
    labels[i] = y[r];
  }
  return { x: out, y: labels, n: rows.length };
}

function imageData(load: typeof loadMnist): (spec: DataSpec) => LabData {
  return (spec) => {
    const pool = load("train", { flatten: true });
    const test = load("test", { flatten: true, subset: spec.test });
    const { train, validation } = splitPool(pool.x.values as Float32Array, pool.y, 784, spec);
    return { train, validation, test: { x: test.x.values as Float32Array, y: test.y, n: test.y.length }, features: 784, classes: 10, image: true };
  };
}

registerDataset("mnist", { image: true, pool: 60000, testPool: 10000, unavailable: () => null, load: imageData(loadMnist) });
registerDataset("fashion-mnist", {
  image: true,
  pool: 60000,
  testPool: 10000,
  load: imageData(loadFashionMnist),
  unavailable: () => (hasFashionMnist() ? null : "Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)"),
});

/** Points of a synthetic 2-d problem: `point(gen, label)` draws one sample of class `label`. */
function synthetic(
  classes: number,
  point: (gen: Generator, label: number, noise: number) => [number, number],
  defaultNoise: number,
): (spec: DataSpec) => LabData {
  const make = (n: number, seed: number, noise: number): Split => {
    const gen = new Generator(seed);
    const x = new Float32Array(2 * n),
      y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % classes;
      const [a, b] = point(gen, label, noise);
      x[2 * i] = a;
      x[2 * i + 1] = b;
      y[i] = label;
    }
    return { x, y, n };
  };
  return (spec) => {
    const noise = spec.noise ?? defaultNoise,
      s = 1000 * (spec.splitSeed ?? 0);
    const nTrain = spec.train ?? 0;
    // Distinct streams per split: the three splits are independent draws from one distribution.
    return {
      train: make(nTrain, s + 1, noise),
      validation: make(spec.validation, s + 2, noise),
      test: make(spec.test, s + 3, noise),
      features: 2,
      classes,
      image: false,
    };
  };
}

/** sklearn's make_moons: two interleaving half circles, standardised to about zero mean. */
const moons = synthetic(
  2,
  (gen, label, noise) => {
    const t = Math.PI * gen.uniform();
    const [a, b] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    return [(a - 0.5) * 2 + noise * gen.normal(), (b - 0.25) * 2 + noise * gen.normal()];
  },
  0.2,
);

/** Three interleaved spiral arms. */
const spirals = synthetic(
  3,
  (gen, label, noise) => {
    const r = gen.uniform();
    const theta = 4 * r + (2 * Math.PI * label) / 3 + noise * gen.normal();
    return [2 * r * Math.cos(theta), 2 * r * Math.sin(theta)];
  },
  0.15,
);

registerDataset("moons", { image: false, pool: null, testPool: null, unavailable: () => null, load: moons });
registerDataset("spirals", { image: false, pool: null, testPool: null, unavailable: () => null, load: spirals });

/**
 * A batch of rows as a Tensor of shape [rows, ...sampleShape], plus its labels.
 * @example const { x, y } = batchOf(data.train, order.subarray(0, 64), [784]);
 */
export function batchOf(split: Split, rows: ArrayLike<number>, sampleShape: number[]): { x: Tensor; y: Int32Array } {
  const features = sampleShape.reduce((a, b) => a * b, 1);
  const b = gather(split.x, split.y, features, rows);
  return { x: new Tensor(b.x, [b.n, ...sampleShape]), y: b.y };
}
