/**
 * Randomized op tests: for every op, random shapes (size-1, broadcast and empty dims where
 * defined) and random values; forward against float64 reference loops written here (index
 * arithmetic only, independent of the kernels), in float64 and float32; backward with gradCheck.
 * A failure names the seed and the shrunk case. `NDGRAD_FUZZ_RUNS=2000 npm test` runs more.
 */
import * as nd from "../../core";
import { Tensor } from "../../core";
import { Arr, Rng, Spec, arr, at, atB, bshape, erf, forEachIndex, fuzz, sizeOf, RUNS } from "./fuzz-support";

const positive = (v: number) => Math.abs(v) + 0.3;
const awayFrom =
  (points: number[], gap = 0.02) =>
  (v: number) => {
    for (const c of points) if (Math.abs(v - c) < gap) return v + 3 * gap;
    return v;
  };

/** A random shape of rank lo..hi with dims in [minDim, maxDim]. */
function randShape(r: Rng, lo: number, hi: number, maxDim = 4, pEmpty = 0): number[] {
  const rank = r.int(lo, hi);
  return Array.from({ length: rank }, () => (r.bool(pEmpty) ? 0 : r.bool(0.25) ? 1 : r.int(1, maxDim)));
}

/** A shape broadcast-compatible with `full`: a suffix of it with some dims set to 1 (masks kept in p). */
function broadcastMask(r: Rng, rank: number): { drop: number; ones: boolean[] } {
  return { drop: r.bool(0.3) ? r.int(0, rank) : 0, ones: Array.from({ length: rank }, () => r.bool(0.3)) };
}
function applyMask(dims: number[], m: { drop: number; ones: boolean[] }): number[] {
  return dims.map((d, i) => (m.ones[i] ? 1 : d)).slice(Math.min(m.drop, dims.length));
}

// ---------------------------------------------------------------- unary

type UnaryP = { which: string; lo?: number; hi?: number };
const UNARY: Record<string, { f: (x: number, p: UnaryP) => number; op: (t: Tensor, p: UnaryP) => Tensor; domain?: (v: number) => number }> = {
  neg: { f: (x) => -x, op: (t) => nd.neg(t) },
  exp: { f: Math.exp, op: (t) => nd.exp(t) },
  log: { f: Math.log, op: (t) => nd.log(t), domain: positive },
  sqrt: { f: Math.sqrt, op: (t) => nd.sqrt(t), domain: positive },
  abs: { f: Math.abs, op: (t) => nd.abs(t), domain: awayFrom([0]) },
  square: { f: (x) => x * x, op: (t) => nd.square(t) },
  tanh: { f: Math.tanh, op: (t) => nd.tanh(t) },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), op: (t) => nd.sigmoid(t) },
  relu: { f: (x) => (x > 0 ? x : 0), op: (t) => nd.relu(t), domain: awayFrom([0]) },
  softplus: { f: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), op: (t) => nd.softplus(t) },
  gelu: { f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), op: (t) => nd.gelu(t) },
  geluTanh: { f: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))), op: (t) => nd.gelu(t, { approximate: "tanh" }) },
  clip: { f: (x, p) => Math.min(Math.max(x, p.lo!), p.hi!), op: (t, p) => nd.clip(t, p.lo!, p.hi!) },
  "method chain x.mul(x).add(1).log()": { f: (x) => Math.log(x * x + 1), op: (t) => t.mul(t).add(1).log() },
};

const unarySpecs: Spec<UnaryP>[] = Object.entries(UNARY).map(([which, u]) => ({
  name: which,
  minDim: 0,
  gen: (r) => {
    const lo = +(r.normal() * 0.8).toFixed(2);
    return { dims: randShape(r, 0, 4, 4, 0.08), p: { which, lo, hi: lo + +(r.next() * 1.5).toFixed(2) } };
  },
  shapes: (dims) => [dims],
  // clip's kinks (lo, hi) are kept away from the finite-difference stencil like relu's and abs's 0
  domain: (v, _i, p) => (which === "clip" ? awayFrom([p.lo!, p.hi!])(v * 1.5) : u.domain ? u.domain(v * 1.5) : v * 1.5),
  ref: ([x], _d, p) => ({ shape: x.shape, data: x.data.map((v) => u.f(v, p)) }),
  op: ([x], _d, p) => u.op(x, p),
  tol32: which === "exp" || which === "method chain x.mul(x).add(1).log()" ? 5 : 1,
}));
// ---------------------------------------------------------------- binary (broadcast)

