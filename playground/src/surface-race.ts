/**
 * The race on a loss surface: one real ndgrad `Parameter` [x, y] (float64, so that Lion's
 * ±lr steps are exact to the last digits shown) per optimizer, all from the same start, all fed
 * the same noisy gradient stream. `step()` moves every runner once; a runner whose loss or
 * position stops being finite (or flies off beyond 1e6) is stopped and reported as diverged.
 */
import { Generator, Parameter, optim, tensor } from "ndgrad";
import type { Surface } from "./surfaces";
import { makeOptimizer } from "./optimizers";
import type { OptimizerSettings } from "./settings";

export interface Runner {
  id: string;
  settings: OptimizerSettings;
  param: Parameter;
  optimizer: optim.Optimizer;
  /** Visited points, [x0, y0, x1, y1, ...]; the start is the first. */
  path: number[];
  /** Loss minus the surface's minimum, per step (index 0 is the start). */
  losses: number[];
  /** The last step's change of [x, y], as measured on the parameter. */
  lastUpdate: [number, number];
  diverged: string | null;
}

/** Far enough outside every plot that coming back is not going to happen. */
const ESCAPE = 1e6;

/**
 * Every enabled optimizer on one surface, from one start.
 * @example const race = new SurfaceRace(surfaceById("saddle"), [lion, sgd], [-1.8, 0.02], 0, 0); race.step();
 */
export class SurfaceRace {
  readonly runners: Runner[];
  steps = 0;
  private readonly noiseGen: Generator;

  /** Builds every runner; throws ndgrad's message for an invalid hyper-parameter. */
  constructor(
    readonly surface: Surface,
    optimizers: OptimizerSettings[],
    readonly start: [number, number],
    readonly noise: number,
    seed: number,
  ) {
    this.noiseGen = new Generator(seed);
    this.runners = optimizers.map((o) => ({
      id: o.id,
      settings: o,
      param: new Parameter(tensor(start, { dtype: "float64" }), { name: `${o.id}_xy` }),
      optimizer: makeOptimizer(o),
      path: [start[0], start[1]],
      losses: [surface.value(start[0], start[1]) - surface.minValue],
      lastUpdate: [0, 0],
      diverged: null,
    }));
  }

  /** One step of every runner still running; returns the first divergence message of this step, if any. */
  step(): string | null {
    // One noise draw per step, shared: every optimizer sees the very same gradient noise.
    const scale = this.noise * this.surface.noiseScale;
    const nx = scale === 0 ? 0 : scale * this.noiseGen.normal();
    const ny = scale === 0 ? 0 : scale * this.noiseGen.normal();
    let message: string | null = null;
    for (const r of this.runners) {
      if (r.diverged) continue;
      const v = r.param.values;
      const x = v[0],
        y = v[1];
      const [gx, gy] = this.surface.gradient(x, y);
      r.optimizer.apply([tensor([gx + nx, gy + ny], { dtype: "float64" })], [r.param]);
      const nxv = v[0],
        nyv = v[1];
      r.lastUpdate = [nxv - x, nyv - y];
      const loss = this.surface.value(nxv, nyv) - this.surface.minValue;
      r.path.push(nxv, nyv);
      r.losses.push(loss);
      if (!Number.isFinite(loss) || !Number.isFinite(nxv) || !Number.isFinite(nyv) || Math.abs(nxv) > ESCAPE || Math.abs(nyv) > ESCAPE) {
        const what = Number.isFinite(loss) ? `its position reached (${nxv.toPrecision(3)}, ${nyv.toPrecision(3)})` : `its loss is ${loss}`;
        r.diverged = `${r.optimizer.className} diverged at step ${this.steps + 1} on ${this.surface.label}: ${what} (learning rate ${r.settings.lr}). Lower its learning rate, then press Reset.`;
        message ??= r.diverged;
      }
    }
    this.steps++;
    return message;
  }
}
