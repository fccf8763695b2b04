// AssemblyScript (compiled by `npm run build:wasm`): conv2d's 3 × 3, stride-1 forward and weight
// gradient for few input channels (a CNN's first layer), where im2col + GEMM of depth 9·C is
// mostly packing and write-back. Both read images zero-padded by padPlanesF32 (no bounds checks)
// and keep the nine taps (forward: nine splatted weights; weight gradient: nine accumulators) in
// registers while four output pixels at a time stream past. Sums are float32 in a fixed order
// (forward: bias, then per input channel the taps in (i, j) order; weight gradient: per lane over
// images and pixels in order, the four lanes added (0 + 1) + (2 + 3) at the end), so results
// depend on the shape only, and differ from the JS kernels (double sums) by summation only.
// Tails (OW mod 4 pixels) go through the same step one pixel per vector (load32_zero/store32_lane).

/** dst (planes of (H + 2PH) × (W + 2PW)) = src planes of H × W with a zero border. */
export function padPlanesF32(psrc: usize, planes: i32, H: i32, W: i32, PH: i32, PW: i32, pdst: usize): void {
  const Hp = H + 2 * PH, Wp = W + 2 * PW;
  memory.fill(pdst, 0, <usize>(planes * Hp * Wp) << 2);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < H; y++) {
      memory.copy(pdst + (<usize>((c * Hp + y + PH) * Wp + PW) << 2), psrc + (<usize>((c * H + y) * W) << 2), <usize>W << 2);
    }
  }
}

/**
 * out[n, o, oh, ow] = b[o] + Σ_c Σ_{i,j < 3} w[o, c, i, j] · xp[n, c, oh + i, ow + j] over padded
 * images xp [N, C, Hp, Wp] (OH = Hp − 2, OW = Wp − 2); pb = 0 means no bias.
 */
export function conv3x3F32(pxp: usize, pw: usize, pb: usize, pout: usize, N: i32, C: i32, Hp: i32, Wp: i32, O: i32): void {
  const OH = Hp - 2, OW = Wp - 2, body = OW & ~3;
  const plane = <usize>(Hp * Wp) << 2, rowB = <usize>Wp << 2, outRow = <usize>OW << 2, outPlane = <usize>(OH * OW) << 2;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const outp = pout + <usize>(n * O + o) * outPlane;
      const bias = f32x4.splat(pb != 0 ? load<f32>(pb + (<usize>o << 2)) : 0);
      const planeEnd = outp + outPlane, bodyEnd = outp + (outPlane & ~15);
      let p = outp;
      for (; p < bodyEnd; p += 16) v128.store(p, bias);
      for (; p < planeEnd; p += 4) v128.store32_lane(p, bias, 0);
      for (let c = 0; c < C; c++) {
        const wp = pw + (<usize>((o * C + c) * 9) << 2);
        const k0 = v128.load32_splat(wp), k1 = v128.load32_splat(wp, 4), k2 = v128.load32_splat(wp, 8);
        const k3 = v128.load32_splat(wp, 12), k4 = v128.load32_splat(wp, 16), k5 = v128.load32_splat(wp, 20);
        const k6 = v128.load32_splat(wp, 24), k7 = v128.load32_splat(wp, 28), k8 = v128.load32_splat(wp, 32);
        const xc = pxp + <usize>(n * C + c) * plane;
        for (let oh = 0; oh < OH; oh++) {
          const r0 = xc + <usize>oh * rowB, r1 = r0 + rowB, r2 = r1 + rowB;
          const orow = outp + <usize>oh * outRow;
          let ow = 0;
          for (; ow < body; ow += 4) {
            const q = <usize>ow << 2;
            let acc = v128.load(orow + q);
            acc = f32x4.add(acc, f32x4.mul(k0, v128.load(r0 + q)));
            acc = f32x4.add(acc, f32x4.mul(k1, v128.load(r0 + q, 4)));
            acc = f32x4.add(acc, f32x4.mul(k2, v128.load(r0 + q, 8)));
            acc = f32x4.add(acc, f32x4.mul(k3, v128.load(r1 + q)));
            acc = f32x4.add(acc, f32x4.mul(k4, v128.load(r1 + q, 4)));
            acc = f32x4.add(acc, f32x4.mul(k5, v128.load(r1 + q, 8)));
            acc = f32x4.add(acc, f32x4.mul(k6, v128.load(r2 + q)));
            acc = f32x4.add(acc, f32x4.mul(k7, v128.load(r2 + q, 4)));
            acc = f32x4.add(acc, f32x4.mul(k8, v128.load(r2 + q, 8)));
            v128.store(orow + q, acc);
          }
          for (; ow < OW; ow++) {
            const q = <usize>ow << 2;
            let acc = v128.load32_zero(orow + q);
            acc = f32x4.add(acc, f32x4.mul(k0, v128.load32_zero(r0 + q)));
            acc = f32x4.add(acc, f32x4.mul(k1, v128.load32_zero(r0 + q + 4)));
            acc = f32x4.add(acc, f32x4.mul(k2, v128.load32_zero(r0 + q + 8)));
            acc = f32x4.add(acc, f32x4.mul(k3, v128.load32_zero(r1 + q)));
            acc = f32x4.add(acc, f32x4.mul(k4, v128.load32_zero(r1 + q + 4)));
            acc = f32x4.add(acc, f32x4.mul(k5, v128.load32_zero(r1 + q + 8)));
            acc = f32x4.add(acc, f32x4.mul(k6, v128.load32_zero(r2 + q)));
            acc = f32x4.add(acc, f32x4.mul(k7, v128.load32_zero(r2 + q + 4)));
            acc = f32x4.add(acc, f32x4.mul(k8, v128.load32_zero(r2 + q + 8)));
            v128.store32_lane(orow + q, acc, 0);
          }
        }
      }
    }
  }
}

