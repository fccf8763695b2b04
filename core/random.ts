/**
 * A small seeded generator (mulberry32 for uniforms, Box–Muller for normals), so that every
 * `randn`, `rand`, initializer and dropout mask is reproducible from a seed.
 */
export class Generator {
  private state: number;
  private spare: number | null = null;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new Error(`Generator: seed must be a finite number, got ${seed}`);
    this.state = seed >>> 0;
  }

  /**
   * The generator's whole state (plain JSON-safe numbers), to save and later `setState`:
   * the stream then continues exactly where it was (checkpoints, BackupAndRestore).
   * @example const s = g.getState(); const a = g.uniform(); g.setState(s); g.uniform() === a // true
   */
  getState(): GeneratorState {
    return { state: this.state, spare: this.spare };
  }

  /** Restores a `getState()` result (validated first: a rejected state changes nothing). */
  setState(s: GeneratorState): void {
    const ok =
      typeof s === "object" &&
      s !== null &&
      Number.isInteger(s.state) &&
      s.state >= 0 &&
      s.state <= 0xffffffff &&
      (s.spare === null || (typeof s.spare === "number" && Number.isFinite(s.spare)));
    if (!ok)
      throw new Error(
        `Generator.setState: expected { state: a uint32, spare: a finite number or null } from getState(), got ${typeof s === "object" && s !== null ? `{ state: ${String(s.state)}, spare: ${String(s.spare)} }` : String(s)}`,
      );
    this.state = s.state;
    this.spare = s.spare;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal via Box–Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform(); // log(0) would give -Infinity
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}

/** What `Generator.getState()` returns. */
export interface GeneratorState {
  state: number;
  spare: number | null;
}

let global = new Generator(0);

/**
 * Seeds the global generator used when no `seed` option is given.
 * @example manualSeed(42); const a = randn([2, 2]); manualSeed(42); // randn([2, 2]) equals a again
 */
export function manualSeed(seed: number): void {
  global = new Generator(seed);
}

/** The generator for an op: a fresh one from `seed` if given, else the global one. */
export function generatorFor(seed?: number): Generator {
  return seed === undefined ? global : new Generator(seed);
}
