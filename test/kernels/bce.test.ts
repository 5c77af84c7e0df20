import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Params, Tensor, contiguousStrides, cpu, fromArray, type Device, type DType } from '@saddle/tensor';
import { ACTIVATION_WGSL, FLAT_WORKGROUP, activationMath, grid1d, sigmoidBce, sigmoidBceGrad } from '@saddle/ops';
import { allDevices, kernelDevices, wasm, webgpu } from '../support/devices.js';
import { expectClose, expectUlps } from '../support/compare.js';
import { randomNumbers as randomData } from '../support/random-data.js';

const EPS32 = 2 ** -23;
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** `data` (dense for `shape`) as a tensor of `shape`, optionally as a reversed-dims transposed view. */
function make(device: Device, data: readonly number[], shape: readonly number[], transposed: boolean, dtype: DType = 'f32'): Tensor {
  if (!transposed || shape.length < 2) return fromArray(data, shape, { device, dtype });
  // Store the data transposed (dims reversed), then view it back as `shape`.
  const rev = [...shape].reverse();
  const revStrides = contiguousStrides(rev);
  const stored = new Array<number>(data.length);
  const strides = [...revStrides].reverse();
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    let at = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      at += (rem % shape[d]!) * strides[d]!;
      rem = Math.floor(rem / shape[d]!);
    }
    stored[at] = data[i]!;
  }
  const base = fromArray(stored, [data.length], { device, dtype });
  const v = base.view(shape, strides, 0);
  base.dispose();
  return v;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

interface Case {
  shape: number[];
  seed: number;
  range: number;
  target: 'tensor' | 'binary' | number;
  zT: boolean;
  tT: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 4 }),
  seed: fc.integer(),
  range: fc.constantFrom(1, 10, 100, 1e4),
  target: fc.oneof(fc.constantFrom<'tensor' | 'binary'>('tensor', 'binary'), fc.constantFrom(0, 1, 0.25)),
  zT: fc.boolean(),
  tT: fc.boolean(),
});

function build(device: Device, c: Case, dtype: DType = 'f32') {
  const n = size(c.shape);
  const z = randomData(n, c.seed, -c.range, c.range);
  const logits = make(device, z, c.shape, c.zT, dtype);
  let t: number[] | number;
  if (c.target === 'tensor') t = randomData(n, c.seed ^ 0x5bd1e995, 0, 1);
  else if (c.target === 'binary') t = randomData(n, c.seed ^ 0x5bd1e995, 0, 2).map(Math.floor);
  else t = c.target;
  const targets = typeof t === 'number' ? t : make(device, t, c.shape, c.tT, dtype);
  return { z, t, logits, targets };
}

/** Mean over the elements of |z| (1 + |t|) + 1: the magnitude each loss term's rounding scales with. */
function lossMagnitude(z: number[], t: number[] | number): number {
  return z.reduce((a, v, i) => a + Math.abs(v) * (1 + Math.abs(typeof t === 'number' ? t : t[i]!)) + 1, 0) / z.length;
}

/**
 * f32 error bound of the mean loss on `device`. WebGPU: each term's rounding plus a tree of f32
 * sums. wasm: each term is within ~4 eps of its magnitude (max, product and difference: 3
 * roundings; exp and the log1p series: a few ULPs of a term <= ln 2 + |z| (1 + |t|)), and the sum
 * is in doubles (one f32 rounding per 1024 terms), so 8 eps of the mean magnitude covers it.
 */
function lossAtol(z: number[], t: number[] | number, device?: Device): number {
  const mag = lossMagnitude(z, t);
  if (device?.kind === 'wasm') return 8 * EPS32 * mag;
  return (Math.log2(z.length + 1) + 24) * EPS32 * mag;
}

