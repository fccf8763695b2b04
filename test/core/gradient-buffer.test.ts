/**
 * core/gradient-buffer.ts: on the wasm backend, backward() writes a Parameter's gradient (from
 * linear, matmul and conv2d) into a heap buffer of its own, written again only after its owner
 * released it (zeroGrad with reuseBuffers, fit's steps), so the optimizer reads it in place. The
 * values must be exactly those of an ordinary gradient, and a gradient someone may keep must
 * never change.
 */
import { expect } from "chai";
import { Parameter, Tensor, conv2d, grad, linear, matmul, nn, optim, randn } from "ndgrad";
import { getBackend, inWasmHeap, setBackend, type Backend } from "../../core/backend";
import { BACKENDS } from "../support/backends";

const hasWasm = BACKENDS.includes("wasm");
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** A small regression problem: a linear layer and a squared loss on fixed inputs. */
function problem(seed = 3) {
  const layer = new nn.Linear(6, 4);
  const x = randn([5, 6], { seed });
  const params = layer.parameters();
  params.forEach((p, i) => p.assign(randn(p.shape, { seed: seed * 10 + i })));
  return { layer, x, params, loss: () => layer.forward(x).square().sum() };
}

/** Each parameter's gradient through grad(), which never hands out a buffer. */
function referenceGradients(layer: nn.Linear, x: Tensor): Float32Array[] {
  const [w, b] = layer.parameters();
  return grad((wv: Tensor, bv: Tensor) => linear(x, wv, bv).square().sum())(w, b).map((g) => Float32Array.from(g.values));
}

