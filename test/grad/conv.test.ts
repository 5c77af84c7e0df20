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
import { conv2dFits, convCase, convTranspose2dFits, type ConvCase } from '../support/conv.js';

const caseArb = convCase({ n: 2, groups: 2, cinG: 2, coutG: 2, kh: 3, kw: 2, h: [3, 5], w: [3, 4], stride: 2, padding: [3, 1], dilation: 2 });

const label = (c: ConvCase) => JSON.stringify(c);

describe.each(NAMED_DEVICES)('conv gradients on %s', (_name, getDevice) => {
  it('conv2d: x, w and bias over random geometries', async () => {
    const device = await getDevice();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        fc.pre(conv2dFits(c));
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
        fc.pre(convTranspose2dFits(c));
        const cin = c.cinG * c.groups;
        const cout = c.coutG * c.groups;
        const inputs = [data([c.n, cin, c.h, c.w], c.seed), data([cin, c.coutG, c.kh, c.kw], c.seed + 1), data([cout], c.seed + 2)];
        const opts = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, outputPadding: c.outputPadding };
        await check((x, w, b) => convTranspose2d(x, w, { ...opts, bias: b }), inputs, device, { label: label(c) });
      }),
      { numRuns: device.kind === 'cpu' ? 10 : 6 },
    );
  });

  it('pointwise (1 x 1, stride 1, no padding) conv2d and convTranspose2d, groups 1 and 2: the weight gradient as a matmul', async () => {
    const device = await getDevice();
    for (const groups of [1, 2]) {
      const inputs = [data([3, 4, 3, 2], 21), data([6, 4 / groups, 1, 1], 22), data([6, 4 / groups, 1, 1], 23)];
      await check((x, w1, w2) => convTranspose2d(conv2d(x, w1, { groups }), w2, { groups }), inputs, device, { label: `groups ${groups}` });
    }
  });

  it("a conv net's two layers (strided conv2d then convTranspose2d back), padding 'same', no bias", async () => {
    const device = await getDevice();
    const inputs = [data([2, 2, 5, 5], 11), data([3, 2, 3, 3], 12), data([3, 2, 2, 2], 13), data([2, 2, 3, 3], 14)];
    await check(
      (x, w1, w2, w3) => {
        const h = conv2d(x, w1, { stride: 2, padding: 1 });
        return sum(mul(convTranspose2d(h, w2, { stride: 2, padding: 1, outputPadding: 1 }), conv2d(x, w3, { padding: 'same' })), [1]);
        // scale 4: the second-order check differentiates a product of two conv paths (entries up to
        // ~5, sums of ~36 terms) by central differences, whose own error here reaches ~1e-6 relative.
      },
      inputs,
      device,
      { scale: 4 },
    );
  });
});
