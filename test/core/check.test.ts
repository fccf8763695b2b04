/**
 * The one check family (core/check.ts): `show` prints values in messages as they are (NaN,
 * Infinity, -0, undefined, bigint, typed arrays), and the messages of core, nn and optim use
 * it (no JSON.stringify turning NaN into null).
 */
import { expect } from "chai";
import { camelCase, checkNumber, checkOptionKeys, show, snakeCase } from "../../core/check";
import { full, tensor, zeros } from "../../core/creation";
import { crossEntropy } from "../../nn/losses";
import * as nn from "../../nn";
import { Lion } from "../../optim";

describe("show: values in messages as themselves", () => {
  it("numbers as JS writes them, -0 included", () => {
    expect([NaN, Infinity, -Infinity, -0, 0, 1.5].map(show)).to.deep.equal(["NaN", "Infinity", "-Infinity", "-0", "0", "1.5"]);
  });
  it("undefined, null, bigint, strings, booleans, functions", () => {
    expect([undefined, null, 5n, "a", true, () => 1].map(show)).to.deep.equal(["undefined", "null", "5n", '"a"', "true", "a function"]);
  });
  it("arrays and plain objects in JSON's compact form, keeping NaN and friends", () => {
    expect(show([2, NaN, [Infinity, -0]])).to.equal("[2,NaN,[Infinity,-0]]");
    expect(show({ a: NaN, b: "x", c: undefined })).to.equal('{"a":NaN,"b":"x","c":undefined}');
  });
  it("typed arrays with their type and length, long ones cut short", () => {
    expect(show(Float32Array.of(1, NaN, 3))).to.equal("Float32Array(3) [1,NaN,3]");
    expect(show(new Int32Array(10))).to.equal("Int32Array(10) [0,0,0,0,0,0,0,0,…2 more]");
  });
  it("class instances by their class", () => {
    expect(show(tensor([1]))).to.equal("a Tensor");
    expect(show(new Map())).to.equal("a Map");
  });
});

describe("messages show bad values as they are", () => {
  it("new nn.Linear(NaN, 3)", () => {
    expect(() => new nn.Linear(NaN, 3)).to.throw("Linear: inFeatures must be a positive integer, got NaN");
  });
  it("zeros([2, NaN]) names zeros and shows NaN", () => {
    expect(() => zeros([2, NaN])).to.throw("zeros: shape must be an array of non-negative integers, got [2,NaN]");
  });
  it("full([Infinity], 1)", () => {
    expect(() => full([Infinity], 1)).to.throw("full: shape must be an array of non-negative integers, got [Infinity]");
  });
  it("a NaN class label in crossEntropy", () => {
    expect(() => crossEntropy(tensor([[1, 2]]), [NaN])).to.throw("crossEntropy: label NaN at index 0 is not an integer class in [0, 1]");
  });
  it("an optimizer hyper-parameter", () => {
    expect(() => new Lion({ beta1: -0 })).to.throw("Lion: beta1 must be a finite number in (0, 1], got -0");
    expect(() => new Lion({ learningRate: Infinity })).to.throw("got Infinity");
  });
  it("checkNumber shows a bigint and undefined", () => {
    expect(() => checkNumber("op", "n", 3n)).to.throw("op: n must be a finite number, got 3n");
    expect(() => checkNumber("op", "n", undefined)).to.throw("op: n must be a finite number, got undefined");
  });
});

describe("one option-key check and one snake_case converter", () => {
  it("checkOptionKeys names the owner, the unknown keys and the allowed ones", () => {
    expect(() => checkOptionKeys("conv2d", { strides: 2 }, ["stride", "padding"])).to.throw('conv2d: unknown option "strides" (allowed: stride, padding)');
    expect(() => checkOptionKeys("x", 3, ["a"])).to.throw("x: options must be an object, got 3");
    expect(() => checkOptionKeys("x", undefined, ["a"])).to.not.throw();
  });
  it("snakeCase and camelCase are Keras's", () => {
    expect(["ExponentialDecay", "AdamW", "clipNorm", "gradientAccumulationSteps"].map(snakeCase)).to.deep.equal([
      "exponential_decay",
      "adam_w",
      "clip_norm",
      "gradient_accumulation_steps",
    ]);
    expect(["initial_learning_rate", "beta_1"].map(camelCase)).to.deep.equal(["initialLearningRate", "beta1"]);
  });
});
