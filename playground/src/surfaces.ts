/**
 * The loss surfaces: two-parameter functions with their exact gradients. The playground trains
 * a real ndgrad `Parameter` of two float64 values on them; these functions only say what the
 * loss and its gradient are at a point (plain arithmetic, because the contour plot evaluates
 * the loss on tens of thousands of grid points a redraw, and because ndgrad has no `cos`).
 * test/playground/surfaces.test.ts checks every gradient against central differences.
 */

export interface Surface {
  id: string;
  label: string;
  /** Why this surface is interesting, shown under the plot. */
  lesson: string;
  value(x: number, y: number): number;
  gradient(x: number, y: number): [number, number];
  /** The plotted window. */
  view: { x0: number; x1: number; y0: number; y1: number };
  start: [number, number];
  /** The global minimum's value (the loss chart plots loss - minValue) and where it is. */
  minValue: number;
  minima: [number, number][];
  /** Gradient noise of slider value 1 has this standard deviation (the surfaces' gradients differ in scale). */
  noiseScale: number;
}

const rosenbrock: Surface = {
  id: "rosenbrock",
  label: "Rosenbrock",
  lesson: "a curved, flat-bottomed valley: finding it is easy, following it to (1, 1) is not.",
  value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  view: { x0: -2, x1: 2, y0: -1, y1: 3 },
  start: [-1.5, 2],
  minValue: 0,
  minima: [[1, 1]],
  noiseScale: 20,
};

function bealeTerms(x: number, y: number): [number, number, number] {
  return [1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y];
}

const beale: Surface = {
  id: "beale",
  label: "Beale",
  lesson: "flat plateaus and steep walls: gradient sizes differ by orders of magnitude across the plot.",
  value: (x, y) => {
    const [a, b, c] = bealeTerms(x, y);
    return a * a + b * b + c * c;
  },
  gradient: (x, y) => {
    const [a, b, c] = bealeTerms(x, y);
    return [2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1), 2 * a * x + 4 * b * x * y + 6 * c * x * y * y];
  },
  // The usual ±4.5 window, cropped to the part the runs visit (from this start all four reach
  // the minimum; from (−1, 1.5) they all slide off along the flat y ≈ 1 plateau to the left).
  view: { x0: -1, x1: 4.5, y0: -2.5, y1: 3 },
  start: [1, 1.5],
  minValue: 0,
  minima: [[3, 0.5]],
  noiseScale: 2,
};

// x² + y⁴/4 − y²: a saddle point at the origin between two minima at (0, ±√2). Bounded below,
// so every optimizer has somewhere to go; starting almost on the ridge (y ≈ 0) shows who escapes.
const saddle: Surface = {
  id: "saddle",
  label: "Saddle",
  lesson: "x² + y⁴/4 − y²: starting next to the ridge, the gradient along y is tiny; a sign update does not care how tiny.",
  value: (x, y) => x * x + (y * y * y * y) / 4 - y * y,
  gradient: (x, y) => [2 * x, y * y * y - 2 * y],
  view: { x0: -2, x1: 2, y0: -2, y1: 2 },
  start: [-1.8, 0.02],
  minValue: -1,
  minima: [
    [0, Math.SQRT2],
    [0, -Math.SQRT2],
  ],
  noiseScale: 0.5,
};

// ½(u² + 40 v²) in axes rotated by 30°: condition number 40, and not aligned with x and y, so
// per-coordinate methods (Adam's scaling, Lion's sign) cannot simply undo it.
const ANGLE = Math.PI / 6,
  COS = Math.cos(ANGLE),
  SIN = Math.sin(ANGLE),
  STIFF = 40;
const quadratic: Surface = {
  id: "quadratic",
  label: "Ill-conditioned quadratic",
  lesson: "½(u² + 40v²) in axes turned 30°: a narrow valley that is not lined up with the coordinates.",
  value: (x, y) => {
    const u = COS * x + SIN * y,
      v = -SIN * x + COS * y;
    return 0.5 * (u * u + STIFF * v * v);
  },
  gradient: (x, y) => {
    const u = COS * x + SIN * y,
      v = -SIN * x + COS * y;
    const gu = u,
      gv = STIFF * v;
    return [COS * gu - SIN * gv, SIN * gu + COS * gv];
  },
  view: { x0: -3, x1: 3, y0: -3, y1: 3 },
  start: [-2.5, 1.5],
  minValue: 0,
  minima: [[0, 0]],
  noiseScale: 2,
};

const TWO_PI = 2 * Math.PI;
const rastrigin: Surface = {
  id: "rastrigin",
  label: "Rastrigin",
  lesson:
    "a bowl covered in local minima. Without noise every optimizer stops in the nearest dip. Add gradient noise: SGD's steps grow with it and it hops between dips, while Lion's steps never exceed lr and Adam divides the noise out.",
  value: (x, y) => 20 + x * x - 10 * Math.cos(TWO_PI * x) + y * y - 10 * Math.cos(TWO_PI * y),
  gradient: (x, y) => [2 * x + 10 * TWO_PI * Math.sin(TWO_PI * x), 2 * y + 10 * TWO_PI * Math.sin(TWO_PI * y)],
  view: { x0: -5.12, x1: 5.12, y0: -5.12, y1: 5.12 },
  start: [-4.2, 3.8],
  minValue: 0,
  minima: [[0, 0]],
  // Large enough, at the slider's top, to rival the walls' gradients (up to ~65).
  noiseScale: 30,
};

/** Every surface by id, in menu order (`SURFACE_TABLE.beale.minima` is [[3, 0.5]]). */
export const SURFACE_TABLE: Record<string, Surface> = { rosenbrock, beale, saddle, quadratic, rastrigin };

/**
 * The surface with this id (the settings validated it).
 * @example surfaceById("rosenbrock").minima // [[1, 1]]
 */
export function surfaceById(id: string): Surface {
  const s = SURFACE_TABLE[id];
  if (!s) throw new Error(`surface: unknown surface "${id}"; allowed: ${Object.keys(SURFACE_TABLE).join(", ")}`);
  return s;
}