describe('sigmoidBce', () => {
  it('matches the CPU twin on WebGPU and wasm: random shapes, logits up to +-1e4, tensor and number targets, strided views', async () => {
    const devices = await kernelDevices();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const h = build(cpu, c);
        const want = sigmoidBce(h.logits, h.targets);
        for (const gpu of devices) {
          const g = build(gpu, c);
          const got = sigmoidBce(g.logits, g.targets);
          expect(got.shape).toEqual([]);
          const v = await got.item();
          expect(Number.isFinite(v)).toBe(true);
          expectClose([v], [await want.item()], { atol: lossAtol(g.z, g.t, gpu), rtol: 1e-6, label: `${gpu.name} ${JSON.stringify(c)}` });
        }
      }),
      { numRuns: 25 },
    );
  });

  it('is finite and exact at logits of +-100 and +-1e4', async () => {
    for (const gpu of await kernelDevices()) {
      const z = [-1e4, -100, -30, 0, 30, 100, 1e4];
      for (const [t, want] of [
        [1, [1e4, 100, 30 + 9.357623e-14, Math.LN2, 9.357623e-14, 3.7e-44, 0]],
        [0, [0, 3.7e-44, 9.357623e-14, Math.LN2, 30 + 9.357623e-14, 100, 1e4]],
      ] as const) {
        for (let i = 0; i < z.length; i++) {
          const got = await sigmoidBce(fromArray([z[i]!], [1], { device: gpu }), t).item();
          expect(Number.isFinite(got)).toBe(true);
          expectClose([got], [want[i]!], { atol: 1e-6, rtol: 1e-6, label: `z=${z[i]} t=${t}` });
        }
        const all = await sigmoidBce(fromArray(z, [z.length], { device: gpu }), t).item();
        expectClose([all], [want.reduce((a, b) => a + b, 0) / z.length], { atol: 1e-3, rtol: 1e-6 });
      }
      // log(1 + exp(-|z|)) keeps its tiny values (log1p), e.g. z = -20, t = 0: the loss is 2.06e-9.
      const tiny = await sigmoidBce(fromArray([-20], [1], { device: gpu }), 0).item();
      expectClose([tiny], [Math.log1p(Math.exp(-20))], { atol: 0, rtol: 1e-4 });
    }
  });

  it('long inputs (two passes): 100k elements, tolerance scaling with the count', async () => {
    for (const gpu of await kernelDevices()) {
      for (const [n, range, seed] of [
        [100_000, 100, 1],
        [4096 * 3 + 5, 1e4, 2],
        [4097, 5, 3],
      ] as const) {
        const z = randomData(n, seed, -range, range);
        const t = randomData(n, seed + 7, 0, 2).map(Math.floor);
        for (const target of [t, 1, 0] as const) {
          const tg = typeof target === 'number' ? target : fromArray(target, [n], { device: gpu });
          const tc = typeof target === 'number' ? target : fromArray(target, [n], { device: cpu });
          const got = await sigmoidBce(fromArray(z, [n], { device: gpu }), tg).item();
          const want = await sigmoidBce(fromArray(z, [n], { device: cpu }), tc).item();
          expectClose([got], [want], { atol: lossAtol(z, target, gpu), rtol: 1e-6, label: `n=${n} on ${gpu.name}` });
        }
      }
    }
  });

  it('1 and 2 wasm threads give the same bits (loss and gradient)', async () => {
    const n = 30_001;
    const z = randomData(n, 5, -30, 30);
    const t = randomData(n, 6, 0, 1);
    const results = [];
    for (const d of [await wasm(1), await wasm(2)]) {
      const zt = fromArray(z, [n], { device: d });
      const tt = fromArray(t, [n], { device: d });
      results.push([await sigmoidBce(zt, tt).item(), await sigmoidBce(zt, 1).item(), Array.from(await sigmoidBceGrad(zt, tt, 0.5).toArray())]);
    }
    expect(results[1]).toEqual(results[0]);
  });

  it('f64 on the CPU, and an empty input', async () => {
    const z = [0.5, -3, 1e-9, 40];
    const t = [1, 0, 0.5, 0.75];
    const want = z.reduce((a, v, i) => a + Math.max(v, 0) - v * t[i]! + Math.log1p(Math.exp(-Math.abs(v))), 0) / z.length;
    const got = sigmoidBce(fromArray(z, [2, 2], { device: cpu, dtype: 'f64' }), fromArray(t, [2, 2], { device: cpu, dtype: 'f64' }));
    expect(got.dtype).toBe('f64');
    expectClose([await got.item()], [want], { atol: 1e-15, rtol: 1e-14 });
    for (const d of await allDevices()) {
      expect(await sigmoidBce(fromArray([], [0, 3], { device: d }), 1).item()).toBeNaN();
      expect(sigmoidBceGrad(fromArray([], [0, 3], { device: d }), 1).shape).toEqual([0, 3]);
    }
  });
});

