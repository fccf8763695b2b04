/**
 * A decision boundary as a heatmap: P(class 1) on a grid (orange for class 0, blue for class 1,
 * pale where the model is unsure, so the 0.5 boundary is where the colour flips), and the data on top (training
 * points filled, test points as rings).
 */
import { DATA_VIEW, Split } from "./datasets";

const CLASS_RGB: [number, number, number][] = [
  [245, 147, 34],
  [8, 119, 189],
];

/**
 * Paints P(class 1) on an n×n grid over `canvas`, then the data on top.
 * @example drawDecision(canvas, race.probabilityGrid(c, 36), 36, race.data, scratchCanvas);
 */
export function drawDecision(canvas: HTMLCanvasElement, probs: Float32Array, n: number, data: Split, scratch: HTMLCanvasElement): void {
  if (scratch.width !== n) scratch.width = scratch.height = n;
  const sctx = scratch.getContext("2d")!;
  const img = sctx.createImageData(n, n);
  for (let k = 0; k < n * n; k++) {
    const p = probs[k],
      cls = p >= 0.5 ? 1 : 0,
      strength = Math.min(1, Math.abs(p - 0.5) * 2);
    const [r, g, b] = CLASS_RGB[cls];
    const w = 0.25 + 0.55 * strength; // never fully saturated: the points must stay readable
    img.data[4 * k] = 255 + w * (r - 255);
    img.data[4 * k + 1] = 255 + w * (g - 255);
    img.data[4 * k + 2] = 255 + w * (b - 255);
    img.data[4 * k + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  const ctx = canvas.getContext("2d")!;
  const S = canvas.width;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, S, S);
  const { x0, x1, y0, y1 } = DATA_VIEW;
  const px = (x: number) => ((x - x0) / (x1 - x0)) * S,
    py = (y: number) => ((y1 - y) / (y1 - y0)) * S;
  const dot = (x: Float32Array, y: Int32Array, filled: boolean) => {
    for (let i = 0; i < y.length; i++) {
      const [r, g, b] = CLASS_RGB[y[i]];
      ctx.beginPath();
      ctx.arc(px(x[2 * i]), py(x[2 * i + 1]), 2.6, 0, 2 * Math.PI);
      if (filled) {
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 0.8;
        ctx.stroke();
      } else {
        ctx.strokeStyle = `rgb(${r},${g},${b})`;
        ctx.lineWidth = 1.4;
        ctx.stroke();
      }
    }
  };
  dot(data.train.x, data.train.y, true);
  dot(data.test.x, data.test.y, false);
}