type BinP = { ma: { drop: number; ones: boolean[] }; mb: { drop: number; ones: boolean[] }; scalarB?: number };
const BINARY: Record<
  string,
  { f: (a: number, b: number) => number; op: (a: Tensor, b: Tensor | number) => Tensor; domain?: (v: number, i: number) => number }
> = {
  add: { f: (a, b) => a + b, op: (a, b) => nd.add(a, b) },
  sub: { f: (a, b) => a - b, op: (a, b) => nd.sub(a, b) },
  mul: { f: (a, b) => a * b, op: (a, b) => nd.mul(a, b) },
  div: { f: (a, b) => a / b, op: (a, b) => nd.div(a, b), domain: (v, i) => (i === 1 ? Math.sign(v || 1) * (Math.abs(v) + 0.5) : v) },
  pow: { f: Math.pow, op: (a, b) => nd.pow(a, b), domain: (v, i) => (i === 0 ? Math.abs(v) + 0.3 : v) },
  maximum: { f: Math.max, op: (a, b) => nd.maximum(a, b) },
  minimum: { f: Math.min, op: (a, b) => nd.minimum(a, b) },
};

function binarySpec(which: string, withScalar: boolean): Spec<BinP> {
  const b = BINARY[which];
  return {
    name: `${which}${withScalar ? " (JS number operand)" : " (broadcast)"}`,
    minDim: 0,
    gen: (r) => {
      const dims = randShape(r, 0, 4, 4, 0.06);
      const p: BinP = { ma: broadcastMask(r, dims.length), mb: broadcastMask(r, dims.length) };
      if (withScalar) p.scalarB = +(b.domain ? b.domain(r.normal(), 1) : r.normal()).toFixed(3);
      if (r.bool(0.5)) [p.ma, p.mb] = [p.mb, p.ma];
      return { dims, p };
    },
    shapes: (dims, p) => (withScalar ? [applyMask(dims, p.ma)] : [applyMask(dims, p.ma), applyMask(dims, p.mb)]),
    domain: (v, i) => (b.domain ? b.domain(v, i) : v),
    ref: (xs, _d, p) => {
      const [x, y] = withScalar ? [xs[0], { shape: [], data: Float64Array.of(p.scalarB!) }] : xs;
      const s = bshape(x.shape, y.shape);
      return arr(s, (idx) => b.f(atB(x, idx), atB(y, idx)));
    },
    op: (xs, _d, p) => (withScalar ? b.op(xs[0], p.scalarB!) : b.op(xs[0], xs[1])),
    tol32: which === "pow" ? 10 : 1,
  };
}
const binarySpecs = Object.keys(BINARY).flatMap((w) => [binarySpec(w, false), binarySpec(w, true)]);

// comparisons and where: forward only for comparisons (discrete values so equality happens)
const CMP: Record<string, (a: number, b: number) => boolean> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
};
const cmpSpecs: Spec<BinP>[] = Object.entries(CMP).map(([which, f]) => ({
  ...binarySpec("add", false),
  name: which,
  domain: (v) => Math.round(v),
  ref: ([x, y]) => arr(bshape(x.shape, y.shape), (idx) => (f(atB(x, idx), atB(y, idx)) ? 1 : 0)),
  op: ([x, y]) => (nd as unknown as Record<string, (a: Tensor, b: Tensor) => Tensor>)[which](x, y),
  grad: false,
}));

