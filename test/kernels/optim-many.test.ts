/**
 * The multi-tensor SGD update: one dispatch for up to sgdMomentumTensorsPerDispatch(device) tensors,
 * several when there are more. Checked against the CPU twin (sgdMomentumCpu per tensor), against the
 * per-tensor kernel (the same bits), and by counting dispatches.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, SaddleError, type Device, type Tensor, type WebGpuDevice } from '@saddle/tensor';
import { SGD_MAX_TENSORS_PER_DISPATCH, sgdMomentumTensorsPerDispatch, sgdMomentumUpdateMany } from '@saddle/ops';
import { kernelDevices, wasm, webgpu } from '../support/devices.js';
import { expectClose } from '../support/compare.js';

/** Odd sizes: empty, one element, around the 256-thread workgroup, and small random ones. */
const sizeArb = fc.oneof(fc.constantFrom(0, 1, 3, 255, 256, 257, 1030), fc.integer({ min: 1, max: 40 }));
const hpArb = fc.record({
  lr: fc.oneof(fc.constantFrom(0, 0.1), fc.double({ min: 0, max: 2, noNaN: true })),
  momentum: fc.oneof(fc.constantFrom(0, 0.5, 0.9), fc.double({ min: 0, max: 1, noNaN: true })),
  weightDecay: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
});

/** Deterministic values of one tensor: in [-m, m], f32-exact. */
function values(n: number, seed: number, m: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 4294967296) * 2 * m - m);
  });
}

interface Model {
  ps: Tensor[];
  gs: Tensor[];
  vs: Tensor[];
}

/**
 * One (param, grad, velocity) triple per size; with `viewGrads`, every other tensor of even size is
 * [2, n/2] and its grad a transposed view (stored [n/2, 2]), which the op makes dense first.
 */
function model(device: Device, sizes: readonly number[], seed: number, viewGrads = false): Model {
  const m: Model = { ps: [], gs: [], vs: [] };
  sizes.forEach((n, t) => {
    const g = values(n, seed + 3 * t + 1, 10);
    const strided = viewGrads && t % 2 === 1 && n > 1 && n % 2 === 0;
    const shape = strided ? [2, n / 2] : [n];
    m.ps.push(fromArray(values(n, seed + 3 * t, 10), shape, { device }));
    m.vs.push(fromArray(values(n, seed + 3 * t + 2, 1), shape, { device }));
    if (strided) {
      const half = n / 2;
      const stored = new Array<number>(n);
      for (let r = 0; r < 2; r++) for (let c = 0; c < half; c++) stored[c * 2 + r] = g[r * half + c]!;
      const base = fromArray(stored, [half, 2], { device });
      m.gs.push(base.view([2, half], [1, 2], 0));
      base.dispose();
    } else {
      m.gs.push(fromArray(g, shape, { device }));
    }
  });
  return m;
}

async function read(ts: readonly Tensor[]): Promise<number[][]> {
  return Promise.all(ts.map(async (t) => Array.from(await t.toArray())));
}

