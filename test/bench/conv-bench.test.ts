/**
 * pnpm bench conv's cases (benchmarks/src/benches/conv.ts): on small shapes, saddle (NCHW) and tfjs
 * (NHWC, transposed at set-up and back for the check) give the same values forward and backward,
 * within the case's tolerance, on tfjs's CPU backend (tf.grads) and on its wasm backend (no
 * Conv2DBackpropFilter there: the filter gradient by a forward conv2d). A wrong transposition or a
 * wrong padding mapping makes them disagree by O(1).
 */
import { describe, expect, it } from 'vitest';
import { cpu } from '@saddle/autograd';
import { convCase, convMacs, convOutSize, type ConvShape } from '../../benchmarks/src/benches/conv.js';
import { relativeError } from '../../benchmarks/src/harness.js';
import { loadTfjs } from '../../benchmarks/src/runners.js';
import { loadTfjsWasm } from '../../benchmarks/src/tfjs-wasm-module.js';

const SHAPES: ConvShape[] = [
  { name: 'conv s2', transposed: false, n: 2, cin: 3, size: 8, cout: 4, k: 4, stride: 2, pad: 1 },
  { name: 'conv 3x3 s1', transposed: false, n: 2, cin: 3, size: 6, cout: 5, k: 3, stride: 1, pad: 1 },
  { name: 'conv 5x5 s2', transposed: false, n: 1, cin: 2, size: 9, cout: 3, k: 5, stride: 2, pad: 2 },
  { name: 'convT s2', transposed: true, n: 2, cin: 4, size: 5, cout: 3, k: 4, stride: 2, pad: 1 },
];

describe('pnpm bench conv', () => {
  it('counts the output size and the multiply-adds of both directions', () => {
    expect(convOutSize(SHAPES[0]!)).toBe(4);
    expect(convOutSize(SHAPES[3]!)).toBe(10);
    // conv: every output pixel of every output channel sums Cin·k² products.
    expect(convMacs(SHAPES[0]!)).toBe(2 * 4 * 4 * 4 * 3 * 16);
    // transposed: every input pixel scatters into Cout·k² outputs.
    expect(convMacs(SHAPES[3]!)).toBe(2 * 4 * 5 * 5 * 3 * 16);
  });

  it.each(['cpu', 'wasm'] as const)('saddle and tfjs-%s agree forward and backward (layouts transposed for tfjs)', async (backend) => {
    const { tf } = await loadTfjs(new Set(['tfjs-cpu', 'tfjs-wasm']), null, loadTfjsWasm);
    expect(await tf.setBackend(backend)).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', backend) !== undefined).toBe(backend === 'cpu');
    for (const s of SHAPES) {
      for (const mode of ['fwd', 'bwd'] as const) {
        const c = convCase(s, mode);
        const a = c.saddle!({ device: cpu });
        const b = c.tfjs!({ tf, backend });
        const [x, ref] = [await a.output!(), await b.output!()];
        a.dispose();
        b.dispose();
        expect(x.length, c.label).toBe(ref.length);
        expect(relativeError(x, ref), `${backend} ${c.label}`).toBeLessThanOrEqual(c.tolerance!);
      }
    }
  });
});
