/**
 * Timing harness shared by every workload.
 *
 * Method (the one of docs/PERFORMANCE.md, in one process): every contender is warmed up
 * first, then the contenders take turns — round r runs `perRound` timed calls of each, in an
 * order rotated every round so neither side always runs right after the other (GC debt, caches,
 * turbo state). Each call is timed on its own with `process.hrtime.bigint()`, and the figure
 * reported is the **median** call; the spread is the min..max of the per-round medians.
 */

/** One side of a comparison. `activate` runs before each of its turns (tfjs: switch backend). */
export interface Contender {
  name: string;
  /** Called once before the warm-up; may allocate (its backend is already active). */
  setup?: () => void | Promise<void>;
  /** Called before every turn, e.g. `tf.setBackend(name)`. Not timed. */
  activate?: () => void | Promise<void>;
  /** Called once after the warm-up (slots created lazily by a first step exist by then). */
  settle?: () => void;
  /** One unit of work (one training step, one optimizer step, one product ...). Timed. */
  run: () => void;
  /** Warm-up calls for this contender (default: the plan's `warmup`). */
  warmup?: number;
  /** Timed calls per turn for this contender (default: the plan's `perRound`). */
  perRound?: number;
  /** Frees what setup made (runs with this contender's backend active). */
  teardown?: () => void | Promise<void>;
}

export interface TimingPlan {
  warmup: number;
  rounds: number;
  perRound: number;
}

export interface Timing {
  /** Median time of one call, ms. */
  ms: number;
  /** Min and max of the per-round medians, ms. */
  lo: number;
  hi: number;
  calls: number;
}

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Times every contender with the alternating method above. A contender whose setup or run throws
 * is dropped from the comparison and reported in `errors` (e.g. a kernel a backend lacks).
 */
export async function compare(contenders: Contender[], plan: TimingPlan): Promise<{ timings: Map<string, Timing>; errors: Map<string, string> }> {
  const errors = new Map<string, string>();
  const live: Contender[] = [];
  for (const c of contenders) {
    try {
      if (c.activate) await c.activate();
      if (c.setup) await c.setup();
      for (let i = 0; i < (c.warmup ?? plan.warmup); i++) c.run();
      if (c.settle) c.settle();
      live.push(c);
    } catch (e) {
      errors.set(c.name, firstLine(e));
      try {
        if (c.settle) c.settle();
        if (c.teardown) await c.teardown();
      } catch {
        /* already broken: nothing more to free */
      }
    }
  }
  const samples = new Map<string, number[]>(live.map((c) => [c.name, []]));
  const roundMedians = new Map<string, number[]>(live.map((c) => [c.name, []]));
  for (let r = 0; r < plan.rounds; r++) {
    for (let j = 0; j < live.length; j++) {
      const c = live[(r + j) % live.length];
      if (errors.has(c.name)) continue;
      if (c.activate) await c.activate();
      const mine: number[] = [];
      try {
        for (let i = 0; i < (c.perRound ?? plan.perRound); i++) {
          const t0 = nowMs();
          c.run();
          mine.push(nowMs() - t0);
        }
      } catch (e) {
        errors.set(c.name, firstLine(e));
        continue;
      }
      samples.get(c.name)!.push(...mine);
      roundMedians.get(c.name)!.push(median(mine));
    }
  }
  const timings = new Map<string, Timing>();
  for (const c of live) {
    if (c.activate) await c.activate();
    if (c.teardown) await c.teardown();
    if (errors.has(c.name)) continue;
    const s = samples.get(c.name)!;
    const rm = roundMedians.get(c.name)!;
    timings.set(c.name, { ms: median(s), lo: Math.min(...rm), hi: Math.max(...rm), calls: s.length });
  }
  return { timings, errors };
}

export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0].slice(0, 160);
}

/** Deterministic pseudo-random fill in [-scale, scale) (no dependence on either library's RNG). */
export function fillRandom(a: Float32Array, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return a;
}

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  return fillRandom(new Float32Array(n), seed, scale);
}

/** Labels 0..classes-1, deterministic. */
export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s >>> 16) % classes;
  }
  return out;
}
