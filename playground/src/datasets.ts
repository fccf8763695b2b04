/**
 * Two-class 2-D data sets (moons, circles, spirals, XOR, gaussian blobs), seeded, all inside
 * about [-1.5, 1.5]², with a shuffled train/test split. Noise follows scikit-learn's
 * make_moons/make_circles: a gaussian of that standard deviation added to each coordinate.
 */
import { Generator } from "ndgrad";

export interface Dataset2D {
  /** Row-major [n, 2] points. */
  x: Float32Array;
  /** Class 0 or 1 per point. */
  y: Int32Array;
}

export interface Split {
  train: Dataset2D;
  test: Dataset2D;
}

/** The plotted window of every data set (`DATA_VIEW.x0` is its left edge). */
export const DATA_VIEW = { x0: -1.6, x1: 1.6, y0: -1.6, y1: 1.6 };

type Maker = (i: number, cls: number, t: number, gen: Generator) => [number, number];

// Each maker turns (class, position t in [0, 1)) into a noiseless point.
const MAKERS: Record<string, Maker> = {
  moons: (_i, cls, t) => {
    const a = Math.PI * t;
    const [px, py] = cls === 0 ? [Math.cos(a), Math.sin(a)] : [1 - Math.cos(a), 0.5 - Math.sin(a)];
    return [(px - 0.5) / 1.2, (py - 0.25) / 1.2];
  },
  circles: (_i, cls, t) => {
    const a = 2 * Math.PI * t,
      r = cls === 0 ? 1 : 0.5;
    return [r * Math.cos(a), r * Math.sin(a)];
  },
  spirals: (_i, cls, t) => {
    const r = 0.1 + 0.95 * t,
      a = 3 * Math.PI * t + cls * Math.PI;
    return [r * Math.cos(a), r * Math.sin(a)];
  },
  xor: (_i, cls, _t, gen) => {
    // Quadrants (+,+)/(−,−) are class 0; a small margin keeps noiseless points off the axes.
    const u = 0.05 + 0.95 * gen.uniform(),
      v = 0.05 + 0.95 * gen.uniform();
    const flip = gen.uniform() < 0.5 ? 1 : -1;
    return cls === 0 ? [flip * u, flip * v] : [flip * u, -flip * v];
  },
  blobs: (_i, cls, _t, gen) => {
    const c = cls === 0 ? -0.5 : 0.5;
    return [c + 0.25 * gen.normal(), c + 0.25 * gen.normal()];
  },
};

/** The names `makeDataset` accepts: moons, circles, spirals, xor, blobs. */
export const DATASET_NAMES = Object.keys(MAKERS);

/**
 * `n` points (half per class) of data set `name` with gaussian noise `noise`.
 * @example makeDataset("moons", 200, 0.1, 0).y.length // 200
 */
export function makeDataset(name: string, n: number, noise: number, seed: number): Dataset2D {
  const make = MAKERS[name];
  if (!make) throw new Error(`makeDataset: unknown data set "${name}"; allowed: ${DATASET_NAMES.join(", ")}`);
  if (!Number.isInteger(n) || n < 2) throw new Error(`makeDataset: n must be a whole number of at least 2, got ${n}`);
  if (!Number.isFinite(noise) || noise < 0) throw new Error(`makeDataset: noise must be a number >= 0, got ${noise}`);
  const gen = new Generator(seed);
  const x = new Float32Array(2 * n),
    y = new Int32Array(n);
  const perClass = [Math.ceil(n / 2), Math.floor(n / 2)];
  let i = 0;
  for (let cls = 0; cls < 2; cls++) {
    for (let k = 0; k < perClass[cls]; k++, i++) {
      const [px, py] = make(i, cls, k / perClass[cls], gen);
      x[2 * i] = px + noise * gen.normal();
      x[2 * i + 1] = py + noise * gen.normal();
      y[i] = cls;
    }
  }
  return { x, y };
}

/**
 * A seeded Fisher-Yates permutation of 0..n-1.
 * @example permutation(5, new Generator(0)) // e.g. Int32Array [3, 0, 4, 1, 2]
 */
export function permutation(n: number, gen: Generator): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen.uniform() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

function take(d: Dataset2D, idx: Int32Array): Dataset2D {
  const x = new Float32Array(2 * idx.length),
    y = new Int32Array(idx.length);
  idx.forEach((j, k) => {
    x[2 * k] = d.x[2 * j];
    x[2 * k + 1] = d.x[2 * j + 1];
    y[k] = d.y[j];
  });
  return { x, y };
}

/**
 * Shuffles and splits: the first `round(n * trainFraction)` points (at least 1, at most n - 1) train.
 * @example splitDataset(makeDataset("xor", 100, 0, 0), 0.7, 1).train.y.length // 70
 */
export function splitDataset(d: Dataset2D, trainFraction: number, seed: number): Split {
  const n = d.y.length;
  const nTrain = Math.min(n - 1, Math.max(1, Math.round(n * trainFraction)));
  const p = permutation(n, new Generator(seed + 7919));
  return { train: take(d, p.subarray(0, nTrain)), test: take(d, p.subarray(nTrain)) };
}
