/**
 * The roofline probes (ops src/probe, kernels-wasm assembly/probe/copy.ts) compute what
 * they claim: the copy probes copy every byte, and the FMA probe's chains end where the same chain
 * computed in float64 ends (so the loop ran `iters` steps and was not folded away).
 */
import { describe, expect, it } from 'vitest';
import { fromArray, Tensor } from '@saddle/tensor';
import { FMA_PROBE_FLOPS_PER_ITER, recordCopyProbe, recordFmaProbe } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { randomData } from '../support/random-data.js';

describe('roofline probes', () => {
  it('WGSL copy probe: dst is src, bit for bit; it reports read + written bytes', async () => {
    const gpu = await webgpu();
    const data = randomData(4 * 1000, 5, -3, 3);
    const src = fromArray(data, [data.length], { device: gpu });
    const dst = Tensor.empty([data.length], 'f32', gpu);
    expect(recordCopyProbe(gpu, src, dst)).toBe(8 * data.length);
    expect(Array.from(await dst.toArray())).toEqual(Array.from(data));
    expect(() => recordCopyProbe(gpu, src, Tensor.empty([8], 'f32', gpu))).toThrow(/recordCopyProbe.*expected f32 of one size/);
  });

  it('WGSL FMA probe: every thread ends its 8 chains where float64 does; flops = threads · iters · 64', async () => {
    const gpu = await webgpu();
    const workgroups = 2;
    const iters = 300;
    const out = Tensor.empty([workgroups * 256], 'f32', gpu);
    expect(recordFmaProbe(gpu, out, workgroups, iters)).toBe(workgroups * 256 * iters * FMA_PROBE_FLOPS_PER_ITER);
    const got = await out.toArray();
    const m = Math.fround(0.999999);
    const c = Math.fround(1e-7);
    for (let i = 0; i < got.length; i++) {
      let sum = 0;
      for (let j = 0; j < 8; j++) {
        let x = (i & 7) + j;
        for (let t = 0; t < iters; t++) x = x * m + c;
        sum += 4 * x;
      }
      expect(Math.abs(got[i]! - sum), `thread ${i}`).toBeLessThan(1e-4 * sum + 1e-4);
    }
  });

  it('wasm copy probe: every thread copies its share', async () => {
    const d = await wasm();
    const n = 64 * 1024;
    const src = d.alloc('f32', n);
    const dst = d.alloc('f32', n);
    const data = randomData(n, 9, -1, 1);
    (src.data as Float32Array).set(data);
    d.run('probeCopyBandwidth', [d.address(src), d.address(dst), 4 * n], Infinity);
    expect(Array.from(dst.data as Float32Array)).toEqual(Array.from(data));
    d.free(src);
    d.free(dst);
  });
});