type WhereP = { m: { drop: number; ones: boolean[] }[] };
const whereSpec: Spec<WhereP> = {
  name: "where (3-way broadcast)",
  minDim: 0,
  gen: (r) => {
    const dims = randShape(r, 0, 3, 4, 0.05);
    return { dims, p: { m: [0, 1, 2].map(() => broadcastMask(r, dims.length)) } };
  },
  shapes: (dims, p) => p.m.map((m) => applyMask(dims, m)),
  domain: (v, i) => (i === 0 ? (v > 0.3 ? 1 : v < -0.3 ? -2 : 0) : v),
  ref: ([c, a, b]) => arr(bshape(c.shape, a.shape, b.shape), (idx) => (atB(c, idx) !== 0 ? atB(a, idx) : atB(b, idx))),
  op: ([c, a, b]) => nd.where(c, a, b),
};

// ---------------------------------------------------------------- reductions

type RedP = { which: string; axis?: number | number[]; keepDims: boolean };
const REDUCE: Record<
  string,
  { init: number; step: (acc: number, v: number) => number; fin: (acc: number, n: number, vals: number[]) => number; emptyThrows?: boolean }
> = {
  sum: { init: 0, step: (a, v) => a + v, fin: (a) => a },
  mean: { init: 0, step: (a, v) => a + v, fin: (a, n) => a / n },
  max: { init: -Infinity, step: Math.max, fin: (a) => a, emptyThrows: true },
  min: { init: Infinity, step: Math.min, fin: (a) => a, emptyThrows: true },
  logsumexp: {
    init: 0,
    step: (a) => a,
    fin: (_a, _n, vals) => {
      if (vals.length === 0) return -Infinity;
      const m = Math.max(...vals);
      return m + Math.log(vals.reduce((s, v) => s + Math.exp(v - m), 0));
    },
  },
};

function reduceRef(x: Arr, p: RedP): Arr | RegExp {
  const rank = x.shape.length;
  const axes = p.axis === undefined ? x.shape.map((_, i) => i) : (typeof p.axis === "number" ? [p.axis] : p.axis).map((a) => (a < 0 ? a + rank : a));
  const red = REDUCE[p.which];
  if (red.emptyThrows && axes.some((a) => x.shape[a] === 0)) return new RegExp(`${p.which}: cannot reduce over axis \\d+ of size 0`);
  const outFull = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groups = new Map<string, number[]>();
  forEachIndex(outFull, (idx) => groups.set(idx.join(","), []));
  forEachIndex(x.shape, (idx) => groups.get(idx.map((v, i) => (axes.includes(i) ? 0 : v)).join(","))!.push(at(x, idx)));
  const shape = p.keepDims ? outFull : x.shape.filter((_, i) => !axes.includes(i));
  const out = arr(shape);
  let k = 0;
  for (const vals of groups.values())
    out.data[k++] = red.fin(
      vals.reduce((acc, v) => red.step(acc, v), red.init),
      vals.length,
      vals,
    );
  return out;
}

const reduceSpecs: Spec<RedP>[] = Object.keys(REDUCE).map((which) => ({
  name: `${which} (random axes, keepDims)`,
  minDim: 0,
  gen: (r) => {
    const dims = randShape(r, 0, 4, 4, 0.1);
    const rank = dims.length;
    let axis: number | number[] | undefined;
    const mode = r.int(0, 2);
    if (mode === 1 && rank > 0) axis = r.int(-rank, rank - 1);
    else if (mode === 2 && rank > 0)
      axis = Array.from({ length: rank }, (_, i) => i)
        .filter(() => r.bool())
        .map((a) => (r.bool() ? a - rank : a));
    return { dims, p: { which, axis, keepDims: r.bool() } };
  },
  shapes: (dims) => [dims],
  ref: ([x], _d, p) => reduceRef(x, p),
  op: ([x], _d, p) => (nd as unknown as Record<string, (t: Tensor, o: object) => Tensor>)[which](x, { axis: p.axis, keepDims: p.keepDims }),
  tol32: 3,
}));

// ---------------------------------------------------------------- matmul

