// Reference kernels for Conv and ConvTranspose in 1, 2 and 3 spatial dims (lower ranks are padded
// to 3 with unit dims). Conv gathers a chunk of output positions' receptive fields into rows
// (im2col, transposed so each row is K-contiguous) and multiplies by the weights with gemmNT;
// ConvTranspose multiplies first and scatters the columns back (col2im). Integer and quantised
// convolutions reuse both by passing zero-point-shifted operands.
import { fail } from './context.js';
import { gemmNT, transposeInto, type NumArray } from './gemm-kernel.js';
import type { OpContext } from './op-def.js';

/** A convolution's geometry, spatial arrays always of length 3 (leading unit dims added). */
export interface ConvSpec {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly group: number;
  readonly inSizes: readonly number[];
  readonly outSizes: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
}

/** Builds a ConvSpec, padding the spatial lists to 3 dims. */
export function convSpec(
  ctx: OpContext,
  dims: Omit<ConvSpec, 'inSizes' | 'outSizes' | 'kernel' | 'strides' | 'dilations' | 'padsBegin'>,
  spatial: Pick<
    ConvSpec,
    'inSizes' | 'outSizes' | 'kernel' | 'strides' | 'dilations' | 'padsBegin'
  >,
): ConvSpec {
  const rank = spatial.inSizes.length;
  if (rank > 3) fail(ctx, `${rank} spatial dims are not supported (at most 3)`);
  const lead = (v: readonly number[], fill: number) => [
    ...new Array<number>(3 - rank).fill(fill),
    ...v,
  ];
  return {
    ...dims,
    inSizes: lead(spatial.inSizes, 1),
    outSizes: lead(spatial.outSizes, 1),
    kernel: lead(spatial.kernel, 1),
    strides: lead(spatial.strides, 1),
    dilations: lead(spatial.dilations, 1),
    padsBegin: lead(spatial.padsBegin, 0),
  };
}

/**
 * For `count` window positions and `kernel` taps along one dim: the coordinate
 * pos·stride − pad + tap·dilation, or −1 when it falls outside [0, bound).
 */
export function coordTable(
  count: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: number,
  bound: number,
): Int32Array {
  const tab = new Int32Array(count * kernel);
  for (let o = 0; o < count; o++) {
    for (let t = 0; t < kernel; t++) {
      const c = o * stride - pad + t * dilation;
      tab[o * kernel + t] = c >= 0 && c < bound ? c : -1;
    }
  }
  return tab;
}

const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

/** Rows [p0, p0 + rows) of the transposed im2col matrix of one group: row p = receptive field of output p. */
function im2colRows(
  s: ConvSpec,
  tabs: readonly Int32Array[],
  x: ArrayLike<number>,
  xOff: number,
  p0: number,
  rows: number,
  col: NumArray,
): void {
  const [ID, IH, IW] = s.inSizes as [number, number, number];
  const [, OH, OW] = s.outSizes as [number, number, number];
  const [KD, KH, KW] = s.kernel as [number, number, number];
  const [tD, tH, tW] = tabs as [Int32Array, Int32Array, Int32Array];
  const cg = s.inChannels / s.group;
  const plane = ID * IH * IW;
  let dst = 0;
  for (let p = p0; p < p0 + rows; p++) {
    const ow = p % OW;
    const oh = Math.floor(p / OW) % OH;
    const od = Math.floor(p / (OW * OH));
    for (let c = 0; c < cg; c++) {
      const cBase = xOff + c * plane;
      for (let kd = 0; kd < KD; kd++) {
        const id = tD[od * KD + kd]!;
        for (let kh = 0; kh < KH; kh++) {
          const ih = tH[oh * KH + kh]!;
          if (id < 0 || ih < 0) {
            for (let kw = 0; kw < KW; kw++) col[dst++] = 0;
            continue;
          }
          const rowBase = cBase + (id * IH + ih) * IW;
          for (let kw = 0; kw < KW; kw++) {
            const iw = tW[ow * KW + kw]!;
            col[dst++] = iw < 0 ? 0 : x[rowBase + iw]!;
          }
        }
      }
    }
  }
}

/** True when the im2col matrix is just Xᵀ (1×1 kernel, unit strides, no padding). */
function isPointwise(s: ConvSpec): boolean {
  return (
    prod(s.kernel) === 1 &&
    s.strides.every((v) => v === 1) &&
    s.padsBegin.every((v) => v === 0) &&
    s.inSizes.every((v, i) => v === s.outSizes[i])
  );
}