@inline function lanes(s: v128): f32 {
  return (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}

/**
 * dw[o, c, i, j] = Σ_n Σ_{oh,ow} g[n, o, oh, ow] · xp[n, c, oh + i, ow + j] (overwritten), for the
 * forward above: g [N, O, OH, OW], xp padded [N, C, Hp, Wp]. With pdb ≠ 0 also the bias gradient
 * db[o] = Σ_n Σ_{oh,ow} g[n, o, oh, ow], summed along with channel 0 (same lanes, same order).
 */
export function conv3x3GradWF32(pxp: usize, pg: usize, pdw: usize, pdb: usize, N: i32, C: i32, Hp: i32, Wp: i32, O: i32): void {
  const OH = Hp - 2, OW = Wp - 2, body = OW & ~3;
  const plane = <usize>(Hp * Wp) << 2, rowB = <usize>Wp << 2, outRow = <usize>OW << 2, outPlane = <usize>(OH * OW) << 2;
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0, s8 = s0, sb = s0;
      const withBias = pdb != 0 && c == 0;
      for (let n = 0; n < N; n++) {
        const xc = pxp + <usize>(n * C + c) * plane;
        const gp = pg + <usize>(n * O + o) * outPlane;
        for (let oh = 0; oh < OH; oh++) {
          const r0 = xc + <usize>oh * rowB, r1 = r0 + rowB, r2 = r1 + rowB;
          const grow = gp + <usize>oh * outRow;
          let ow = 0;
          for (; ow < body; ow += 4) {
            const q = <usize>ow << 2;
            const gv = v128.load(grow + q);
            if (withBias) sb = f32x4.add(sb, gv);
            s0 = f32x4.add(s0, f32x4.mul(gv, v128.load(r0 + q)));
            s1 = f32x4.add(s1, f32x4.mul(gv, v128.load(r0 + q, 4)));
            s2 = f32x4.add(s2, f32x4.mul(gv, v128.load(r0 + q, 8)));
            s3 = f32x4.add(s3, f32x4.mul(gv, v128.load(r1 + q)));
            s4 = f32x4.add(s4, f32x4.mul(gv, v128.load(r1 + q, 4)));
            s5 = f32x4.add(s5, f32x4.mul(gv, v128.load(r1 + q, 8)));
            s6 = f32x4.add(s6, f32x4.mul(gv, v128.load(r2 + q)));
            s7 = f32x4.add(s7, f32x4.mul(gv, v128.load(r2 + q, 4)));
            s8 = f32x4.add(s8, f32x4.mul(gv, v128.load(r2 + q, 8)));
          }
          for (; ow < OW; ow++) {
            const q = <usize>ow << 2;
            const gv = v128.load32_zero(grow + q);
            if (withBias) sb = f32x4.add(sb, gv);
            s0 = f32x4.add(s0, f32x4.mul(gv, v128.load32_zero(r0 + q)));
            s1 = f32x4.add(s1, f32x4.mul(gv, v128.load32_zero(r0 + q + 4)));
            s2 = f32x4.add(s2, f32x4.mul(gv, v128.load32_zero(r0 + q + 8)));
            s3 = f32x4.add(s3, f32x4.mul(gv, v128.load32_zero(r1 + q)));
            s4 = f32x4.add(s4, f32x4.mul(gv, v128.load32_zero(r1 + q + 4)));
            s5 = f32x4.add(s5, f32x4.mul(gv, v128.load32_zero(r1 + q + 8)));
            s6 = f32x4.add(s6, f32x4.mul(gv, v128.load32_zero(r2 + q)));
            s7 = f32x4.add(s7, f32x4.mul(gv, v128.load32_zero(r2 + q + 4)));
            s8 = f32x4.add(s8, f32x4.mul(gv, v128.load32_zero(r2 + q + 8)));
          }
        }
      }
      const d = pdw + (<usize>((o * C + c) * 9) << 2);
      store<f32>(d, lanes(s0));
      store<f32>(d, lanes(s1), 4);
      store<f32>(d, lanes(s2), 8);
      store<f32>(d, lanes(s3), 12);
      store<f32>(d, lanes(s4), 16);
      store<f32>(d, lanes(s5), 20);
      store<f32>(d, lanes(s6), 24);
      store<f32>(d, lanes(s7), 28);
      store<f32>(d, lanes(s8), 32);
      if (withBias) store<f32>(pdb + (<usize>o << 2), lanes(sb));
    }
  }
}