type MmP = { rankA: number; rankB: number; ma: boolean[]; mb: boolean[] };
const matmulSpec: Spec<MmP> = {
  name: "matmul (1-D, 2-D, batched, broadcast batch)",
  gen: (r) => {
    const big = r.bool(0.15); // cross the GEMM's tile edges sometimes (forward only: too big for gradCheck)
    const dim = () => (big ? r.int(1, 37) : r.int(1, 5));
    const batch = r.int(0, 2);
    // dims: [m, k, n, b0, b1]
    const dims = [dim(), dim(), dim(), r.int(1, 3), r.int(1, 3)];
    const rankA = r.pick([1, 2, 2 + batch]);
    const rankB = r.pick([1, 2, 2 + batch]);
    return { dims, p: { rankA, rankB, ma: [r.bool(0.3), r.bool(0.3)], mb: [r.bool(0.3), r.bool(0.3)] } };
  },
  shapes: ([m, k, n, b0, b1], p) => {
    const batch = (mask: boolean[], rank: number) => [b0, b1].map((b, i) => (mask[i] ? 1 : b)).slice(4 - rank);
    const a = p.rankA === 1 ? [k] : [...batch(p.ma, p.rankA), m, k];
    const b = p.rankB === 1 ? [k] : [...batch(p.mb, p.rankB), k, n];
    return [a, b];
  },
  ref: ([a, b]) => {
    // NumPy matmul: 1-D a is [1, k] (dim removed after), 1-D b is [k, 1] (dim removed after)
    const A = a.shape.length === 1 ? { shape: [1, a.shape[0]], data: a.data } : a;
    const B = b.shape.length === 1 ? { shape: [b.shape[0], 1], data: b.data } : b;
    const ba = A.shape.slice(0, -2);
    const bb = B.shape.slice(0, -2);
    const batch = bshape(ba, bb);
    const m = A.shape[A.shape.length - 2];
    const k = A.shape[A.shape.length - 1];
    const n = B.shape[B.shape.length - 1];
    const full = arr([...batch, m, n], (idx) => {
      const bi = idx.slice(0, -2);
      let s = 0;
      for (let t = 0; t < k; t++) s += atB(A, [...bi, idx[idx.length - 2], t]) * atB(B, [...bi, t, idx[idx.length - 1]]);
      return s;
    });
    let shape = full.shape;
    if (a.shape.length === 1) shape = [...shape.slice(0, -2), shape[shape.length - 1]];
    if (b.shape.length === 1) shape = shape.slice(0, -1);
    return { shape, data: full.data };
  },
  op: ([a, b]) => nd.matmul(a, b),
  tol32: 5,
};

// ---------------------------------------------------------------- layout