/** out[N, M, ∏out] = conv(x[N, C, ∏in], w[M, C/group, ∏k]) without bias. */
export function convolve(
  s: ConvSpec,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  out: NumArray,
): void {
  const cg = s.inChannels / s.group;
  const mg = s.outChannels / s.group;
  const kc = cg * prod(s.kernel);
  const pIn = prod(s.inSizes);
  const pOut = prod(s.outSizes);
  const tabs = [0, 1, 2].map((d) =>
    coordTable(
      s.outSizes[d]!,
      s.kernel[d]!,
      s.strides[d]!,
      s.dilations[d]!,
      s.padsBegin[d]!,
      s.inSizes[d]!,
    ),
  );
  // Chunks of up to 2 Mi gathered elements: large enough that each product amortises packing
  // the weights (gemmNT blocks for the cache itself), small enough to bound memory.
  const chunk = Math.min(pOut, Math.max(16, Math.floor((1 << 21) / Math.max(1, kc))));
  const col =
    out instanceof Float64Array ? new Float64Array(chunk * kc) : new Float32Array(chunk * kc);
  const pointwise = isPointwise(s);
  for (let n = 0; n < s.batch; n++) {
    for (let g = 0; g < s.group; g++) {
      const xOff = (n * s.inChannels + g * cg) * pIn;
      for (let p0 = 0; p0 < pOut; p0 += chunk) {
        const rows = Math.min(chunk, pOut - p0);
        if (pointwise) transposeColumns(x, xOff, cg, pIn, p0, rows, col);
        else im2colRows(s, tabs, x, xOff, p0, rows, col);
        gemmNT(
          { data: w, offset: g * mg * kc, stride: kc },
          { data: col, offset: 0, stride: kc },
          { data: out, offset: (n * s.outChannels + g * mg) * pOut + p0, stride: pOut },
          { m: mg, n: rows, k: kc },
        );
      }
    }
  }
}

/** col[r, c] = x[xOff + c·stride + p0 + r] for r < rows, c < channels. */
function transposeColumns(
  x: ArrayLike<number>,
  xOff: number,
  channels: number,
  stride: number,
  p0: number,
  rows: number,
  col: NumArray,
): void {
  for (let c = 0; c < channels; c++) {
    const base = xOff + c * stride + p0;
    for (let r = 0; r < rows; r++) col[r * channels + c] = x[base + r]!;
  }
}

/** out[N, M, ∏out] += convTranspose(x[N, C, ∏in], w[C, M/group, ∏k]) without bias. */
export function convolveTransposed(
  s: ConvSpec,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  out: NumArray,
): void {
  const cg = s.inChannels / s.group;
  const mg = s.outChannels / s.group;
  const kk = prod(s.kernel);
  const pIn = prod(s.inSizes);
  const pOut = prod(s.outSizes);
  // Here the window runs over input positions and lands on output coordinates.
  const tabs = [0, 1, 2].map((d) =>
    coordTable(
      s.inSizes[d]!,
      s.kernel[d]!,
      s.strides[d]!,
      s.dilations[d]!,
      s.padsBegin[d]!,
      s.outSizes[d]!,
    ),
  );
  // Same array type as the output, so gemmNT stays monomorphic within a float32 model.
  const alloc = (n: number) =>
    out instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const wt = alloc(mg * kk * cg);
  const xt = alloc(pIn * cg);
  const cols = alloc(mg * kk * pIn);
  for (let g = 0; g < s.group; g++) {
    transposeInto(wt, w, g * cg * mg * kk, cg, mg * kk);
    for (let n = 0; n < s.batch; n++) {
      transposeInto(xt, x, (n * s.inChannels + g * cg) * pIn, cg, pIn);
      gemmNT(
        { data: wt, offset: 0, stride: cg },
        { data: xt, offset: 0, stride: cg },
        { data: cols, offset: 0, stride: pIn },
        { m: mg * kk, n: pIn, k: cg },
      );
      col2im(s, tabs, cols, out, (n * s.outChannels + g * mg) * pOut, mg);
    }
  }
}

/** Scatter-adds cols[(m, kd, kh, kw), (id, ih, iw)] into out at the coordinates the tables give. */
function col2im(
  s: ConvSpec,
  tabs: readonly Int32Array[],
  cols: NumArray,
  out: NumArray,
  outOff: number,
  mg: number,
): void {
  const [ID, IH, IW] = s.inSizes as [number, number, number];
  const [OD, OH, OW] = s.outSizes as [number, number, number];
  const [KD, KH, KW] = s.kernel as [number, number, number];
  const [tD, tH, tW] = tabs as [Int32Array, Int32Array, Int32Array];
  const pIn = ID * IH * IW;
  let src = 0;
  for (let m = 0; m < mg; m++) {
    const mBase = outOff + m * OD * OH * OW;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++) {
          for (let id = 0; id < ID; id++) {
            const od = tD[id * KD + kd]!;
            for (let ih = 0; ih < IH; ih++) {
              const oh = tH[ih * KH + kh]!;
              const rowBase = mBase + (od * OH + oh) * OW;
              const srcRow = src + (id * IH + ih) * IW;
              if (od < 0 || oh < 0) continue;
              for (let iw = 0; iw < IW; iw++) {
                const ow = tW[iw * KW + kw]!;
                if (ow >= 0) out[rowBase + ow]! += cols[srcRow + iw]!;
              }
            }
          }
          src += pIn;
        }
      }
    }
  }
}

/** out[n, c, ...] += bias[c] over every spatial position. */
export function addChannelBias(
  out: NumArray,
  bias: ArrayLike<number>,
  batch: number,
  channels: number,
): void {
  const plane = out.length / Math.max(1, batch * channels);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const b = bias[c]!;
      const base = (n * channels + c) * plane;
      for (let i = 0; i < plane; i++) out[base + i]! += b;
    }
  }
}
