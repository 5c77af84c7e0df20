/**
 * Random convolution geometries for the conv tests (kernels and gradients): shapes and options,
 * within limits the caller picks, and whether each direction gives an output of at least 1 x 1.
 */
import fc from 'fast-check';

/** The largest value of each drawn size (channels per group, kernel, input, stride, padding, dilation). */
export interface ConvLimits {
  n: number;
  groups: number;
  cinG: number;
  coutG: number;
  kh: number;
  kw: number;
  h: [number, number];
  w: [number, number];
  stride: number;
  padding: [number, number];
  dilation: number;
}

/** A random convolution; outputPadding is already reduced below stride or dilation (PyTorch's rule). */
export function convCase(l: ConvLimits) {
  const two = (max: number, min = 1) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }));
  return fc
    .record({
      n: fc.integer({ min: 1, max: l.n }),
      groups: fc.integer({ min: 1, max: l.groups }),
      cinG: fc.integer({ min: 1, max: l.cinG }),
      coutG: fc.integer({ min: 1, max: l.coutG }),
      kh: fc.integer({ min: 1, max: l.kh }),
      kw: fc.integer({ min: 1, max: l.kw }),
      h: fc.integer({ min: l.h[0], max: l.h[1] }),
      w: fc.integer({ min: l.w[0], max: l.w[1] }),
      stride: two(l.stride),
      padding: fc.tuple(fc.integer({ min: 0, max: l.padding[0] }), fc.integer({ min: 0, max: l.padding[1] })),
      dilation: two(l.dilation),
      outputPadding: two(2, 0),
      bias: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1e6 }),
    })
    .map((c) => ({
      ...c,
      outputPadding: [c.outputPadding[0] % Math.max(c.stride[0], c.dilation[0]), c.outputPadding[1] % Math.max(c.stride[1], c.dilation[1])] as [number, number],
    }));
}

/** A drawn case. */
export type ConvCase = ReturnType<typeof convCase> extends fc.Arbitrary<infer T> ? T : never;

/** Whether conv2d of the case has an output (the padded input covers the dilated kernel). */
export function conv2dFits(c: ConvCase): boolean {
  return c.h + 2 * c.padding[0] >= c.dilation[0] * (c.kh - 1) + 1 && c.w + 2 * c.padding[1] >= c.dilation[1] * (c.kw - 1) + 1;
}

/** Whether convTranspose2d of the case has an output (the padding does not crop it all). */
export function convTranspose2dFits(c: ConvCase): boolean {
  return [0, 1].every(
    (d) => ((d ? c.w : c.h) - 1) * c.stride[d]! - 2 * c.padding[d]! + c.dilation[d]! * ((d ? c.kw : c.kh) - 1) + c.outputPadding[d]! + 1 >= 1,
  );
}