type LayoutP = {
  kind: string;
  rank: number;
  perm?: number[];
  axis?: number;
  count?: number;
  begin?: number[];
  size?: number[];
  target?: number[];
  useNeg?: boolean;
  m?: { drop: number; ones: boolean[] };
};
function permute<T>(r: Rng, xs: T[]): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const layoutSpecs: Spec<LayoutP>[] = [
  {
    name: "reshape (with and without -1)",
    minDim: 0,
    gen: (r) => ({ dims: randShape(r, 0, 4, 4, 0.05), p: { kind: "reshape", rank: 0, useNeg: r.bool(), perm: [] } }),
    shapes: (dims) => [dims],
    ref: ([x]) => x, // values unchanged; the target shape is computed from the case below
    op: ([x]) => x, // replaced below
  },
  {
    name: "transpose (random perm or none)",
    minDim: 0,
    gen: (r) => {
      const dims = randShape(r, 0, 4, 4, 0.05);
      return {
        dims,
        p: {
          kind: "transpose",
          rank: dims.length,
          perm: r.bool(0.3)
            ? undefined
            : permute(
                r,
                dims.map((_, i) => i),
              ),
        },
      };
    },
    shapes: (dims) => [dims],
    ref: ([x], _d, p) => {
      const perm = p.perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
      return arr(
        perm.map((a) => x.shape[a]),
        (idx) => {
          const src = new Array<number>(idx.length);
          perm.forEach((a, i) => (src[a] = idx[i]));
          return at(x, src);
        },
      );
    },
    op: ([x], _d, p) => nd.transpose(x, p.perm),
  },
  {
    name: "flatten(startAxis)",
    minDim: 0,
    gen: (r) => {
      const dims = randShape(r, 1, 4, 4, 0.05);
      return { dims, p: { kind: "flatten", rank: dims.length, axis: r.int(0, dims.length - 1) } };
    },
    shapes: (dims) => [dims],
    ref: ([x], _d, p) => ({ shape: [...x.shape.slice(0, p.axis), sizeOf(x.shape.slice(p.axis))], data: x.data }),
    op: ([x], _d, p) => nd.flatten(x, p.axis),
  },
  {
    name: "squeeze / unsqueeze",
    gen: (r) => {
      const dims = randShape(r, 0, 4, 3).map((d) => (r.bool(0.4) ? 1 : d));
      const ones = dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
      const squeezeAxis = ones.length && r.bool() ? r.pick(ones) : undefined;
      return { dims, p: { kind: r.bool() ? "squeeze" : "unsqueeze", rank: dims.length, axis: squeezeAxis ?? r.int(-dims.length - 1, dims.length) } };
    },
    valid: (dims, p) =>
      p.kind === "unsqueeze" || p.axis === undefined || (p.axis >= 0 && p.axis < dims.length && dims[p.axis] === 1) || p.axis < 0 || p.axis >= dims.length,
    shapes: (dims) => [dims],
    ref: ([x], _d, p) => {
      if (p.kind === "unsqueeze") {
        const a = p.axis! < 0 ? p.axis! + x.shape.length + 1 : p.axis!;
        const s = x.shape.slice();
        s.splice(a, 0, 1);
        return { shape: s, data: x.data };
      }
      const a = p.axis!;
      if (a >= 0 && a < x.shape.length && x.shape[a] === 1) return { shape: x.shape.filter((_, i) => i !== a), data: x.data };
      return { shape: x.shape.filter((d) => d !== 1), data: x.data }; // squeeze(): all size-1 dims
    },
    op: ([x], _d, p) => {
      if (p.kind === "unsqueeze") return nd.unsqueeze(x, p.axis!);
      const a = p.axis!;
      return a >= 0 && a < x.rank && x.shape[a] === 1 ? nd.squeeze(x, a) : nd.squeeze(x);
    },
  },
  {
    name: "concat (parts of different sizes, empty parts)",
    minDim: 0,
    gen: (r) => {
      const dims = randShape(r, 1, 3, 3);
      const count = r.int(1, 3);
      return {
        dims: [...dims, ...Array.from({ length: count }, () => r.int(0, 3))],
        p: { kind: "concat", rank: dims.length, axis: r.int(-dims.length, dims.length - 1), count },
      };
    },
    valid: (dims, p) => dims.slice(0, p.rank).every((d) => d >= 1),
    shapes: (dims, p) => {
      const base = dims.slice(0, p.rank);
      const a = p.axis! < 0 ? p.axis! + p.rank : p.axis!;
      return dims.slice(p.rank).map((len) => base.map((d, i) => (i === a ? len : d)));
    },
    ref: (xs, _d, p) => {
      const a = p.axis! < 0 ? p.axis! + p.rank : p.axis!;
      const shape = xs[0].shape.slice();
      shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
      return arr(shape, (idx) => {
        let i = idx[a];
        for (const x of xs) {
          if (i < x.shape[a])
            return at(
              x,
              idx.map((v, d) => (d === a ? i : v)),
            );
          i -= x.shape[a];
        }
        throw new Error("unreachable");
      });
    },
    op: (xs, _d, p) => nd.concat(xs, p.axis),
  },
  {
    name: "stack",
    minDim: 0,
    gen: (r) => {
      const dims = randShape(r, 0, 3, 3, 0.05);
      return { dims, p: { kind: "stack", rank: dims.length, count: r.int(1, 3), axis: r.int(-dims.length - 1, dims.length) } };
    },
    shapes: (dims, p) => Array.from({ length: p.count! }, () => dims),
    ref: (xs, _d, p) => {
      const a = p.axis! < 0 ? p.axis! + p.rank + 1 : p.axis!;
      const shape = xs[0].shape.slice();
      shape.splice(a, 0, xs.length);
      return arr(shape, (idx) =>
        at(
          xs[idx[a]],
          idx.filter((_, d) => d !== a),
        ),
      );
    },
    op: (xs, _d, p) => nd.stack(xs, p.axis),
  },
  {
    name: "slice (random begin/size, -1 = to the end)",
    minDim: 0,
    gen: (r) => {
      const dims = randShape(r, 1, 4, 5, 0.05);
      const begin = dims.map((d) => r.int(0, d));
      const size = dims.map((d, i) => (r.bool(0.25) ? -1 : r.int(0, d - begin[i])));
      return { dims, p: { kind: "slice", rank: dims.length, begin, size } };
    },
    valid: (dims, p) => dims.every((d, i) => p.begin![i] <= d && (p.size![i] === -1 || p.begin![i] + p.size![i] <= d)),
    shapes: (dims) => [dims],
    ref: ([x], _d, p) => {
      const size = p.size!.map((s, i) => (s === -1 ? x.shape[i] - p.begin![i] : s));
      return arr(size, (idx) =>
        at(
          x,
          idx.map((v, i) => v + p.begin![i]),
        ),
      );
    },
    op: ([x], _d, p) => nd.slice(x, p.begin!, p.size!),
  },
  {
    name: "broadcastTo",
    minDim: 0,
    gen: (r) => {
      const dims = randShape(r, 0, 4, 4, 0.05);
      return { dims, p: { kind: "broadcastTo", rank: dims.length, m: broadcastMask(r, dims.length) } };
    },
    shapes: (dims, p) => [applyMask(dims, p.m!)],
    ref: ([x], dims) => arr(dims, (idx) => atB(x, idx)),
    op: ([x], dims) => nd.broadcastTo(x, dims),
  },
];
// reshape: a random target of the same size (factor the size over a random rank), maybe with one -1
{
  const s = layoutSpecs[0];
  const target = (dims: number[], p: LayoutP): number[] => {
    const n = sizeOf(dims);
    const r = new Rng(n * 31 + dims.length * 7 + (p.useNeg ? 1 : 0));
    const out: number[] = [];
    let rest = n;
    const rank = r.int(0, 4);
    for (let i = 0; i < rank - 1 && rest > 0; i++) {
      const divs = Array.from({ length: rest }, (_, k) => k + 1).filter((d) => rest % d === 0);
      const d = r.pick(divs);
      out.push(d);
      rest /= d;
    }
    if (n === 0) out.push(0, ...(r.bool() ? [3] : []));
    else if (rank > 0 || rest !== 1) out.push(rest);
    return out;
  };
  s.ref = ([x], dims, p) => ({ shape: target(dims, p), data: x.data });
  s.op = ([x], dims, p) => {
    const t = target(dims, p);
    const k = t.findIndex((d) => d !== 0);
    return nd.reshape(x, p.useNeg && k >= 0 ? t.map((d, i) => (i === k ? -1 : d)) : t);
  };
}

