/**
 * Small SVG helpers shared by every picture in `examples/display` (line charts, contour plots,
 * image grids): escaping, round axis ticks, tick labels, the colour palette, and placing
 * several finished pictures side by side.
 */

/** Series colours, in order (colour-blind-friendly enough, and distinct in print). */
export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#db2777"];

/** Escapes text for SVG/HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (lo === hi) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A short tick label: plain for ordinary magnitudes, exponent form for tiny or huge ones. */
export function label(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : Number(v.toPrecision(4)).toString();
}

/**
 * The SVG without its XML prolog, DOCTYPE and leading comments (Graphviz writes all three): a
 * document fragment that can sit inside HTML. An `<?xml ... encoding="UTF-8"?>` prolog is what
 * makes `jupyter nbconvert --to html` fail ("Unicode strings with encoding declaration are not
 * supported").
 * @example svgFragment('<?xml version="1.0" encoding="UTF-8"?>\n<svg ...>') // '<svg ...>'
 */
export function svgFragment(svg: string): string {
  const start = svg.search(/<svg\b/);
  return start < 0 ? svg : svg.slice(start);
}

/** Width and height of a root `<svg width=".." height="..">`. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const num = (attr: string) => Number(new RegExp(`\\b${attr}="([\\d.]+)(?:pt|px)?"`).exec(root)?.[1] ?? NaN);
  const width = num("width");
  const height = num("height");
  if (!Number.isFinite(width) || !Number.isFinite(height)) throw new Error(`svgSize: the root <svg> needs numeric width and height, got ${root.slice(0, 120)}`);
  return { width, height };
}

/**
 * Several SVG pictures in one row (one SVG, so it can be saved as a single file), top-aligned
 * with `gap` pixels between them.
 * @example fs.writeFileSync("three.svg", sideBySide([plotA, plotB, plotC]));
 */
export function sideBySide(svgs: string[], gap = 8): string {
  if (svgs.length === 0) throw new Error("sideBySide: needs at least one SVG");
  const sizes = svgs.map(svgSize);
  const width = sizes.reduce((w, s) => w + s.width, 0) + gap * (svgs.length - 1);
  const height = Math.max(...sizes.map((s) => s.height));
  let x = 0;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  svgs.forEach((svg, i) => {
    // A nested <svg> keeps each picture's own coordinate system; drop any XML prolog or DOCTYPE.
    const body = svgFragment(svg);
    parts.push(body.replace(/<svg\b/, `<svg x="${x}" y="0"`));
    x += sizes[i].width + gap;
  });
  parts.push("</svg>");
  return parts.join("\n");
}