describe("gradient buffers (wasm backend): backward() writes parameters' gradients into the heap", function () {
  let previous: Backend;
  before(function () {
    if (!hasWasm) this.skip(); // this engine does not validate the wasm SIMD module
    previous = getBackend();
    setBackend("wasm");
  });
  after(() => {
    if (hasWasm) setBackend(previous);
  });

  it("linear's weight and bias gradients are heap views, reused after zeroGrad({ reuseBuffers: true })", () => {
    const { params, loss } = problem();
    const opt = new optim.SGD({ learningRate: 0.1 });
    loss().backward();
    expect(params.map((p) => inWasmHeap(p.grad!.values))).to.deep.equal([true, true]);
    const first = params.map((p) => p.grad!.values);
    opt.step(params);
    opt.zeroGrad(params, { reuseBuffers: true });
    loss().backward();
    params.forEach((p, i) => expect(p.grad!.values).to.equal(first[i]));
  });

  it("plain zeroGrad releases nothing: a kept .grad never changes, and the next gradient is a new array with the same values", () => {
    const { layer, x, params, loss } = problem();
    const opt = new optim.SGD({ learningRate: 0.1 });
    loss().backward();
    const kept = params.map((p) => p.grad!);
    const keptBits = kept.map((g) => bits(g.values));
    opt.step(params);
    opt.zeroGrad(params);
    const ref = referenceGradients(layer, x);
    loss().backward();
    params.forEach((p, i) => {
      expect(p.grad!.values).to.not.equal(kept[i].values);
      expect(bits(kept[i].values)).to.deep.equal(keptBits[i]);
      expect(bits(p.grad!.values)).to.deep.equal(bits(ref[i]));
    });
  });

  it("fit() reuses the buffers step after step (it owns its steps' gradients) and leaves a kept .grad alone", () => {
    const { layer, params, loss } = problem();
    loss().backward();
    const before = params.map((p) => p.grad!);
    const beforeBits = before.map((g) => bits(g.values));
    const data = { x: randn([16, 6], { seed: 20 }), y: randn([16, 4], { seed: 21 }) };
    nn.fit(layer, data, { optimizer: new optim.SGD({ learningRate: 0.01 }), loss: "mse", epochs: 2, batchSize: 4, verbose: 0 });
    before.forEach((g, i) => expect(bits(g.values)).to.deep.equal(beforeBits[i]));
    // the last step's buffers were released: a new backward writes there
    loss().backward();
    params.forEach((p) => expect(inWasmHeap(p.grad!.values)).to.equal(true));
  });

  it("zeroGrad rejects a bad reuseBuffers (named, shown as it is) and changes nothing", () => {
    const { params, loss } = problem();
    const opt = new optim.SGD({ learningRate: 0.1 });
    loss().backward();
    expect(() => opt.zeroGrad(params, { reuseBuffers: NaN as never })).to.throw("SGD.zeroGrad: reuseBuffers must be a boolean, got NaN");
    expect(() => opt.zeroGrad(params, { reuse: true } as never)).to.throw(/SGD\.zeroGrad.*reuse/);
    params.forEach((p) => expect(p.grad).to.not.equal(null));
  });

  it("a reused buffer holds exactly the gradient grad() computes, step after step (Lion training)", () => {
    const { layer, x, params, loss } = problem();
    const opt = new optim.Lion({ learningRate: 0.01 });
    for (let step = 0; step < 4; step++) {
      const ref = referenceGradients(layer, x);
      loss().backward();
      params.forEach((p, i) => expect(bits(p.grad!.values)).to.deep.equal(bits(ref[i])));
      opt.step(params);
      opt.zeroGrad(params, { reuseBuffers: true });
    }
  });

  it("training with buffers gives the same weights, bit for bit, as with ordinary gradients", () => {
    const run = (ordinary: boolean) => {
      const { params, loss } = problem(7);
      const opt = new optim.AdamW({ learningRate: 0.01, weightDecay: 0.1 });
      for (let step = 0; step < 5; step++) {
        loss().backward();
        // an ordinary copy of each gradient: the optimizer copies it into the heap itself
        const grads = params.map((p) => (ordinary ? new Tensor(Float32Array.from(p.grad!.values), p.shape) : p.grad!));
        opt.apply(grads, params);
        opt.zeroGrad(params, { reuseBuffers: true });
      }
      return params.map((p) => bits(p.values));
    };
    expect(run(false)).to.deep.equal(run(true));
  });

  it("p.grad = null by hand releases nothing: the next gradient is a new array and the kept one is unchanged", () => {
    const { params, loss } = problem();
    loss().backward();
    const kept = params[0].grad!;
    const before = bits(kept.values);
    params.forEach((p) => (p.grad = null));
    params[0].assign(randn(params[0].shape, { seed: 11 }));
    loss().backward();
    expect(params[0].grad!.values).to.not.equal(kept.values);
    expect(bits(kept.values)).to.deep.equal(before);
  });

  it("without zeroGrad a second backward accumulates into a new array, and the sum is right", () => {
    const { layer, x, params, loss } = problem();
    const ref = referenceGradients(layer, x);
    loss().backward();
    const first = params[0].grad!;
    const firstBits = bits(first.values);
    loss().backward();
    expect(params[0].grad!.values).to.not.equal(first.values);
    expect(bits(first.values)).to.deep.equal(firstBits);
    const twice = Float32Array.from(ref[0], (v) => v + v);
    expect(bits(params[0].grad!.values)).to.deep.equal(bits(twice));
  });

  it("a parameter used twice gets the summed gradient, and its buffer is free again at the next step", () => {
    const w = new Parameter(randn([3, 4], { seed: 5 }));
    const a = randn([2, 3], { seed: 6 });
    const opt = new optim.SGD({ learningRate: 0.1 });
    const f = () => matmul(a, w).add(matmul(a, w).mul(2)).sum();
    const [ref] = grad((wv: Tensor) => matmul(a, wv).add(matmul(a, wv).mul(2)).sum())(w);
    f().backward();
    expect(bits(w.grad!.values)).to.deep.equal(bits(ref.values));
    opt.zeroGrad([w]);
    matmul(a, w).sum().backward(); // one contribution: now it may go to the buffer
    expect(inWasmHeap(w.grad!.values)).to.equal(true);
  });

  it("conv2d's weight and bias gradients land in the heap too, with grad()'s values", () => {
    const w = new Parameter(randn([4, 2, 3, 3], { seed: 8 }));
    const b = new Parameter(randn([4], { seed: 9 }));
    const x = randn([3, 2, 7, 7], { seed: 10 });
    const f = (wv: Tensor, bv: Tensor) => conv2d(x, wv, bv, { padding: 1 }).square().sum();
    const opt = new optim.SGD({ learningRate: 0.01 });
    for (let step = 0; step < 2; step++) {
      const ref = grad(f)(w, b);
      f(w, b).backward();
      expect([inWasmHeap(w.grad!.values), inWasmHeap(b.grad!.values)]).to.deep.equal([true, true]);
      expect(bits(w.grad!.values)).to.deep.equal(bits(ref[0].values));
      expect(bits(b.grad!.values)).to.deep.equal(bits(ref[1].values));
      opt.step([w, b]);
      opt.zeroGrad([w, b], { reuseBuffers: true });
    }
  });

  it("grad() and valueAndGrad() results and graph-creating backward() never use the buffers", () => {
    const { layer, x, params, loss } = problem();
    const [w, b] = params;
    const gs = grad((wv: Tensor, bv: Tensor) => linear(x, wv, bv).square().sum())(w, b);
    gs.forEach((g) => expect(inWasmHeap(g.values)).to.equal(false));
    loss().backward({ createGraph: true });
    expect(inWasmHeap(w.grad!.values)).to.equal(false);
    void layer;
  });
});

describe("gradient buffers (js backend): ordinary arrays", () => {
  let previous: Backend;
  before(() => {
    previous = getBackend();
    setBackend("js");
  });
  after(() => setBackend(previous));

  it("backward() gives ordinary arrays and zeroGrad clears", () => {
    const { params, loss } = problem();
    const opt = new optim.SGD({ learningRate: 0.1 });
    loss().backward();
    params.forEach((p) => expect(inWasmHeap(p.grad!.values)).to.equal(false));
    opt.zeroGrad(params);
    params.forEach((p) => expect(p.grad).to.equal(null));
  });
});
