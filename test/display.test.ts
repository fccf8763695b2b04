/**
 * examples/display: the pictures shared by the notebooks and the examples' reports. Checked
 * without Jupyter or Graphviz (the notebooks themselves run in test/notebooks.test.ts).
 */
import { expect } from "chai";
import { inflateSync } from "zlib";
import { tensor, randn } from "../index";
import {
  contourPlot, encodePng, graphSvg, graphText, imageGrid, lineChart, renderGraph, show, sideBySide, svgSize, tensorHtml,
} from "../display";

describe("examples/display", () => {
  it("tensorHtml shows shape, dtype, autograd status and values, eliding large dimensions", () => {
    const w = tensor([[1.5, -2], [3, 4]], { requiresGrad: true, name: "w" });
    const html = tensorHtml(w.mul(2));
    expect(html).to.contain("Tensor [2, 2]").and.contain("float32").and.contain("grad_fn=mul");
    expect(html).to.contain(">-4<").and.contain(">8<");
    expect(tensorHtml(w)).to.contain("<b>w</b>").and.contain("requiresGrad");
    const big = tensorHtml(randn([2, 3, 50, 60], { seed: 1 }));
    expect(big).to.contain("[0, 0, :, :]").and.contain("[1, 2, :, :]").and.contain("more slices").and.contain("…");
    expect(big.match(/<table/g)!.length).to.equal(2); // maxSlices 3 = first, elision, last
    expect(tensorHtml(tensor(3.25))).to.contain("3.25");
    expect(tensorHtml(tensor([1, NaN, 2]))).to.contain("1 NaN/Inf");
  });

  it("graphText draws the tape as a tree, each tensor once", () => {
    const a = tensor(2, { requiresGrad: true, name: "a" });
    const f = a.mul(a).tanh();
    const text = graphText(f);
    expect(text.split("\n")[0]).to.match(/= tanh/);
    expect(text).to.contain("= mul(a, a)").and.contain("a: [] float32  (leaf, requires grad)").and.contain("(drawn above)");
    expect(graphSvg(f, { dot: false })).to.equal(null);
    expect(renderGraph(f, { dot: "/nonexistent/dot" })).to.deep.equal({ kind: "text", text });
  });

  it("graphSvg renders with Graphviz when it is installed", function () {
    const svg = graphSvg(tensor([1, 2], { requiresGrad: true }).sum());
    if (svg === null) this.skip(); // no `dot` here: the text fallback is tested above
    expect(svg).to.match(/<svg[\s\S]*sum[\s\S]*<\/svg>/);
  });

  it("encodePng writes a PNG whose pixels inflate back", () => {
    const px = new Uint8Array([0, 64, 128, 255, 1, 2]);
    const png = encodePng(px, 3, 2, 1);
    expect(Array.from(png.subarray(0, 8))).to.deep.equal([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).to.equal(3);
    expect(png.readUInt32BE(20)).to.equal(2);
    const idatLen = png.readUInt32BE(33);
    expect(png.toString("latin1", 37, 41)).to.equal("IDAT");
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(Array.from(raw)).to.deep.equal([0, 0, 64, 128, 0, 255, 1, 2]);
    expect(() => encodePng(px, 4, 2, 1)).to.throw(/encodePng: 6 bytes do not fill 4x2x1/);
  });

  it("imageGrid captions predictions and frames mistakes; rejects bad shapes", () => {
    const images = randn([4, 784], { seed: 2 });
    const svg = imageGrid(images, { labels: [1, 2, 3, 4], predictions: [1, 7, 3, 4], cols: 2 });
    expect(svg.match(/<image /g)!.length).to.equal(4);
    expect(svg).to.contain("7 (is 2)");
    expect(svg.match(/stroke="#dc2626"/g)!.length).to.equal(1);
    expect(svgSize(svg).width).to.be.greaterThan(100);
    expect(() => imageGrid(randn([2, 10]))).to.throw(/imageGrid: images must be/);
    expect(() => imageGrid(images, { indices: [9] })).to.throw(/index 9 out of range/);
  });

  it("contourPlot draws contours and trajectories; sideBySide puts pictures in one row", () => {
    const bowl = (x: number, y: number) => x * x + 4 * y * y;
    const a = contourPlot(bowl, { x: [-1, 1], y: [-1, 1], paths: [{ name: "path", points: [[0.8, 0.8], [0.1, 0.1]] }], marker: [0, 0], resolution: 20, width: 200, height: 180 });
    expect(a).to.contain("<polygon").and.contain(">path<").and.contain("data:image/png;base64,");
    expect((a.match(/<path d="M/g) ?? []).length).to.be.greaterThan(5); // contour levels + the trajectory
    const row = sideBySide([a, lineChart([{ name: "y", y: [1, 2] }], { width: 300, height: 180 })]);
    expect(svgSize(row)).to.deep.equal({ width: 508, height: 180 });
    expect(() => contourPlot(bowl, { x: [1, 1], y: [0, 1] })).to.throw(/contourPlot: x and y ranges/);
  });

  it("show prints a text form outside a notebook", () => {
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    try {
      show(tensor([1, 2]));
      show(lineChart([{ name: "y", y: [1, 2] }]));
      show([{ optimizer: "Lion", slots: 1 }]);
      show(renderGraph(tensor(1, { requiresGrad: true }).neg(), { dot: false }));
    } finally {
      console.log = original;
    }
    expect(lines[0]).to.contain("tensor([1., 2.]");
    expect(lines[1]).to.match(/^\[SVG picture, \d+ characters\]$/);
    expect(lines[2]).to.contain("optimizer").and.contain("Lion");
    expect(lines[3]).to.contain("= neg");
  });
});
