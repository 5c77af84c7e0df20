/**
 * Memory a device cannot give is an AllocationError (a SaddleError) naming the op the user called,
 * the shape, the dtype and the bytes, on every device, never a RangeError from a typed array. The
 * wasm heap reuses freed memory across sizes, so what fits after frees is allocated: tested near a
 * lowered limit (`maxMemoryBytes`, 64 MiB here) rather than at the real 4 GiB.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocationError, SaddleError, WasmHeap, createWasmDevice, fromArray, memory, sizeClass, zeros, type Device } from '@saddle/tensor';
import { matmul, rand } from '@saddle/ops';
import { DEVICE_NAMES, deviceNamed } from '../support/devices.js';

const MiB = 1 << 20;

describe.each(DEVICE_NAMES)('an allocation that cannot be satisfied, on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('zeros([2 ** 53]) is an AllocationError naming zeros, the shape and the bytes', async () => {
    const d = await device();
    let err: unknown;
    try {
      zeros([2 ** 53], { device: d });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AllocationError);
    expect(err).toBeInstanceOf(SaddleError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^zeros: cannot allocate \\[9007199254740992\\] f32, ${2 ** 55} bytes \\(32\\.0 PiB\\), on ${d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+; expected a tensor that fits`,
      ),
    );
    expect((err as AllocationError).bytes).toBe(2 ** 55);
  });

  it('an op whose output cannot be held names the op: matmul of [1e5, 1] and [1, 1e5], rand', async () => {
    const d = await device();
    const a = fromArray(new Float32Array(1e5), [1e5, 1], { device: d });
    const b = fromArray(new Float32Array(1e5), [1, 1e5], { device: d });
    expect(() => matmul(a, b)).toThrowError(/^matmul: cannot allocate \[100000, 100000\] f32, 40000000000 bytes \(37\.3 GiB\), on /);
    expect(() => matmul(a, b)).toThrowError(AllocationError);
    expect(() => rand([1e5, 1e5], { device: d })).toThrowError(/^rand: cannot allocate \[100000, 100000\] f32, 40000000000 bytes/);
    a.dispose();
    b.dispose();
    // The failed allocations leaked nothing.
    expect(d.memory().liveBytes).toBe(memory(d).liveBytes);
  });
});

describe('the wasm heap reuses freed memory across sizes', () => {
  it('after three freed 16 MiB tensors, a 24 MiB tensor fits under a 64 MiB limit (the 1 GiB / 1.5 GiB case, scaled)', async () => {
    const d = await createWasmDevice({ threads: 1, maxMemoryBytes: 64 * MiB });
    try {
      const three = [0, 1, 2].map(() => zeros([4 * MiB], { device: d }));
      const allocated = d.memory().allocatedBytes;
      for (const t of three) t.dispose();
      const big = zeros([6 * MiB], { device: d });
      expect(Array.from((await big.toArray()).subarray(0, 4))).toEqual([0, 0, 0, 0]);
      expect(d.memory().allocatedBytes).toBeLessThanOrEqual(allocated);
      // What does not fit is refused, naming the op and the limit; the device still works after it.
      expect(() => zeros([12 * MiB], { device: d })).toThrowError(
        /^zeros: cannot allocate \[12582912\] f32, 50331648 bytes \(48\.0 MiB\), on wasm \(1 thread, (relaxed-simd|simd128)\): 50331648 more bytes would take the wasm memory past the maximum of 67108864 bytes: 25165824 bytes are in use/,
      );
      big.dispose();
      const again = zeros([12 * MiB], { device: d });
      again.dispose();
    } finally {
      d.destroy();
    }
    await expect(createWasmDevice({ maxMemoryBytes: MiB })).rejects.toThrowError(
      /wasm: maxMemoryBytes is 1048576; expected an integer from 16777216 \(16 MiB\) to 4294967296 \(4 GiB\)/,
    );
  });

  it('random allocations and frees near the limit: blocks never overlap, and once all is freed the whole heap fits one block', () => {
    const PAGE = 65536;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 96 * 1024 })), { minLength: 1, maxLength: 120 }), (ops) => {
        const mem = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
        const heap = new WasmHeap(mem, 64, 16 * PAGE);
        const live = new Map<number, number>();
        for (const [free, bytes] of ops) {
          if (free && live.size > 0) {
            const ptr = [...live.keys()][bytes % live.size]!;
            heap.release(ptr);
            live.delete(ptr);
            continue;
          }
          let ptr: number;
          try {
            ptr = heap.alloc(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(RangeError);
            // Refused only when no free run could hold its block: the live blocks leave no gap that large.
            const inUse = [...live].sort((x, y) => x[0] - y[0]);
            let start = 64;
            let widest = 0;
            for (const [p, n] of inUse) {
              widest = Math.max(widest, p - start);
              start = Math.max(start, p + sizeClass(n));
            }
            widest = Math.max(widest, 16 * PAGE - start);
            expect(widest).toBeLessThan(sizeClass(bytes));
            continue;
          }
          expect(ptr + bytes).toBeLessThanOrEqual(mem.buffer.byteLength);
          for (const [p, n] of live) expect(ptr + bytes <= p || p + n <= ptr, `block ${ptr}+${bytes} overlaps ${p}+${n}`).toBe(true);
          live.set(ptr, bytes);
        }
        for (const ptr of live.keys()) heap.release(ptr);
        // All free: one block of (nearly) the whole memory fits (768 KiB is a size class; 1 MiB less the base is not).
        expect(heap.alloc(768 * 1024)).toBe(64);
        expect(heap.alloc(192 * 1024)).toBe(64 + 768 * 1024);
      }),
      { numRuns: 200 },
    );
  });
});
