/**
 * A grid of small greyscale images (MNIST digits) as one SVG, each image a tiny embedded PNG,
 * with an optional caption under each: the label, or the prediction and the label, in red when
 * they differ.
 */
import type { Tensor } from "../core";
import { pngDataUri } from "./png";
import { esc } from "./svg";

/** Options of `imageGrid`: which images, columns, scale, and labels/predictions to caption them with. @example imageGrid(x, { cols: 10, labels: y }) */
export interface ImageGridOptions {
  /** which images to draw (default: the first `max`) */
  indices?: number[];
  /** at most this many images (default 40) */
  max?: number;
  /** images per row (default 10) */
  cols?: number;
  /** pixels on screen per image pixel (default 2) */
  scale?: number;
  /** true labels, indexed like the images */
  labels?: ArrayLike<number>;
  /** predicted labels, indexed like the images; wrong ones are captioned in red */
  predictions?: ArrayLike<number>;
  /** class names, index = label (default: the label number) */
  classes?: string[];
  title?: string;
}

/** [n, 1, h, w], [n, h, w] or [n, h*w] (square) → n, h, w. */
function geometry(shape: readonly number[]): [number, number, number] {
  if (shape.length === 4 && shape[1] === 1) return [shape[0], shape[2], shape[3]];
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 2) {
    const side = Math.round(Math.sqrt(shape[1]));
    if (side * side === shape[1]) return [shape[0], side, side];
  }
  throw new Error(`imageGrid: images must be [n, 1, h, w], [n, h, w] or [n, h*w] with square images, got [${shape.join(", ")}]`);
}

/**
 * @example
 * const test = loadMnist("test", { subset: 20 });
 * fs.writeFileSync("digits.svg", imageGrid(test.x, { labels: test.y }));
 */
export function imageGrid(images: Tensor, opts: ImageGridOptions = {}): string {
  const [n, h, w] = geometry(images.shape);
  const indices = (opts.indices ?? [...Array(n).keys()]).slice(0, opts.max ?? 40);
  for (const i of indices) if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`imageGrid: index ${i} out of range for ${n} images`);
  const cols = Math.max(1, Math.min(opts.cols ?? 10, indices.length));
  const rows = Math.ceil(indices.length / cols);
  const scale = opts.scale ?? 2;
  const captioned = opts.labels !== undefined || opts.predictions !== undefined;
  const cellW = w * scale + 6;
  const cellH = h * scale + 6 + (captioned ? 14 : 0);
  const top = opts.title ? 24 : 4;
  const width = Math.max(cols * cellW + 4, opts.title ? opts.title.length * 7 + 8 : 0);
  const height = top + rows * cellH;
  const name = (k: number) => (opts.classes ? (opts.classes[k] ?? String(k)) : String(k));
  const v = images.values;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  ];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (opts.title) parts.push(`<text x="4" y="16" font-size="13" font-weight="bold">${esc(opts.title)}</text>`);
  indices.forEach((idx, k) => {
    // Each image scaled to its own min..max, drawn as dark ink on white.
    const off = idx * h * w;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < h * w; i++) {
      lo = Math.min(lo, v[off + i]);
      hi = Math.max(hi, v[off + i]);
    }
    const range = hi > lo ? hi - lo : 1;
    const px = new Uint8Array(h * w);
    for (let i = 0; i < h * w; i++) px[i] = 255 - Math.round(((v[off + i] - lo) / range) * 255);
    const x = 4 + (k % cols) * cellW;
    const y = top + Math.floor(k / cols) * cellH;
    const uri = pngDataUri(px, w, h, 1);
    parts.push(
      `<image x="${x}" y="${y}" width="${w * scale}" height="${h * scale}" image-rendering="pixelated" style="image-rendering:pixelated" href="${uri}" xlink:href="${uri}"/>`,
    );
    if (captioned) {
      const label = opts.labels?.[idx];
      const pred = opts.predictions?.[idx];
      const wrong = label !== undefined && pred !== undefined && label !== pred;
      const text = pred === undefined ? name(label!) : label === undefined ? name(pred) : wrong ? `${name(pred)} (is ${name(label)})` : name(pred);
      parts.push(`<text x="${x + (w * scale) / 2}" y="${y + h * scale + 12}" text-anchor="middle" fill="${wrong ? "#dc2626" : "#374151"}">${esc(text)}</text>`);
      if (wrong) parts.push(`<rect x="${x - 1}" y="${y - 1}" width="${w * scale + 2}" height="${h * scale + 2}" fill="none" stroke="#dc2626"/>`);
    }
  });
  parts.push("</svg>");
  return parts.join("\n");
}
