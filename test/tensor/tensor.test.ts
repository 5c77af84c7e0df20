import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  cpu,
  tensor,
  fromArray,
  zeros,
  ones,
  full,
  scalar,
  tidy,
  scopeDepth,
  keep,
  memory,
  getDevice,
  createWebGpuDevice,
  SaddleError,
  Tensor,
  broadcastShapes,
  contiguousStrides,
  resolveReshape,
  type Device,
} from '@saddle/tensor';
import { add, transpose, slice } from '@saddle/ops';
import { wasm, webgpu } from '../support/devices.js';
import { undisposedTensors } from '../support/memory.js';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

/** V8's full garbage collection as a function (after the flag, a fresh context sees `gc`). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('shape helpers', () => {
  it('broadcasts like NumPy', () => {
    expect(broadcastShapes('t', [2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes('t', [], [5])).toEqual([5]);
    expect(() => broadcastShapes('add', [2, 3], [4])).toThrowError(/add: shapes \[2, 3\] and \[4\] do not broadcast/);
  });
  it('row-major strides and reshape with -1', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(resolveReshape('reshape', [2, 6], [3, -1])).toEqual([3, 4]);
    expect(() => resolveReshape('reshape', [2, 6], [5, -1])).toThrowError(/reshape: cannot reshape \[2, 6\]/);
  });
});

describe.each(['cpu', 'webgpu', 'wasm'])('tensors on %s', (name) => {
  const device = async (): Promise<Device> => (name === 'cpu' ? cpu : name === 'wasm' ? await wasm() : await webgpu());

  it('round-trips data of every dtype through the device', async () => {
    const d = await device();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 0, maxLength: 300 }), async (values) => {
        for (const dtype of name === 'cpu' ? (['f32', 'f64', 'i32'] as const) : (['f32', 'i32'] as const)) {
          const t = fromArray(values, [values.length], { device: d, dtype });
          expect(Array.from(await t.toArray())).toEqual(values);
          expect(t.dtype).toBe(dtype);
          t.dispose();
        }
      }),
      { numRuns: 10 },
    );
  });

  it('creates from nested arrays, zeros, ones, full, scalar', async () => {
    const d = await device();
    expect(
      await tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { device: d },
      ).toNested(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(await zeros([2, 3], { device: d }).toArray())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(await ones([3], { device: d }).toArray())).toEqual([1, 1, 1]);
    expect(Array.from(await full([2], -2.5, { device: d }).toArray())).toEqual([-2.5, -2.5]);
    expect(await scalar(7, { device: d }).item()).toBe(7);
    expect(() => tensor([[1, 2], [3]], { device: d })).toThrowError(/tensor: ragged nested array/);
    expect(() => fromArray([1, 2, 3], [2, 2], { device: d })).toThrowError(/fromArray: 3 values do not fill shape \[2, 2\]/);
  });

  it('reads strided views (transpose, slice) in row-major order', async () => {
    const d = await device();
    const x = fromArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4], { device: d });
    expect(await transpose(x).toNested()).toEqual([
      [0, 4, 8],
      [1, 5, 9],
      [2, 6, 10],
      [3, 7, 11],
    ]);
    expect(await slice(x, [1, 1], [2, 2]).toNested()).toEqual([
      [5, 6],
      [9, 10],
    ]);
    expect(await transpose(slice(x, [1, 1], [2, 2])).toNested()).toEqual([
      [5, 9],
      [6, 10],
    ]);
  });

  it('moves between devices', async () => {
    const d = await device();
    const other = name === 'cpu' ? await webgpu() : cpu;
    const x = fromArray([1, 2, 3], [3], { device: d });
    const y = await x.to(other);
    expect(y.device).toBe(other);
    expect(Array.from(await y.toArray())).toEqual([1, 2, 3]);
    expect(() => add(x, y)).toThrowError(/add: inputs are on different devices/);
  });

  it('tidy disposes what it created except the result and kept tensors; nested scopes hand results up', async () => {
    const d = await device();
    const before = undisposedTensors(d);
    let inner: Tensor | null = null;
    let kept: Tensor | null = null;
    const out = tidy(() => {
      const a = ones([4], { device: d });
      kept = keep(zeros([2], { device: d }));
      inner = tidy(() => add(a, a));
      return { sum: add(inner, 1) };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(Array.from(await out.sum.toArray())).toEqual([3, 3, 3, 3]);
    expect(undisposedTensors(d)).toBe(before + 2);
    out.sum.dispose();
    kept!.dispose();
    expect(undisposedTensors(d)).toBe(before);
    expect(() => tidy(() => Promise.resolve(1))).toThrowError(/tidy: the function returned a Promise/);
  });

  it('an unknown dtype is a SaddleError naming the op and the dtypes expected', async () => {
    const d = await device();
    const bad = 'f16' as unknown as 'f32';
    for (const [make, op] of [
      [() => fromArray([1, 2], [2], { dtype: bad, device: d }), 'fromArray'],
      [() => tensor([1, 2], { dtype: bad, device: d }), 'fromArray'],
      [() => zeros([2], { dtype: bad, device: d }), 'zeros'],
      [() => Tensor.empty([2], bad, d), 'empty'],
    ] as const) {
      expect(make).toThrowError(SaddleError);
      expect(make).toThrowError(new RegExp(`^${op}: unknown dtype "f16"; expected one of f32, f64, i32, u32$`));
    }
  });

  it('tidy frees what fn made when fn throws (nested scopes too), keeps kept tensors, and rethrows', async () => {
    const d = await device();
    const before = memory(d).liveTensors;
    const bytesBefore = memory(d).liveBytes;
    let made: Tensor[] = [];
    let kept: Tensor | null = null;
    const boom = new Error('boom');
    expect(() =>
      tidy(() => {
        const a = ones([64], { device: d });
        kept = keep(zeros([2], { device: d }));
        const b = tidy(() => add(a, a)); // handed up to the outer scope, then freed with it
        made = [a, b];
        tidy(() => {
          made.push(add(b, 1));
          throw boom;
        });
        return a;
      }),
    ).toThrow(boom);
    expect(made.length).toBe(3);
    expect(made.every((t) => t.isDisposed)).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(scopeDepth()).toBe(0);
    kept!.dispose();
    expect(memory(d).liveTensors).toBe(before);
    expect(memory(d).liveBytes).toBe(bytesBefore);
  });

  it('`using` disposes at the end of the block', async () => {
    const d = await device();
    let seen: Tensor;
    {
      using t = ones([3], { device: d });
      seen = t;
      expect(t.isDisposed).toBe(false);
    }
    expect(seen.isDisposed).toBe(true);
  });

  it('a disposed tensor is a clear error; views keep their storage alive', async () => {
    const d = await device();
    const x = fromArray([1, 2, 3, 4], [2, 2], { device: d });
    const v = transpose(x);
    x.dispose();
    expect(Array.from(await v.toArray())).toEqual([1, 3, 2, 4]);
    await expect(x.toArray()).rejects.toThrowError(/toArray: tensor #\d+ \[2, 2\] was disposed/);
    expect(() => x.assertAlive('relu')).toThrowError(SaddleError);
  });
});

describe('the WebGPU device', () => {
  it('batches dispatches into one submit, made when a result is read', async () => {
    const d = await webgpu();
    d.flush();
    const before = { ...d.counters };
    const x = ones([1000], { device: d });
    let y = x;
    for (let i = 0; i < 20; i++) y = add(y, 1);
    expect(d.counters.submits - before.submits).toBe(0);
    expect(d.counters.dispatches - before.dispatches).toBe(20);
    expect((await y.toArray())[999]).toBe(21);
    expect(d.counters.submits - before.submits).toBe(1);
    expect(d.counters.readbacks - before.readbacks).toBe(1);
  });

  it('reuses pooled buffers only after a submit, and keeps the data of live tensors intact', async () => {
    const d = await webgpu();
    d.flush();
    const a = fromArray([1, 2, 3, 4], [4], { device: d });
    const b = add(a, 10); // recorded, not submitted
    a.dispose(); // its buffer must not be handed out before the add has run
    const c = fromArray([100, 200, 300, 400], [4], { device: d }); // a queue.writeBuffer into a fresh buffer
    expect(Array.from(await b.toArray())).toEqual([11, 12, 13, 14]);
    expect(Array.from(await c.toArray())).toEqual([100, 200, 300, 400]);
    // After the submit, a freed buffer of the same size class is reused: no new allocation.
    const allocated = memory(d).allocatedBytes;
    b.dispose();
    d.flush();
    const e = fromArray([5, 6, 7, 8], [4], { device: d });
    expect(memory(d).allocatedBytes).toBe(allocated);
    expect(Array.from(await e.toArray())).toEqual([5, 6, 7, 8]);
  });

  it('memory() counts live tensors and bytes, and they return to the start after disposal', async () => {
    const d = await webgpu();
    d.flush();
    const start = memory(d);
    const ts = [zeros([256], { device: d }), zeros([1024], { device: d })];
    const mid = memory(d);
    expect(mid.liveTensors - start.liveTensors).toBe(2);
    expect(mid.liveBytes - start.liveBytes).toBe((256 + 1024) * 4);
    for (const t of ts) t.dispose();
    d.flush();
    const end = memory(d);
    expect(end.liveTensors).toBe(start.liveTensors);
    expect(end.liveBytes).toBe(start.liveBytes);
    expect(end.pooledBytes).toBeGreaterThan(start.pooledBytes);
  });

  it('a tensor dropped without dispose() is freed by the garbage collector and counted as collected', async () => {
    const d = await wasm();
    const start = memory(d);
    const before = undisposedTensors(d);
    // Made in a function so that nothing here refers to them once it returns.
    const drop = (): void => {
      for (let i = 0; i < 8; i++) zeros([1024], { device: d });
    };
    drop();
    expect(memory(d).liveTensors).toBe(start.liveTensors + 8);
    const gc = collector();
    for (let round = 0; round < 50 && memory(d).collectedTensors < start.collectedTensors + 8; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5)); // finalizers run as tasks
    }
    expect(memory(d).collectedTensors - start.collectedTensors).toBeGreaterThanOrEqual(8);
    expect(memory(d).liveBytes).toBeLessThanOrEqual(start.liveBytes);
    // Created-and-never-disposed is the same whether or not the collector has run.
    expect(undisposedTensors(d)).toBe(before + 8);
  });

  it('wraps a GPUDevice the caller created, and refuses f64', async () => {
    const mine = await createWebGpuDevice();
    const wrapped = await getDevice(mine.gpu);
    expect(wrapped.kind).toBe('webgpu');
    const t = fromArray([1, 2], [2], { device: wrapped });
    expect(Array.from(await add(t, t).toArray())).toEqual([2, 4]);
    expect(() => zeros([2], { device: wrapped, dtype: 'f64' })).toThrowError(/f64 is supported on the CPU only/);
    wrapped.destroy(); // does not destroy the caller's GPUDevice
    const again = fromArray([3], [1], { device: mine });
    expect(Array.from(await again.toArray())).toEqual([3]);
    mine.destroy();
  });
});