// ---------------------------------------------------------------- softmax family

type SmP = { axis: number; log: boolean };
const softmaxSpec: Spec<SmP> = {
  name: "softmax / logSoftmax (random axis)",
  gen: (r) => {
    const dims = randShape(r, 1, 4, 4);
    return { dims, p: { axis: r.int(-dims.length, dims.length - 1), log: r.bool() } };
  },
  shapes: (dims) => [dims],
  domain: (v) => v * 3,
  ref: ([x], _d, p) => {
    const a = p.axis < 0 ? p.axis + x.shape.length : p.axis;
    return arr(x.shape, (idx) => {
      let m = -Infinity;
      for (let j = 0; j < x.shape[a]; j++)
        m = Math.max(
          m,
          at(
            x,
            idx.map((v, d) => (d === a ? j : v)),
          ),
        );
      let s = 0;
      for (let j = 0; j < x.shape[a]; j++)
        s += Math.exp(
          at(
            x,
            idx.map((v, d) => (d === a ? j : v)),
          ) - m,
        );
      const v = at(x, idx) - m;
      return p.log ? v - Math.log(s) : Math.exp(v) / s;
    });
  },
  op: ([x], _d, p) => (p.log ? nd.logSoftmax(x, p.axis) : nd.softmax(x, p.axis)),
};

