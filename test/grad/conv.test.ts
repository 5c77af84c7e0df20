/**
 * Gradient checks of conv2d and convTranspose2d (x, w and bias) on every device; on the CPU in
 * f64, with gradgradcheck (the rules are written in the conv ops, so they differentiate again).
 * Geometries cover stride, padding (beyond kernel − 1 too), dilation, groups and outputPadding,
 * and the sizes a strided conv2d maps to one output size (its dx needs an outputPadding).
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { conv2d, convTranspose2d, sum, mul } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

const caseArb = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  groups: fc.integer({ min: 1, max: 2 }),
  cinG: fc.integer({ min: 1, max: 2 }),
  coutG: fc.integer({ min: 1, max: 2 }),
  kh: fc.integer({ min: 1, max: 3 }),
  kw: fc.integer({ min: 1, max: 2 }),
  h: fc.integer({ min: 3, max: 5 }),
  w: fc.integer({ min: 3, max: 4 }),
  stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1 })),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  outputPadding: fc.tuple(fc.nat(1), fc.nat(1)),
  seed: fc.integer({ min: 1, max: 1e6 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const label = (c: Case) => JSON.stringify(c);

describe.each(NAMED_DEVICES)('conv gradients on %s', (_name, getDevice) => {
  it('conv2d: x, w and bias over random geometries', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        fc.pre(c.h + 2 * c.padding[0] >= c.dilation[0] * (c.kh - 1) + 1 && c.w + 2 * c.padding[1] >= c.dilation[1] * (c.kw - 1) + 1);
        const cin = c.cinG * c.groups;
        const cout = c.coutG * c.groups;
        const inputs = [data([c.n, cin, c.h, c.w], c.seed), data([cout, c.cinG, c.kh, c.kw], c.seed + 1), data([cout], c.seed + 2)];
        const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
        await check((x, w, b) => conv2d(x, w, { ...opts, bias: b }), inputs, device, { label: label(c) });
      }),
      { numRuns: device.kind === 'cpu' ? 10 : 6 },
    );
  });

  it('convTranspose2d: x, w and bias over random geometries', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const op = [c.outputPadding[0] % Math.max(c.stride[0], c.dilation[0]), c.outputPadding[1] % Math.max(c.stride[1], c.dilation[1])] as [number, number];
        fc.pre([0, 1].every((d) => ((d ? c.w : c.h) - 1) * c.stride[d]! - 2 * c.padding[d]! + c.dilation[d]! * ((d ? c.kw : c.kh) - 1) + op[d]! + 1 >= 1));
        const cin = c.cinG * c.groups;
        const cout = c.coutG * c.groups;
        const inputs = [data([c.n, cin, c.h, c.w], c.seed), data([cin, c.coutG, c.kh, c.kw], c.seed + 1), data([cout], c.seed + 2)];
        const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, outputPadding: op };
        await check((x, w, b) => convTranspose2d(x, w, { ...opts, bias: b }), inputs, device, { label: label(c) });
      }),
      { numRuns: device.kind === 'cpu' ? 10 : 6 },
    );
  });

  it("a conv net's two layers (strided conv2d then convTranspose2d back), padding 'same', no bias", async () => {
    const device = await getDevice();
    const inputs = [data([2, 2, 5, 5], 11), data([3, 2, 3, 3], 12), data([3, 2, 2, 2], 13), data([2, 2, 3, 3], 14)];
    await check((x, w1, w2, w3) => {
      const h = conv2d(x, w1, { stride: 2, padding: 1 });
      return sum(mul(convTranspose2d(h, w2, { stride: 2, padding: 1, outputPadding: 1 }), conv2d(x, w3, { padding: 'same' })), [1]);
      // scale 4: the second-order check differentiates a product of two conv paths (entries up to
      // ~5, sums of ~36 terms) by central differences, whose own error here reaches ~1e-6 relative.
    }, inputs, device, { scale: 4 });
  });
});
