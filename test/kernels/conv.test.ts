/**
 * conv2d and convTranspose2d: the CPU twin against independent facts (a hand-computed example, a
 * 1 x 1 convolution is a matmul, convTranspose2d is the adjoint of conv2d), then every device's
 * kernel against the twin on random geometries (stride, padding beyond the kernel, dilation,
 * groups, odd sizes, outputPadding), and the bad-input errors, the same text on every device.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, type Device, type Tensor } from '@saddle/tensor';
import { conv2d, convTranspose2d, matmul, reshape, transpose, contiguous } from '@saddle/ops';
import { NAMED_DEVICES, wasm } from '../support/devices.js';
import { expectClose } from '../support/compare.js';
import { randomNumbers } from '../support/random-data.js';
import { conv2dFits, convCase, convTranspose2dFits, type ConvCase } from '../support/conv.js';
import { undisposedTensors } from '../support/memory.js';

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const rand = (shape: number[], seed: number, device: Device, dtype: 'f32' | 'f64' = 'f32') =>
  fromArray(randomNumbers(size(shape), seed, -1, 1), shape, { device, dtype });

const geometry = convCase({ n: 2, groups: 2, cinG: 3, coutG: 6, kh: 3, kw: 3, h: [1, 9], w: [1, 11], stride: 3, padding: [3, 3], dilation: 2 });
type Case = ConvCase;
const convOk = conv2dFits;
const convTOk = convTranspose2dFits;

/** Runs the op of case `c` on `device` (transposed: convTranspose2d), inputs seeded by c.seed. */
function run(c: Case, transposed: boolean, device: Device): Tensor {
  const cin = c.cinG * c.groups;
  const x = rand([c.n, cin, c.h, c.w], c.seed, device);
  const w = rand(transposed ? [cin, c.coutG, c.kh, c.kw] : [c.coutG * c.groups, c.cinG, c.kh, c.kw], c.seed + 1, device);
  const bias = c.bias ? rand([c.coutG * c.groups], c.seed + 2, device) : undefined;
  const common = { bias, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
  return transposed ? convTranspose2d(x, w, { ...common, outputPadding: c.outputPadding }) : conv2d(x, w, common);
}

/**
 * Tolerance against the twin (which sums in doubles): a running f32 sum of K = CinG·kH·kW
 * products of values in [-1, 1] is off by at most about K·eps32·Σ|terms| <= 6e-8·K², under
 * 1e-5·K for K <= 150 (here K <= 27); plus the bias's one rounding.
 */
const tol = (c: Case) => ({ rtol: 1e-5, atol: 1e-5 * (c.cinG * c.kh * c.kw + 1) });

describe('the CPU twin', () => {
  it('computes a hand-worked example (3 x 3 input, 2 x 2 ones, stride 1; and stride 2, padding 1)', async () => {
    const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = fromArray([1, 1, 1, 1], [1, 1, 2, 2]);
    expect(Array.from(await conv2d(x, w).toArray())).toEqual([12, 16, 24, 28]);
    // Padded to 5 x 5, windows at rows/cols 0 and 2: [1, 2+3, 4+7, 5+6+8+9].
    expect(Array.from(await conv2d(x, w, { stride: 2, padding: 1 }).toArray())).toEqual([1, 5, 11, 28]);
    // The transpose scatters each input pixel over a 2 x 2 block: 3 x 3 output.
    expect(Array.from(await convTranspose2d(fromArray([1, 2, 3, 4], [1, 1, 2, 2]), w).toArray())).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  it('a 1 x 1 convolution is a matmul over channels', async () => {
    const x = rand([2, 5, 3, 4], 1, cpu, 'f64');
    const w = rand([7, 5, 1, 1], 2, cpu, 'f64');
    const want = transpose(reshape(matmul(reshape(w, [7, 5]), reshape(contiguous(transpose(x, [1, 0, 2, 3])), [5, 24])), [7, 2, 3, 4]), [1, 0, 2, 3]);
    expectClose(await conv2d(x, w).toArray(), await contiguous(want).toArray(), { rtol: 1e-12, atol: 1e-12 });
  });

  it('convTranspose2d is the adjoint of conv2d: <conv2d(x, w), y> = <x, convTranspose2d(y, w)>', async () => {
    await fc.assert(
      fc.asyncProperty(geometry, async (c) => {
        fc.pre(convOk(c));
        const cin = c.cinG * c.groups;
        const x = rand([c.n, cin, c.h, c.w], c.seed, cpu, 'f64');
        const w = rand([c.coutG * c.groups, c.cinG, c.kh, c.kw], c.seed + 1, cpu, 'f64');
        const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
        const y0 = conv2d(x, w, opts);
        const y = rand([...y0.shape], c.seed + 2, cpu, 'f64');
        // The transpose's output must be x's size: outputPadding picks it among the sizes that stride maps to one.
        const op = [0, 1].map(
          (d) => c.h * (1 - d) + c.w * d - ((y0.shape[2 + d]! - 1) * c.stride[d]! - 2 * c.padding[d]! + c.dilation[d]! * ((d ? c.kw : c.kh) - 1) + 1),
        ) as [number, number];
        fc.pre(op[0] < Math.max(c.stride[0], c.dilation[0]) && op[1] < Math.max(c.stride[1], c.dilation[1]));
        const xt = convTranspose2d(y, w, { ...opts, outputPadding: op });
        expect(xt.shape).toEqual(x.shape);
        const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i]!, 0);
        const [lhs, rhs] = [dot(await y0.toArray(), await y.toArray()), dot(await x.toArray(), await xt.toArray())];
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * (1 + Math.abs(lhs)));
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * Shapes of conv2d's pixels path on wasm (rows narrower than 8 pixels, K <= 512: 8-channel weight
 * panels, 4 pixels at a time across rows): pixel counts not a multiple of 4, CoutG not a multiple
 * of 8 (7, 9: a partial panel) and exactly 8, groups, padding, strides 1 and 2, dilation, one-pixel rows.
 */
const PIXELS_PATH: Partial<Case>[] = [
  { kh: 4, kw: 4, h: 14, w: 14, stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
  { kh: 3, kw: 3, h: 9, w: 9, stride: [1, 1], padding: [1, 1], dilation: [2, 2], coutG: 9 },
  { kh: 3, kw: 2, h: 11, w: 6, stride: [2, 1], padding: [2, 0], dilation: [1, 2], coutG: 8 },
  { kh: 2, kw: 3, h: 5, w: 3, stride: [1, 2], padding: [0, 0], dilation: [1, 1], coutG: 3 },
];

describe.each(NAMED_DEVICES)('conv on %s', (name, getDevice) => {
  for (const transposed of [false, true]) {
    const op = transposed ? 'convTranspose2d' : 'conv2d';
    it(`${op} matches the CPU twin on random geometries`, async () => {
      const device = await getDevice();
      await fc.assert(
        fc.asyncProperty(geometry, async (c) => {
          fc.pre(transposed ? convTOk(c) : convOk(c));
          const want = run(c, transposed, cpu);
          const got = run(c, transposed, device);
          expect(got.shape).toEqual(want.shape);
          expectClose(await got.toArray(), await want.toArray(), { ...tol(c), label: `${name} ${op} ${JSON.stringify(c)}` });
        }),
        { numRuns: 40 },
      );
    });
  }

  it('conv2d matches the CPU twin on the shapes with their own packing: pointwise (1 x 1, stride 1, no padding), rows of at most 5 pixels, rows of 6 or more, the pixels path', async () => {
    const device = await getDevice();
    const base = { n: 3, groups: 2, cinG: 3, coutG: 7, outputPadding: [0, 0], bias: true, seed: 5 };
    const cases = [
      { ...base, kh: 1, kw: 1, h: 5, w: 7, stride: [1, 1], padding: [0, 0], dilation: [2, 1] },
      { ...base, kh: 3, kw: 2, h: 6, w: 5, stride: [1, 1], padding: [1, 0], dilation: [1, 1] },
      { ...base, kh: 2, kw: 3, h: 7, w: 19, stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
      { ...base, kh: 3, kw: 3, h: 6, w: 13, stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
      ...PIXELS_PATH.map((c) => ({ ...base, ...c })),
      // Rows narrower than 8 pixels with K > 512 (a weight gradient's shape): the panels of 8 pixels.
      { ...base, kh: 14, kw: 14, h: 16, w: 17, stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
      { ...base, kh: 14, kw: 14, h: 15, w: 20, stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
    ] as Case[];
    for (const c of cases) {
      const want = run(c, false, cpu);
      expectClose(await run(c, false, device).toArray(), await want.toArray(), { ...tol(c), label: `${name} conv2d ${JSON.stringify(c)}` });
    }
  });

  it("padding 'same' keeps H and W; 'valid' is no padding; a strided view input is read as its values", async () => {
    const device = await getDevice();
    const x = rand([2, 3, 6, 7], 3, device);
    const w = rand([4, 3, 3, 5], 4, device);
    const same = conv2d(x, w, { padding: 'same' });
    expect(same.shape).toEqual([2, 4, 6, 7]);
    expectClose(await same.toArray(), await conv2d(x, w, { padding: [1, 2] }).toArray(), { rtol: 0, atol: 0 });
    expect(conv2d(x, w, { padding: 'valid' }).shape).toEqual([2, 4, 4, 3]);
    const xt = transpose(rand([2, 3, 7, 6], 5, device), [0, 1, 3, 2]);
    expectClose(await conv2d(xt, w).toArray(), await conv2d(contiguous(xt), w).toArray(), { rtol: 0, atol: 0 });
  });

  it('leaves only its output alive (the patch matrices, weight copies and views are freed), groups and both directions', async () => {
    const device = await getDevice();
    const c = {
      n: 2,
      groups: 2,
      cinG: 2,
      coutG: 3,
      kh: 3,
      kw: 2,
      h: 6,
      w: 5,
      stride: [2, 1],
      padding: [1, 0],
      dilation: [1, 1],
      outputPadding: [1, 0],
      bias: true,
      seed: 9,
    } as Case;
    for (const transposed of [false, true]) {
      const before = undisposedTensors(device);
      const y = run(c, transposed, device); // x, w, bias and y: four tensors
      await y.toArray(); // lets the collector free earlier tests' dropped tensors: counted either way
      expect(undisposedTensors(device) - before).toBe(4);
    }
  });

  it('rejects bad input with the same SaddleError on every device', async () => {
    const device = await getDevice();
    const t = (s: number[], dtype: 'f32' | 'i32' = 'f32') => fromArray(new Array(size(s)).fill(1), s, { device, dtype });
    expect(() => conv2d(t([1, 3, 5, 5]), t([4, 2, 3, 3]))).toThrow(
      'conv2d: x is [1, 3, 5, 5] f32 and w is [4, 2, 3, 3] f32, groups 1: expected w [Cout, Cin/groups, kH, kW] = [4, 3, 3, 3] with Cin 3 and Cout 4 divisible by groups',
    );
    expect(() => conv2d(t([1, 3, 5]), t([4, 3, 3, 3]))).toThrow(
      'conv2d: x is [1, 3, 5] f32 and w is [4, 3, 3, 3] f32: expected x [N, C, H, W] and w [Cout, Cin/groups, kH, kW], both rank 4',
    );
    expect(() => conv2d(t([1, 3, 5, 5], 'i32'), t([4, 3, 3, 3]))).toThrow(
      /conv2d: x is \[1, 3, 5, 5\] i32 and w is \[4, 3, 3, 3\] f32: expected x and w both f32/,
    );
    expect(() => conv2d(t([1, 3, 2, 2]), t([4, 3, 3, 3]))).toThrow(/conv2d: .*the padded input \[2, 2\] is smaller than the dilated kernel \[3, 3\]/);
    expect(() => conv2d(t([1, 3, 5, 5]), t([4, 3, 3, 3]), { stride: 0 })).toThrow(/conv2d: .*stride is 0; expected an integer >= 1/);
    expect(() => conv2d(t([1, 4, 5, 5]), t([4, 2, 3, 3]), { groups: 3 })).toThrow(/conv2d: .*groups 3: expected w/);
    expect(() => conv2d(t([1, 3, 5, 5]), t([4, 3, 2, 2]), { padding: 'same' })).toThrow(
      /conv2d: .*padding 'same' .*expected stride 1 and an odd effective kernel/,
    );
    expect(() => conv2d(t([1, 3, 5, 5]), t([4, 3, 3, 3]), { bias: t([3]) })).toThrow(
      'conv2d: x is [1, 3, 5, 5] f32 and w is [4, 3, 3, 3] f32, bias is [3] f32: expected bias [4] f32 (one per output channel)',
    );
    expect(() => convTranspose2d(t([1, 3, 5, 5]), t([4, 2, 3, 3]))).toThrow(/convTranspose2d: .*expected w \[Cin, Cout\/groups, kH, kW\] with Cin = 3/);
    expect(() => convTranspose2d(t([1, 3, 5, 5]), t([3, 2, 3, 3]), { stride: 2, outputPadding: 2 })).toThrow(
      /convTranspose2d: .*outputPadding \[2, 2\]; expected each less than its stride or dilation/,
    );
  });
});

describe('conv on wasm threads', () => {
  it('1 and 2 threads give the same bits (every output is summed in one order whoever computes it)', async () => {
    const [one, two] = [await wasm(1), await wasm(2)];
    const c = {
      n: 2,
      groups: 2,
      cinG: 3,
      coutG: 5,
      kh: 3,
      kw: 3,
      h: 9,
      w: 10,
      stride: [2, 1],
      padding: [1, 2],
      dilation: [1, 2],
      outputPadding: [1, 0],
      bias: true,
      seed: 42,
    } as Case;
    for (const transposed of [false, true]) {
      const [a, b] = [run(c, transposed, one), run(c, transposed, two)];
      expect(Array.from(await a.toArray())).toEqual(Array.from(await b.toArray()));
    }
    // conv2d's own packings: pointwise, rows of at most 5 pixels (panels across rows), and the
    // pixels path (rows narrower than 8 pixels, K <= 512), with channel panels cut short.
    for (const d of [
      { ...c, kh: 1, kw: 1, stride: [1, 1], padding: [0, 0] },
      { ...c, kh: 4, kw: 4, h: 12, w: 7 },
      ...PIXELS_PATH.map((p) => ({ ...c, ...p })),
      { ...c, ...PIXELS_PATH[0], n: 5, coutG: 13, bias: false },
      { ...c, kh: 14, kw: 14, h: 16, w: 17, stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
    ] as Case[]) {
      const [a, b] = [run(d, false, one), run(d, false, two)];
      expect(Array.from(await a.toArray())).toEqual(Array.from(await b.toArray()));
    }
  });
});
