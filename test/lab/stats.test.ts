/** lab: the confidence-interval arithmetic against worked examples. */
import { expect } from "chai";
import { tQuantile, tCdf, tInterval, pairedDifference, verdict } from "../../lab";

describe("lab: statistics", () => {
  it("Student-t critical values match the tables", () => {
    // Two-sided 95%: the classic table row (df 1, 2, 4, 9, 29) and the normal limit.
    const table: [number, number][] = [
      [1, 12.706204736],
      [2, 4.30265273],
      [4, 2.776445105],
      [9, 2.262157163],
      [29, 2.045229642],
    ];
    for (const [df, q] of table) expect(tQuantile(0.95, df)).to.be.closeTo(q, 1e-8);
    expect(tQuantile(0.99, 2)).to.be.closeTo(9.924843201, 1e-8);
    expect(tQuantile(0.95, 1e6)).to.be.closeTo(1.959966, 1e-5);
    expect(tCdf(0, 5)).to.equal(0.5);
    expect(tCdf(-2.776445105, 4)).to.be.closeTo(0.025, 1e-9);
  });

  it("a worked example: the mean of 1..5 is 3 ± 1.9632 (sd 1.5811, se 0.7071, t 2.7764)", () => {
    const i = tInterval([1, 2, 3, 4, 5]);
    expect(i.n).to.equal(5);
    expect(i.mean).to.equal(3);
    expect(i.sd).to.be.closeTo(Math.sqrt(2.5), 1e-12);
    expect(i.half).to.be.closeTo((2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-8);
    expect(i.half).to.be.closeTo(1.963243161, 1e-8);
    expect([i.lo, i.hi].map((v) => Number(v.toFixed(6)))).to.deep.equal([1.036757, 4.963243]);
  });

  it("three seeds of test accuracy: 97.1, 97.4, 96.9 % give 97.133 ± 0.625 points", () => {
    const i = tInterval([0.971, 0.974, 0.969]);
    // sd = 0.0025166, se = 0.0014530, t(0.975, 2) = 4.302653 -> half = 0.0062516
    expect(i.mean).to.be.closeTo(0.971333333, 1e-9);
    expect(i.sd).to.be.closeTo(0.002516611, 1e-9);
    expect(i.half).to.be.closeTo(0.006251609, 1e-8);
  });

  it("fewer than two values: a mean and no interval", () => {
    const i = tInterval([0.5]);
    expect(i.mean).to.equal(0.5);
    expect(Number.isNaN(i.half)).to.equal(true);
    expect(verdict(i, "Lion", "AdamW")).to.contain("no verdict with 1 seed");
  });

  it("the paired difference uses the shared seeds only, and the verdict says what the interval says", () => {
    const lion = new Map([
      [0, 0.97],
      [1, 0.975],
      [2, 0.968],
      [7, 0.5],
    ]);
    const adamw = new Map([
      [0, 0.972],
      [1, 0.974],
      [2, 0.971],
    ]);
    const d = pairedDifference(lion, adamw); // diffs -0.002, 0.001, -0.003
    expect(d.n).to.equal(3);
    expect(d.mean).to.be.closeTo(-0.0013333333, 1e-10);
    expect(d.sd).to.be.closeTo(0.002081666, 1e-9);
    expect(d.half).to.be.closeTo((4.30265273 * 0.002081666) / Math.sqrt(3), 1e-9);
    expect(verdict(d, "Lion", "AdamW")).to.match(/^not distinguishable with 3 seeds \(Lion − AdamW = -0\.13 ± 0\.52 points/);
    const clear = pairedDifference(
      new Map([
        [0, 0.9],
        [1, 0.91],
        [2, 0.905],
      ]),
      new Map([
        [0, 0.95],
        [1, 0.955],
        [2, 0.96],
      ]),
    );
    expect(verdict(clear, "Lion", "AdamW")).to.match(/^AdamW is better \(Lion − AdamW = -5\.00 ± /);
    expect(
      verdict(
        pairedDifference(
          adamw,
          new Map([
            [0, 0.9],
            [1, 0.91],
            [2, 0.905],
          ]),
        ),
        "Lion",
        "AdamW",
      ),
    ).to.match(/^Lion is better/);
  });
});