// ---------------------------------------------------------------- conv and pooling

type ConvP = { stride: [number, number]; padding: [number, number]; bias: boolean; asNumber: boolean };
const convSpec: Spec<ConvP> = {
  name: "conv2d (stride, padding, bias)",
  // dims: [N, C, H, W, O, KH, KW]
  gen: (r) => ({
    dims: [r.int(1, 2), r.int(1, 3), r.int(1, 6), r.int(1, 6), r.int(1, 3), r.int(1, 3), r.int(1, 3)],
    p: { stride: [r.int(1, 3), r.int(1, 3)], padding: [r.int(0, 2), r.int(0, 2)], bias: r.bool(), asNumber: r.bool(0.3) },
  }),
  valid: ([, , H, W, , KH, KW], p) => H + 2 * p.padding[0] >= KH && W + 2 * p.padding[1] >= KW,
  shapes: ([N, C, H, W, O, KH, KW], p) => [[N, C, H, W], [O, C, KH, KW], ...(p.bias ? [[O]] : [])],
  ref: ([x, w, b], _d, p) => {
    const [N, C, H, W] = x.shape;
    const [O, , KH, KW] = w.shape;
    const [sh, sw] = p.asNumber ? [p.stride[0], p.stride[0]] : p.stride;
    const [ph, pw] = p.asNumber ? [p.padding[0], p.padding[0]] : p.padding;
    const OH = Math.floor((H + 2 * ph - KH) / sh) + 1;
    const OW = Math.floor((W + 2 * pw - KW) / sw) + 1;
    return arr([N, O, OH, OW], ([n, o, i, j]) => {
      let s = b ? b.data[o] : 0;
      for (let c = 0; c < C; c++)
        for (let u = 0; u < KH; u++)
          for (let v = 0; v < KW; v++) {
            const y = i * sh - ph + u;
            const xx = j * sw - pw + v;
            if (y >= 0 && y < H && xx >= 0 && xx < W) s += at(x, [n, c, y, xx]) * at(w, [o, c, u, v]);
          }
      return s;
    });
  },
  op: ([x, w, b], _d, p) => nd.conv2d(x, w, b, p.asNumber ? { stride: p.stride[0], padding: p.padding[0] } : { stride: p.stride, padding: p.padding }),
  tol32: 3,
};
// with asNumber the valid() check must use the first entries for both axes
convSpec.valid = ([, , H, W, , KH, KW], p) => {
  const [ph, pw] = p.asNumber ? [p.padding[0], p.padding[0]] : p.padding;
  return H + 2 * ph >= KH && W + 2 * pw >= KW;
};