describe('sgdMomentumUpdateMany, multi-tensor', () => {
  it('binds a third of maxStorageBuffersPerShaderStage per dispatch', async () => {
    const gpu = await webgpu();
    const limit = gpu.limits.maxStorageBuffersPerShaderStage;
    expect(limit).toBeGreaterThanOrEqual(8);
    expect(sgdMomentumTensorsPerDispatch(gpu)).toBe(Math.min(SGD_MAX_TENSORS_PER_DISPATCH, Math.floor(limit / 3)));
    expect(sgdMomentumTensorsPerDispatch(cpu)).toBe(Infinity);
    expect(sgdMomentumTensorsPerDispatch(await wasm())).toBe(SGD_MAX_TENSORS_PER_DISPATCH);
  });

  it('matches the CPU twin, and the per-tensor kernel bit for bit: many tensors of odd sizes, over several steps', async () => {
    const gpu = await webgpu();
    const w = await wasm();
    await fc.assert(
      fc.asyncProperty(fc.array(sizeArb, { minLength: 1, maxLength: 14 }), hpArb, fc.integer({ min: 1, max: 1e6 }), async (sizes, hp, seed) => {
        const onCpu = model(cpu, sizes, seed);
        // wasm, multi-tensor and per tensor: both the CPU twin's bits (f64 update, see the kernel).
        const wMulti = model(w, sizes, seed, true);
        const wSingle = model(w, sizes, seed, true);
        const multi = model(gpu, sizes, seed, true);
        const single = model(gpu, sizes, seed, true);
        for (let step = 0; step < 3; step++) {
          sgdMomentumUpdateMany(onCpu.ps, onCpu.gs, onCpu.vs, hp);
          sgdMomentumUpdateMany(multi.ps, multi.gs, multi.vs, hp);
          sgdMomentumUpdateMany(single.ps, single.gs, single.vs, hp, { tensorsPerDispatch: 1 });
          sgdMomentumUpdateMany(wMulti.ps, wMulti.gs, wMulti.vs, hp);
          sgdMomentumUpdateMany(wSingle.ps, wSingle.gs, wSingle.vs, hp, { tensorsPerDispatch: 1 });
        }
        const [wmp, wmv, wsp, wsv] = await Promise.all([read(wMulti.ps), read(wMulti.vs), read(wSingle.ps), read(wSingle.vs)]);
        const [cp, cv, mp, mv, sp, sv, mg] = await Promise.all([
          read(onCpu.ps),
          read(onCpu.vs),
          read(multi.ps),
          read(multi.vs),
          read(single.ps),
          read(single.vs),
          read(multi.gs),
        ]);
        expect(mp).toEqual(sp);
        expect(mv).toEqual(sv);
        expect(wmp).toEqual(cp);
        expect(wmv).toEqual(cv);
        expect(wsp).toEqual(cp);
        expect(wsv).toEqual(cv);
        sizes.forEach((_, t) => {
          // Three steps of f32 rounding; magnitudes are at most ~100.
          expectClose(mp[t]!, cp[t]!, { atol: 2e-5, rtol: 1e-5, label: `param ${t} of [${sizes.join(', ')}]` });
          expectClose(mv[t]!, cv[t]!, { atol: 2e-5, rtol: 1e-5, label: `velocity ${t} of [${sizes.join(', ')}]` });
          // The gradients are read, not written.
          expect(mg[t]).toEqual(values(sizes[t]!, seed + 3 * t + 1, 10));
        });
      }),
      { numRuns: 15 },
    );
  });

  it('counts: one dispatch per group of up to T tensors, spread evenly; T = 1 is one per tensor', async () => {
    const gpu: WebGpuDevice = await webgpu();
    const T = sgdMomentumTensorsPerDispatch(gpu);
    const hp = { lr: 0.01, momentum: 0.9 };
    for (const count of [1, 2, T, T + 1, 2 * T + 3, 3 * T]) {
      const sizes = Array.from({ length: count }, (_, t) => 1 + ((t * 37) % 300));
      const m = model(gpu, sizes, count);
      const dispatches = (opts?: { tensorsPerDispatch: number }) => {
        const before = gpu.counters.dispatches;
        sgdMomentumUpdateMany(m.ps, m.gs, m.vs, hp, opts);
        return gpu.counters.dispatches - before;
      };
      expect(dispatches(), `${count} tensors`).toBe(Math.ceil(count / T));
      expect(dispatches({ tensorsPerDispatch: 1 })).toBe(count);
      expect(dispatches({ tensorsPerDispatch: 2 })).toBe(Math.ceil(count / 2));
      // Empty tensors take no thread and no dispatch.
      const e = model(gpu, [0, 0], 1);
      const before = gpu.counters.dispatches;
      sgdMomentumUpdateMany([...m.ps, ...e.ps], [...m.gs, ...e.gs], [...m.vs, ...e.vs], hp);
      expect(gpu.counters.dispatches - before).toBe(Math.ceil(count / T));
    }
  });

  it('more tensors than one dispatch binds, with a large one among them: every element updated once', async () => {
    for (const gpu of await kernelDevices()) {
      const T = sgdMomentumTensorsPerDispatch(gpu);
      const sizes = Array.from({ length: 2 * T + 1 }, (_, t) => (t === 1 ? 100_003 : 5 + t));
      const onGpu = model(gpu, sizes, 77);
      const onCpu = model(cpu, sizes, 77);
      const hp = { lr: 0.5, momentum: 0, weightDecay: 0 };
      sgdMomentumUpdateMany(onGpu.ps, onGpu.gs, onGpu.vs, hp);
      sgdMomentumUpdateMany(onCpu.ps, onCpu.gs, onCpu.vs, hp);
      const [gp, cp] = await Promise.all([read(onGpu.ps), read(onCpu.ps)]);
      sizes.forEach((_, t) => expectClose(gp[t]!, cp[t]!, { atol: 1e-5, rtol: 1e-6, label: `param ${t} on ${gpu.name}` }));
    }
  });

  it('1 and 2 wasm threads give the same bits (many tensors split across the threads)', async () => {
    const sizes = [3, 100_003, 17, 40_000, 1];
    const hp = { lr: 0.03, momentum: 0.9, weightDecay: 1e-4 };
    const out = [];
    for (const device of [await wasm(1), await wasm(2)]) {
      const m = model(device, sizes, 5);
      for (let step = 0; step < 2; step++) sgdMomentumUpdateMany(m.ps, m.gs, m.vs, hp);
      out.push([await read(m.ps), await read(m.vs)]);
    }
    expect(out[1]).toEqual(out[0]);
  });

  it("rejects a grad that is another tensor's param, and a bad tensorsPerDispatch; touches nothing", async () => {
    for (const gpu of await kernelDevices()) {
      const m = model(gpu, [4, 4], 3);
      const hp = { lr: 0.1, momentum: 0.9 };
      expect(() => sgdMomentumUpdateMany(m.ps, [m.gs[0]!, m.ps[0]!], m.vs, hp)).toThrowError(
        /sgdMomentumUpdateMany: tensor 1: its grad shares storage with another tensor's param or velocity/,
      );
      expect(() => sgdMomentumUpdateMany(m.ps, m.gs, m.vs, hp, { tensorsPerDispatch: 0 })).toThrowError(/tensorsPerDispatch is 0; expected a positive integer/);
      expect(() => sgdMomentumUpdateMany([m.ps[0]!, fromArray([1, 2, 3, 4], [4], { device: cpu })], m.gs, m.vs, hp)).toThrowError(SaddleError);
      expect(await read(m.ps)).toEqual([values(4, 3, 10), values(4, 6, 10)]);
    }
  });
});