describe('sigmoidBceGrad', () => {
  it('matches the CPU twin on WebGPU and wasm, with number and tensor scales', async () => {
    for (const gpu of await kernelDevices()) {
      await fc.assert(
        fc.asyncProperty(
          caseArb,
          fc.oneof(
            fc.double({ min: -3, max: 3, noNaN: true }),
            fc.record({ value: fc.double({ min: -3, max: 3, noNaN: true }), shape: fc.constantFrom([], [1], [1, 1]), pad: fc.integer({ min: 0, max: 3 }) }),
          ),
          async (c, scale) => {
            const g = build(gpu, c);
            const h = build(cpu, c);
            const scaleOn = (d: Device) => {
              if (typeof scale === 'number') return scale;
              // A one-element view at an offset into a larger buffer.
              const base = fromArray([9, 9, 9, scale.value], [4], { device: d });
              const v = base.view(
                scale.shape,
                scale.shape.map(() => 1),
                3,
              );
              base.dispose();
              return v;
            };
            const got = sigmoidBceGrad(g.logits, g.targets, scaleOn(gpu));
            const want = sigmoidBceGrad(h.logits, h.targets, scaleOn(cpu));
            expect(got.shape).toEqual(c.shape);
            const s = Math.abs(typeof scale === 'number' ? scale : scale.value);
            const n = size(c.shape);
            expectClose(await got.toArray(), await want.toArray(), { atol: (4 * EPS32 * (s + 1)) / n, rtol: 1e-5 });
          },
        ),
        { numRuns: 25 },
      );
    }
  });

  it('is the derivative of the loss (central differences in f64 on the CPU)', async () => {
    await fc.assert(
      fc.asyncProperty(
        caseArb.filter((c) => c.range <= 10),
        fc.double({ min: -2, max: 2, noNaN: true }),
        async (c, scale) => {
          const h = build(cpu, c, 'f64');
          const grad = Array.from(await sigmoidBceGrad(h.logits, h.targets, fromArray([scale], [], { device: cpu, dtype: 'f64' })).toArray());
          const zs = Array.from(await h.logits.toArray());
          const loss = (zz: number[]) => sigmoidBce(fromArray(zz, c.shape, { device: cpu, dtype: 'f64' }), h.targets).storage.data![0]!;
          const e = 1e-6;
          for (let i = 0; i < zs.length; i++) {
            const up = [...zs];
            const dn = [...zs];
            up[i]! += e;
            dn[i]! -= e;
            const fd = ((loss(up) - loss(dn)) / (2 * e)) * scale;
            expect(Math.abs(grad[i]! - fd)).toBeLessThan(1e-8);
          }
          // And the closed form.
          const tArr = typeof h.targets === 'number' ? zs.map(() => h.targets as number) : Array.from(await h.targets.toArray());
          expectClose(
            grad,
            zs.map((z, i) => ((sigmoid(z) - tArr[i]!) / zs.length) * scale),
            { atol: 1e-16, rtol: 1e-12 },
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it('stays finite and exact at logits of +-100 and +-1e4', async () => {
    for (const gpu of await kernelDevices()) {
      const z = fromArray([-1e4, -100, 0, 100, 1e4], [5], { device: gpu });
      const g1 = await sigmoidBceGrad(z, 1).toArray();
      const g0 = await sigmoidBceGrad(z, 0, 5).toArray();
      expect([...g1, ...g0].every(Number.isFinite)).toBe(true);
      expectClose(g1, [-0.2, -0.2, -0.1, 0, 0], { atol: 1e-30, rtol: 1e-7 });
      expectClose(g0, [0, 0, 0.5, 1, 1], { atol: 1e-30, rtol: 1e-7 });
    }
  });
});

describe('errors', () => {
  it('names the op, the shapes and what was expected', async () => {
    for (const gpu of await kernelDevices()) {
      const z = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
      const tBad = fromArray([1, 0, 1], [3], { device: gpu });
      expect(() => sigmoidBce(z, tBad)).toThrowError(
        /sigmoidBce: logits have shape \[2, 3\] but targets have shape \[3\]; expected targets of the logits' shape/,
      );
      expect(() => sigmoidBceGrad(z, tBad)).toThrowError(/sigmoidBceGrad: logits have shape \[2, 3\] but targets have shape \[3\]/);
      const tCpu = fromArray([1, 0, 1, 0, 1, 0], [2, 3], { device: cpu });
      expect(() => sigmoidBce(z, tCpu)).toThrowError(/sigmoidBce: inputs are on different devices/);
      expect(() => sigmoidBceGrad(z, 1, fromArray([1], [], { device: cpu }))).toThrowError(/sigmoidBceGrad: inputs are on different devices/);
      expect(() => sigmoidBceGrad(z, 1, fromArray([1, 2], [2], { device: gpu }))).toThrowError(
        /sigmoidBceGrad: scale has shape \[2\]; expected a number or a one-element tensor/,
      );
      expect(() => sigmoidBceGrad(z, 1, fromArray([1], [], { device: gpu, dtype: 'i32' }))).toThrowError(
        /sigmoidBceGrad: scale has dtype i32 but logits have f32/,
      );
      expect(() => sigmoidBce(fromArray([1, 2], [2], { device: gpu, dtype: 'i32' }), 1)).toThrowError(/sigmoidBce: logits have dtype i32; expected f32/);
      expect(() => sigmoidBce(z, fromArray([1, 0, 1, 0, 1, 0], [2, 3], { device: gpu, dtype: 'i32' }))).toThrowError(/sigmoidBce: dtypes differ/);
      expect(() => sigmoidBce(z, NaN)).toThrowError(/sigmoidBce: target is NaN/);
      z.dispose();
      expect(() => sigmoidBce(z, 1)).toThrowError(/sigmoidBce: tensor #\d+ \[2, 3\] was disposed/);
    }
  });
});

/** The exact loss of one logit in doubles: log(1 + exp(z)) - z t, written without overflow. */
const exactBce = (t: number) => (z: number) => Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
const exactSigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** Logits from -100 to 100 in steps of 2^-8, and the edges. */
function logitGrid(): Float32Array {
  const xs: number[] = [];
  for (let i = -100 * 256; i <= 100 * 256; i++) xs.push(i / 256);
  xs.push(1e-8, -1e-8, 1e-30, -1e-30, 3.4e38, -3.4e38, 0, -0);
  return new Float32Array(xs);
}

/**
 * Accuracy against float64, in f32 ulps. The tolerance of 4 ulps on WebGPU is argued in
 * test/kernels/elementwise.test.ts (the same shared WGSL functions: exp, log1p, one multiply-add);
 * the CPU twin computes in doubles and rounds once (1 ulp). The old kernel was 17% off at z = -15.
 */
describe('sigmoidBce numerics: within a few ulps of float64 for logits -100..100, on both devices', () => {
  // wasm: the same bce/sigmoid chain on shared/math.ts's exp and log (about 1 ulp each, IEEE steps).
  const ULPS = { cpu: 1, webgpu: 4, wasm: 4 } as const;

  it('per element, through the shared bce() the loss kernel runs (every logit of the grid, targets 0, 1, 0.3)', async () => {
    const gpu = await webgpu();
    const zs = logitGrid();
    for (const t of [0, 1, Math.fround(0.3)]) {
      const z = fromArray(zs, [zs.length], { device: gpu });
      const out = Tensor.empty([zs.length], 'f32', gpu);
      gpu.dispatch({
        label: 'bce-probe',
        code: `struct Params { n: u32, t: f32, _a: u32, _b: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> zs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ACTIVATION_WGSL}
@compute @workgroup_size(${FLAT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${FLAT_WORKGROUP}u;
  if (i < p.n) { out[i] = bce(zs[i], p.t); }
}`,
        params: new Params().u32(zs.length).f32(t).u32(0, 0).finish(),
        buffers: [z.storage, out.storage],
        workgroups: grid1d(zs.length),
      });
      expectUlps(zs, await out.toArray(), exactBce(t), ULPS.webgpu, `bce(z, ${t}) on webgpu`);
      expectUlps(zs, new Float32Array(Array.from(zs, (v) => activationMath.bceTerm(v, t))), exactBce(t), ULPS.cpu, `bceTerm(z, ${t})`);
      z.dispose();
      out.dispose();
    }
  });

  it("end to end: the loss of one logit (fast-check over -100..100, the issue's z = -15 case), and the gradient kernel's sigmoid over the grid", async () => {
    for (const device of await allDevices()) {
      const tol = ULPS[device.kind];
      const lossOf = async (z: number, t: number) => sigmoidBce(fromArray([z], [1], { device }), t).item();
      // z = -15, target 0: exactly 3.059022e-7; the old WebGPU kernel gave 3.58e-7.
      expectUlps([Math.fround(-15)], [await lossOf(-15, 0)], exactBce(0), tol, `sigmoidBce on ${device.kind}`);
      await fc.assert(
        fc.asyncProperty(fc.float({ min: -100, max: 100, noNaN: true }), fc.constantFrom(0, 1, Math.fround(0.3)), async (z, t) => {
          expectUlps([z], [await lossOf(z, t)], exactBce(t), tol, `sigmoidBce(z, ${t}) on ${device.kind}`);
        }),
        { numRuns: 150 },
      );
      // With target 0 and scale n, the gradient kernel writes sigmoid(z) itself.
      const zs = logitGrid();
      const grad = await sigmoidBceGrad(fromArray(zs, [zs.length], { device }), 0, zs.length).toArray();
      expectUlps(zs, grad, exactSigmoid, tol, `sigmoidBceGrad's sigmoid on ${device.kind}`);
    }
  });
});