type PoolP = { max: boolean; k: [number, number]; stride?: [number, number]; kAsNumber: boolean };
const poolSpec: Spec<PoolP> = {
  name: "maxPool2d / avgPool2d (kernel, stride)",
  gen: (r) => {
    const k: [number, number] = [r.int(1, 3), r.int(1, 3)];
    const kAsNumber = r.bool(0.4);
    if (kAsNumber) k[1] = k[0];
    return {
      dims: [r.int(1, 2), r.int(1, 3), r.int(1, 7), r.int(1, 7)],
      p: { max: r.bool(), k, stride: r.bool(0.4) ? undefined : [r.int(1, 3), r.int(1, 3)], kAsNumber },
    };
  },
  valid: ([, , H, W], p) => H >= p.k[0] && W >= p.k[1],
  shapes: (dims) => [dims],
  ref: ([x], _d, p) => {
    const [N, C, H, W] = x.shape;
    const [KH, KW] = p.k;
    const [sh, sw] = p.stride ?? p.k;
    const OH = Math.floor((H - KH) / sh) + 1;
    const OW = Math.floor((W - KW) / sw) + 1;
    return arr([N, C, OH, OW], ([n, c, i, j]) => {
      let m = -Infinity;
      let s = 0;
      for (let u = 0; u < KH; u++)
        for (let v = 0; v < KW; v++) {
          const val = at(x, [n, c, i * sh + u, j * sw + v]);
          m = Math.max(m, val);
          s += val;
        }
      return p.max ? m : s / (KH * KW);
    });
  },
  op: ([x], _d, p) => {
    const k = p.kAsNumber ? p.k[0] : p.k;
    return p.max ? nd.maxPool2d(x, k, { stride: p.stride }) : nd.avgPool2d(x, k, { stride: p.stride });
  },
};

// ---------------------------------------------------------------- dropout

type DropP = { p: number; seed: number; training: boolean };
/** Dropout has no value reference (the mask is random): each output is 0 or x/(1-p), a seed fixes the mask, gradCheck. */
function dropoutProperty(out: Tensor, x: Tensor, p: DropP): string | null {
  if (!p.training) return out.values.every((v, i) => v === x.values[i]) ? null : "eval mode changed values";
  const scale = p.p === 1 ? 0 : 1 / (1 - p.p);
  let kept = 0;
  for (let i = 0; i < x.size; i++) {
    const o = out.values[i];
    const want = x.values[i] * scale;
    if (!(o === 0 || Math.abs(o - want) <= 1e-6 * (1 + Math.abs(want)))) return `element ${i}: ${o} is neither 0 nor x/(1-p) = ${want}`;
    if (o !== 0) kept++;
  }
  if (p.p === 0 && kept !== x.values.filter((v) => v !== 0).length) return "p = 0 dropped elements";
  if (p.p === 1 && kept !== 0) return "p = 1 kept elements";
  const again = nd.dropout(x, p.p, true, { seed: p.seed });
  for (let i = 0; i < x.size; i++) if (again.values[i] !== out.values[i]) return `the same seed gave a different mask at ${i}`;
  return null;
}

function fuzzDropout(): void {
  const r = new Rng(99);
  for (let run = 0; run < RUNS; run++) {
    const dims = randShape(r, 0, 3, 5, 0.05);
    const p: DropP = { p: r.pick([0, 0.1, 0.5, 0.9, 1, +r.next().toFixed(3)]), seed: r.int(0, 1e6), training: r.bool(0.8) };
    const x = nd.randn(dims, { seed: run, dtype: run % 2 ? "float32" : "float64" });
    const err = dropoutProperty(nd.dropout(x, p.p, p.training, { seed: p.seed }), x, p);
    if (err) throw new Error(`dropout failed (run ${run}, dims ${JSON.stringify(dims)}, params ${JSON.stringify(p)}): ${err}`);
    if (x.size <= 60) {
      const gc = nd.gradCheck((t) => nd.dropout(t, p.p, p.training, { seed: p.seed }), [x]);
      if (!gc.ok) throw new Error(`dropout gradCheck failed (run ${run}, dims ${JSON.stringify(dims)}, params ${JSON.stringify(p)}): ${JSON.stringify(gc)}`);
    }
  }
}

// ---------------------------------------------------------------- run

const ALL: Spec<any>[] = [...unarySpecs, ...binarySpecs, ...cmpSpecs, whereSpec, ...reduceSpecs, matmulSpec, ...layoutSpecs, softmaxSpec, convSpec, poolSpec];

describe(`reliability: randomized ops vs float64 reference loops + gradCheck (${RUNS} cases each; NDGRAD_FUZZ_RUNS for more)`, function () {
  this.timeout(0);
  ALL.forEach((spec, i) => it(spec.name, () => fuzz(spec, i)));
  it("dropout (mask property, same seed same mask, gradCheck)", () => fuzzDropout());
});
