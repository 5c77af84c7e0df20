import { describe, it, expect } from 'vitest';
import { cpu, fromArray, full, getDevice, memory, sizeClass, tensor, WasmHeap, zeros, type WasmDevice } from '@saddle/tensor';
import { add, argmax, asGpu, concat, exp, f16Matrix, matmul, matmulF16, mul, sum, transpose } from '@saddle/ops';
import { relaxedSimdSupported } from '@saddle/kernels-wasm';
import { wasm } from '../support/devices.js';

describe('the wasm device', () => {
  it('is created by getDevice with a thread count, and names itself', async () => {
    const d = (await getDevice('wasm', { threads: 1 })) as WasmDevice;
    try {
      expect(d.kind).toBe('wasm');
      expect(d.threads).toBe(1);
      expect(d.units).toBe(1);
      expect(d.name).toBe(`wasm (1 thread, ${d.build})`);
      expect(d.build).toBe(relaxedSimdSupported() ? 'relaxed-simd' : 'simd128');
      expect(Array.from(await add(fromArray([1, 2], [2], { device: d }), 1).toArray())).toEqual([2, 3]);
    } finally {
      d.destroy();
    }
    expect(() => zeros([2], { device: d })).toThrowError(/alloc: device wasm \(1 thread, (relaxed-simd|simd128)\) was destroyed/);
    await expect(getDevice('wasm', { threads: 0 })).rejects.toThrowError(/wasm: threads is 0; expected an integer >= 1/);
  });

  it('a kernel that traps on a worker is an error on the caller, and the pool keeps working', async () => {
    const d = await wasm(2);
    expect(d.units).toBeGreaterThanOrEqual(2);
    const x = zeros([4096], { device: d });
    const out = zeros([4096], { device: d });
    // Op code 99 does not exist: every unit of the job reaches `unreachable`.
    const bad = () => d.run('unaryF32', [99, 4096, d.address(x.storage), d.address(out.storage), 1, d.ints([4096, 1])], 4096);
    expect(bad).toThrowError(/unreachable|failed on a worker/);
    // @ts-expect-error: no such export (the declaration says so at compile time; this checks the run-time error)
    expect(() => d.run('noSuchKernel', [], 1)).toThrowError(/no export noSuchKernel/);
    for (let i = 0; i < 200; i++) {
      const y = add(x, i);
      expect((await y.toArray())[4095]).toBe(i);
      y.dispose();
    }
  });

  it('uses every core by default', async () => {
    const { availableParallelism } = await import('node:os');
    const d = (await getDevice('wasm')) as WasmDevice;
    expect(d.threads).toBe(availableParallelism());
    d.destroy();
  });

  it('creates tensors of f32, i32 and u32 and refuses f64', async () => {
    const d = await wasm();
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
    expect(Array.from(await full([3], 7, { device: d, dtype: 'u32' }).toArray())).toEqual([7, 7, 7]);
    expect(Array.from(await fromArray([-1, 2 ** 31 - 1], [2], { device: d, dtype: 'i32' }).toArray())).toEqual([-1, 2 ** 31 - 1]);
    expect(() => zeros([2], { device: d, dtype: 'f64' })).toThrowError(/alloc: dtype f64 is supported on the CPU only; expected f32, i32 or u32 on wasm/);
    const moved = await fromArray([1.5, 2.5], [2], { device: cpu }).to(d);
    expect(moved.device).toBe(d);
    expect(Array.from(await moved.toArray())).toEqual([1.5, 2.5]);
    expect(Array.from(await (await moved.to(cpu)).toArray())).toEqual([1.5, 2.5]);
  });

  it("an op without a wasm kernel throws a SaddleError naming it, never runs another device's code", async () => {
    // The guard every op's WebGPU branch goes through, checked directly (ops gain wasm kernels over
    // time; one that has none must throw this, never run the CPU twin or the WebGPU code).
    const d = await wasm();
    expect(() => asGpu(d, 'someOp')).toThrowError(/someOp: someOp has no wasm kernel yet/);
    const a = fromArray([1, 2, 3, 4], [2, 2], { device: d });
    expect(Array.from(await matmul(a, a).toArray())).toEqual([7, 10, 15, 22]);
    // The f16 product is the one op left without a wasm kernel (f16 storage is a WebGPU feature).
    const h = f16Matrix([1, 2, 3, 4], [2, 2], d);
    expect(() => matmulF16(h, h)).toThrowError(/matmulF16: matmulF16 has no wasm kernel yet/);
    h.packed.dispose();
  });

  it('memory(): live bytes return to the start after disposal; freed blocks are reused', async () => {
    const d = await wasm();
    const start = memory(d);
    const ts = [zeros([256], { device: d }), zeros([1024], { device: d })];
    const mid = memory(d);
    expect(mid.liveBytes - start.liveBytes).toBe((256 + 1024) * 4);
    for (const t of ts) t.dispose();
    const end = memory(d);
    expect(end.liveBytes).toBe(start.liveBytes);
    expect(end.pooledBytes).toBeGreaterThan(start.pooledBytes);
    const again = zeros([1024], { device: d });
    expect(memory(d).allocatedBytes).toBe(end.allocatedBytes);
    again.dispose();
  });

  it('grows its memory for large tensors, and earlier tensors keep their data', async () => {
    const d = await wasm();
    const small = fromArray([1, 2, 3], [3], { device: d });
    const before = d.memoryObject.buffer.byteLength;
    const big = full([(before / 4) | 0], 2, { device: d }); // more than the whole memory had
    expect(d.memoryObject.buffer.byteLength).toBeGreaterThan(before);
    expect(Array.from(await small.toArray())).toEqual([1, 2, 3]);
    const y = mul(big, 3);
    expect((await y.toArray())[big.size - 1]).toBe(6);
    big.dispose();
    y.dispose();
  });

  it('picks the relaxed-SIMD build where the engine validates it; SADDLE_WASM=simd128 or the build option forces the plain one', async () => {
    // Node 20 validates relaxed SIMD once the package's Node entry has set V8's flag.
    expect(relaxedSimdSupported()).toBe(true);
    const saved = process.env.SADDLE_WASM;
    const made: WasmDevice[] = [];
    try {
      delete process.env.SADDLE_WASM;
      made.push((await getDevice('wasm', { threads: 1 })) as WasmDevice);
      expect(made[0]!.name).toBe('wasm (1 thread, relaxed-simd)');
      expect(made[0]!.constant('KERNELS_RELAXED_SIMD')).toBe(1);
      process.env.SADDLE_WASM = 'simd128';
      made.push((await getDevice('wasm', { threads: 1 })) as WasmDevice);
      expect(made[1]!.name).toBe('wasm (1 thread, simd128)');
      expect(made[1]!.constant('KERNELS_RELAXED_SIMD')).toBe(0);
      made.push((await getDevice('wasm', { threads: 1, shared: false })) as WasmDevice);
      expect(made[2]!.name).toBe('wasm (1 thread, simd128, unshared memory)');
      // The option wins over the environment.
      made.push((await getDevice('wasm', { threads: 1, build: 'relaxed-simd' })) as WasmDevice);
      expect(made[3]!.build).toBe('relaxed-simd');
      process.env.SADDLE_WASM = 'avx';
      await expect(getDevice('wasm', { threads: 1 })).rejects.toThrowError(
        /^wasm: the kernel build asked for \(SADDLE_WASM or the build option\) is 'avx'; expected 'simd128' or 'relaxed-simd'/,
      );
    } finally {
      if (saved === undefined) delete process.env.SADDLE_WASM;
      else process.env.SADDLE_WASM = saved;
      for (const d of made) d.destroy();
    }
  });

  it('runs on one thread with an ordinary (unshared) memory, as in a page without cross-origin isolation', async () => {
    await expect(getDevice('wasm', { shared: false, threads: 2 })).rejects.toThrowError(/wasm: threads is 2 without shared memory; expected 1/);
    const d = (await getDevice('wasm', { shared: false })) as WasmDevice;
    try {
      expect(d.threads).toBe(1);
      expect(d.shared).toBe(false);
      expect(d.memoryObject.buffer).not.toBeInstanceOf(SharedArrayBuffer);
      const small = fromArray([1, 2, 3], [3], { device: d });
      const before = d.memoryObject.buffer.byteLength;
      const big = full([before / 4], 2, { device: d }); // grows the memory: the old views detach
      expect(d.memoryObject.buffer.byteLength).toBeGreaterThan(before);
      expect(Array.from(await small.toArray())).toEqual([1, 2, 3]);
      expect(Array.from(await add(small, 1).toArray())).toEqual([2, 3, 4]);
      expect(await sum(big).item()).toBe(before / 2);
    } finally {
      d.destroy();
    }
  });

  it('memory stays flat over a long loop of ops', async () => {
    const d = await wasm();
    const x = fromArray(
      Float32Array.from({ length: 4096 }, (_, i) => i / 4096),
      [64, 64],
      { device: d },
    );
    const step = () => {
      const a = exp(x);
      const xt = transpose(x);
      const b = add(a, xt);
      const c = concat([b, a], 0);
      const s = sum(c, 0);
      const i = argmax(c, 1);
      for (const t of [a, xt, b, c, s, i]) t.dispose();
    };
    for (let i = 0; i < 10; i++) step();
    const warm = memory(d);
    for (let i = 0; i < 500; i++) step();
    const after = memory(d);
    expect(after.allocatedBytes).toBe(warm.allocatedBytes);
    expect(after.liveBytes).toBe(warm.liveBytes);
    expect(after.liveTensors).toBe(warm.liveTensors);
  });
});

describe('the wasm heap', () => {
  it('rounds sizes up to classes of at most 25% waste, 64-byte aligned', () => {
    for (const bytes of [1, 63, 64, 65, 100, 1000, 4097, 123_457, 10_000_000]) {
      const c = sizeClass(bytes);
      expect(c).toBeGreaterThanOrEqual(bytes);
      expect(c % 16).toBe(0);
      if (bytes > 64) expect(c).toBeLessThanOrEqual(bytes * 1.25 + 64);
    }
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const heap = new WasmHeap(memory, 100, 4 * 65536);
    const a = heap.alloc(1000);
    const b = heap.alloc(70_000); // past the first page: the memory grows
    expect(a % 64).toBe(0);
    expect(b % 64).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 1000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(b + 70_000);
    heap.release(a);
    expect(heap.alloc(990)).toBe(a); // same class: the freed block comes back
    expect(() => heap.alloc(1 << 20)).toThrowError(/past the maximum/);
  });
});
