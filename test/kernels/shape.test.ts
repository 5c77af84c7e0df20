import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cpu, fromArray, zeros, SaddleError, type Device, type Tensor } from '@saddle/tensor';
import { add, broadcastTo, concat, contiguous, copyInto, expandDims, neg, reshape, slice, squeeze, transpose, viewStrides } from '@saddle/ops';
import { allDevices, kernelDevices } from '../support/devices.js';

// ---- plain-JS reference: a tensor is { shape, data } in row-major order ----
interface Ref {
  shape: number[];
  data: number[];
}
const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
function unravel(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}
function ravel(c: readonly number[], shape: readonly number[]): number {
  return c.reduce((acc, x, d) => acc * shape[d]! + x, 0);
}
const build = (shape: number[], at: (c: number[]) => number): Ref => ({ shape, data: Array.from({ length: size(shape) }, (_, i) => at(unravel(i, shape))) });
const refTranspose = (a: Ref, perm: number[]) =>
  build(
    perm.map((p) => a.shape[p]!),
    (c) => {
      const src = new Array<number>(a.shape.length);
      perm.forEach((p, k) => (src[p] = c[k]!));
      return a.data[ravel(src, a.shape)]!;
    },
  );
const refSlice = (a: Ref, begin: number[], sz: number[]) =>
  build(
    sz,
    (c) =>
      a.data[
        ravel(
          c.map((x, d) => x + begin[d]!),
          a.shape,
        )
      ]!,
  );
function refConcat(xs: Ref[], axis: number): Ref {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  return build(shape, (c) => {
    let k = c[axis]!;
    for (const x of xs) {
      if (k < x.shape[axis]!)
        return x.data[
          ravel(
            c.map((v, d) => (d === axis ? k : v)),
            x.shape,
          )
        ]!;
      k -= x.shape[axis]!;
    }
    throw new Error('unreachable');
  });
}
const refBroadcast = (a: Ref, shape: number[]) =>
  build(
    shape,
    (c) =>
      a.data[
        ravel(
          a.shape.map((d, i) => (d === 1 ? 0 : c[shape.length - a.shape.length + i]!)),
          a.shape,
        )
      ]!,
  );

const shapeArb = (min = 1, max = 4, maxRank = 4) => fc.array(fc.integer({ min, max }), { minLength: 1, maxLength: maxRank });
const refArb = (s: fc.Arbitrary<number[]>) =>
  s.chain((shape) => fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: size(shape), maxLength: size(shape) }).map((data) => ({ shape, data })));
const permArb = (rank: number) =>
  fc.shuffledSubarray(
    Array.from({ length: rank }, (_, i) => i),
    { minLength: rank, maxLength: rank },
  );

const devices = allDevices;
const load = (r: Ref, device: Device) => fromArray(r.data, r.shape, { device });
const read = async (t: Tensor) => Array.from(await t.toArray());

describe('views', () => {
  it('transpose permutes axes without copying (default: reversed)', async () => {
    const devs = await devices();
    await fc.assert(
      fc.asyncProperty(
        refArb(shapeArb()).chain((r) => fc.tuple(fc.constant(r), permArb(r.shape.length))),
        async ([r, perm]) => {
          for (const device of devs) {
            const x = load(r, device);
            const t = transpose(x, perm);
            expect(t.storage).toBe(x.storage);
            const want = refTranspose(r, perm);
            expect([...t.shape]).toEqual(want.shape);
            expect(await read(t)).toEqual(want.data);
            const rev = r.shape.map((_, i) => r.shape.length - 1 - i);
            expect(await read(transpose(x))).toEqual(refTranspose(r, rev).data);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('slice is a view with an offset; size -1 runs to the end', async () => {
    const devs = await devices();
    const arb = refArb(shapeArb(1, 5)).chain((r) =>
      fc.tuple(
        fc.constant(r),
        fc.tuple(...r.shape.map((d) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: -1, max: d - b }))))),
      ),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([r, bs]) => {
        const begin = bs.map(([b]) => b);
        const sz = bs.map(([, s]) => s);
        const resolved = sz.map((s, i) => (s === -1 ? r.shape[i]! - begin[i]! : s));
        for (const device of devs) {
          const x = load(r, device);
          const v = slice(x, begin, sz);
          expect(v.storage).toBe(x.storage);
          expect([...v.shape]).toEqual(resolved);
          expect(await read(v)).toEqual(refSlice(r, begin, resolved).data);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('views compose with the elementwise kernels: neg(transpose(slice(x))), slice of a slice', async () => {
    const devs = await devices();
    await fc.assert(
      fc.asyncProperty(
        refArb(shapeArb(2, 5, 3)).chain((r) => fc.tuple(fc.constant(r), permArb(r.shape.length))),
        async ([r, perm]) => {
          const begin = r.shape.map((d) => Math.floor(d / 3));
          const sz = r.shape.map((d, i) => d - begin[i]! - (d > 2 ? 1 : 0));
          const want = refTranspose(refSlice(r, begin, sz), perm);
          const inner = sz.map((d) => Math.max(0, d - 1));
          for (const device of devs) {
            const x = load(r, device);
            const y = neg(transpose(slice(x, begin, sz), perm));
            expect(y.isDense).toBe(true);
            expect(await read(y)).toEqual(want.data.map((v) => -v));
            // A slice of a slice adds the offsets.
            const s2 = slice(
              slice(x, begin, sz),
              sz.map(() => 0),
              inner,
            );
            expect(await read(neg(s2))).toEqual(refSlice(r, begin, inner).data.map((v) => -v));
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('broadcastTo is a stride-0 view that the binary kernels read', async () => {
    const devs = await devices();
    const arb = shapeArb(1, 4, 3).chain((target) =>
      fc
        .tuple(fc.constant(target), fc.integer({ min: 0, max: target.length }), fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length }))
        .chain(([t, drop, ones]) => {
          const xs = t.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
          return fc.tuple(fc.constant(t), refArb(fc.constant(xs)));
        }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([target, r]) => {
        const want = refBroadcast(r, target);
        for (const device of devs) {
          const x = load(r, device);
          const b = broadcastTo(x, target);
          expect(b.storage).toBe(x.storage);
          expect([...b.shape]).toEqual(target);
          expect(await read(b)).toEqual(want.data);
          const ones = fromArray(new Array(size(target)).fill(1), target, { device });
          expect(await read(add(b, ones))).toEqual(want.data.map((v) => v + 1));
        }
      }),
      { numRuns: 15 },
    );
  });

  it('expandDims and squeeze insert and remove unit dims', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
      expect(expandDims(x, 0).shape).toEqual([1, 2, 3]);
      expect(expandDims(x, 1).shape).toEqual([2, 1, 3]);
      expect(expandDims(x, 2).shape).toEqual([2, 3, 1]);
      expect(expandDims(x, -1).shape).toEqual([2, 3, 1]);
      expect(expandDims(x, -3).shape).toEqual([1, 2, 3]);
      for (const a of [0, 1, 2]) {
        const e = expandDims(x, a);
        expect(e.isDense).toBe(true);
        expect(await read(e)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(squeeze(e).shape).toEqual([2, 3]);
        expect(squeeze(e, a).shape).toEqual([2, 3]);
      }
      const u = reshape(x, [1, 2, 1, 3, 1]);
      expect(squeeze(u).shape).toEqual([2, 3]);
      expect(squeeze(u, [0, -1]).shape).toEqual([2, 1, 3]);
      expect(squeeze(u, 2).shape).toEqual([1, 2, 3, 1]);
      expect(squeeze(fromArray([7], [1, 1], { device: gpu })).shape).toEqual([]);
      // On a transposed view the squeezed view keeps reading the right elements.
      const t = expandDims(transpose(x), 1);
      expect(t.shape).toEqual([3, 1, 2]);
      expect(await read(neg(squeeze(t)))).toEqual([-1, -4, -2, -5, -3, -6]);
      expect(await read(expandDims(fromArray([5], [], { device: gpu }), 0))).toEqual([5]);
    }
  });
});

describe('contiguous copies of transposed views', () => {
  it('match the reference across tile edges (dims not multiples of 4 or 64), batched and sliced', async () => {
    const devs = await devices();
    const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 140 }), fc.integer({ min: 1, max: 140 }), fc.boolean());
    await fc.assert(
      fc.asyncProperty(arb, async ([b, r, c, sliced]) => {
        const shape = [b, r, c];
        const ref = { shape, data: Array.from({ length: size(shape) }, (_, i) => i) };
        const perm = [0, 2, 1];
        const want = refTranspose(ref, perm);
        for (const device of devs) {
          const x = load(ref, device);
          let v = transpose(x, perm);
          let w = want;
          if (sliced && c > 2 && r > 2) {
            v = slice(v, [0, 1, 1], [b, c - 2, r - 2]);
            w = refSlice(want, [0, 1, 1], [b, c - 2, r - 2]);
          }
          const out = contiguous(v);
          expect(out.isDense).toBe(true);
          expect(await read(out)).toEqual(w.data);
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('reshape', () => {
  /** A shape with the same number of elements as `shape`: its prime factors regrouped. */
  const regroup = (shape: number[]) =>
    fc.tuple(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 2 })).map(([seed, ones]) => {
      const factors: number[] = [];
      for (let d of shape) {
        for (let p = 2; d > 1;) {
          if (d % p === 0) {
            factors.push(p);
            d /= p;
          } else p++;
        }
      }
      const out: number[] = [];
      let s = seed;
      for (const f of factors) {
        if (out.length > 0 && s % 2 === 0) out[out.length - 1]! *= f;
        else out.push(f);
        s = Math.floor(s / 2);
      }
      for (let i = 0; i < ones; i++) out.splice(s % (out.length + 1), 0, 1);
      return out;
    });

  it('keeps the row-major order of any view; views when the layout allows, copies otherwise', async () => {
    const devs = await devices();
    let views = 0;
    let copies = 0;
    const arb = refArb(shapeArb(1, 4, 4)).chain((r) => fc.tuple(fc.constant(r), permArb(r.shape.length), fc.boolean(), regroup(r.shape)));
    await fc.assert(
      fc.asyncProperty(arb, async ([r, perm, sliced, target]) => {
        for (const device of devs) {
          const x = load(r, device);
          let v = transpose(x, perm);
          if (sliced)
            v = slice(
              v,
              v.shape.map(() => 0),
              v.shape.map((d) => d),
            );
          const logical = await read(v);
          // Target with the same element count as v (v's shape is a permutation of r's).
          const y = reshape(v, target);
          expect([...y.shape]).toEqual(target);
          expect(await read(y)).toEqual(logical);
          if (y.storage === x.storage) views++;
          else copies++;
          if (v.isContiguous) expect(y.storage).toBe(x.storage);
          // With a -1.
          const withUnknown = [...target];
          withUnknown[0] = -1;
          expect(await read(reshape(v, withUnknown))).toEqual(logical);
        }
      }),
      { numRuns: 25 },
    );
    expect(views).toBeGreaterThan(0);
    expect(copies).toBeGreaterThan(0);
  });

  it('views non-contiguous tensors when only contiguous runs of dims are merged or split', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray(
        Array.from({ length: 24 }, (_, i) => i),
        [2, 3, 4],
        { device: gpu },
      );
      const t = transpose(x, [1, 2, 0]); // [3, 4, 2]: dims 0, 1 form one contiguous run
      const merged = reshape(t, [12, 2]);
      expect(merged.storage).toBe(x.storage);
      expect(await read(merged)).toEqual(await read(t));
      const split = reshape(t, [3, 2, 2, 2]);
      expect(split.storage).toBe(x.storage);
      expect(await read(split)).toEqual(await read(t));
      const flat = reshape(t, [24]);
      expect(flat.storage).not.toBe(x.storage);
      expect(flat.isDense).toBe(true);
      expect(await read(flat)).toEqual(await read(t));
      // A broadcast view needs a copy to flatten; a unit-dim shuffle does not.
      expect(viewStrides([3, 4], [0, 1], [12])).toBeNull();
      expect(viewStrides([3, 4], [0, 1], [3, 1, 4])).not.toBeNull();
      expect(viewStrides([], [], [1, 1])).toEqual([1, 1]);
      expect(await read(reshape(fromArray([9], [], { device: gpu }), [1, 1]))).toEqual([9]);
      expect(reshape(fromArray([], [0, 3], { device: gpu }), [3, -1, 2]).shape).toEqual([3, 0, 2]);
    }
  });
});

describe('concat', () => {
  it('joins along every axis, inputs read through their strides, on both devices', async () => {
    const devs = await devices();
    const arb = shapeArb(1, 4, 4).chain((base) =>
      fc
        .tuple(
          fc.constant(base),
          fc.integer({ min: 0, max: base.length - 1 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean()), { minLength: 1, maxLength: 4 }),
        )
        .chain(([b, axis, parts]) =>
          fc.tuple(
            fc.constant(axis),
            fc.tuple(...parts.map(([len, tr]) => refArb(fc.constant(b.map((d, i) => (i === axis ? len : d)))).map((r) => [r, tr] as const))),
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([axis, parts]) => {
        const want = refConcat(
          parts.map(([r]) => r),
          axis,
        );
        for (const device of devs) {
          const xs = parts.map(([r, tr]) => {
            if (!tr || r.shape.length < 2) return load(r, device);
            // Store the transpose, then view it back: same logical values through swapped strides.
            const perm = r.shape.map((_, i) => r.shape.length - 1 - i);
            return transpose(load(refTranspose(r, perm), device), perm);
          });
          const out = concat(xs, axis);
          expect(out.isDense).toBe(true);
          expect([...out.shape]).toEqual(want.shape);
          expect(await read(out)).toEqual(want.data);
          expect(await read(concat(xs, axis - xs[0]!.rank))).toEqual(want.data);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('copies any dtype bit-exactly', async () => {
    for (const gpu of await kernelDevices()) {
      for (const dtype of ['i32', 'u32', 'f32'] as const) {
        const vals = dtype === 'f32' ? [NaN, -0, Infinity, 1e-40] : dtype === 'i32' ? [-(2 ** 31), -1, 0, 2 ** 31 - 1] : [0, 1, 2 ** 32 - 1, 12345];
        const a = fromArray(vals.slice(0, 2), [1, 2], { device: gpu, dtype });
        const b = fromArray(vals.slice(2), [1, 2], { device: gpu, dtype });
        const out = concat([a, b], 0);
        expect(out.dtype).toBe(dtype);
        const got = await out.toArray();
        const want = fromArray(vals, [4], { device: cpu, dtype }).storage.data!;
        expect(new Uint8Array(got.buffer, got.byteOffset, got.byteLength)).toEqual(new Uint8Array(want.buffer, want.byteOffset, want.byteLength));
      }
    }
  });

  it('rejects mismatched inputs, naming the op and the shapes', async () => {
    for (const gpu of await kernelDevices()) {
      const t = (s: number[], device: Device = gpu, dtype: 'f32' | 'i32' = 'f32') => fromArray(new Array(size(s)).fill(0), s, { device, dtype });
      expect(() => concat([], 0)).toThrowError(/concat: no tensors given/);
      expect(() => concat([t([2, 3]), t([2, 4])], 0)).toThrowError(
        /concat: shapes \[2, 3\], \[2, 4\] do not match; expected equal ranks and equal sizes except on axis 0/,
      );
      expect(() => concat([t([2, 3]), t([2])], 1)).toThrowError(/concat: shapes \[2, 3\], \[2\] do not match/);
      expect(() => concat([t([2, 3]), t([2, 3])], 2)).toThrowError(/concat: axis 2 is out of range for a tensor of rank 2/);
      expect(() => concat([t([2]), t([2], cpu)], 0)).toThrowError(/concat: inputs are on different devices/);
      expect(() => concat([t([2]), t([2], gpu, 'i32')], 0)).toThrowError(/concat: dtypes differ/);
      expect(() => concat([t([]), t([])], 0)).toThrowError(/concat: the inputs are scalars/);
    }
  });
});

describe('copyInto', () => {
  it('writes a tensor into a slice view of another, in place', async () => {
    for (const device of await devices()) {
      const dst = zeros([3, 4], { device });
      const src = transpose(fromArray([1, 2, 3, 4], [2, 2], { device }));
      copyInto(slice(dst, [1, 1], [2, 2]), src);
      expect(await read(dst)).toEqual([0, 0, 0, 0, 0, 1, 3, 0, 0, 2, 4, 0]);
      expect(() => copyInto(broadcastTo(zeros([1, 2], { device }), [2, 2]), src)).toThrowError(/copyInto: dst \[2, 2\] is a broadcast view/);
      expect(() => copyInto(slice(dst, [0, 0], [2, 3]), src)).toThrowError(/copyInto: dst has shape \[2, 3\] and src \[2, 2\]/);
      expect(() => copyInto(slice(dst, [0, 0], [2, 2]), slice(dst, [1, 1], [2, 2]))).toThrowError(/copyInto: dst and src share storage/);
    }
  });
});

describe('errors', () => {
  it('name the op, the shapes and what was expected', async () => {
    for (const gpu of await kernelDevices()) {
      const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
      expect(() => reshape(x, [4, 2])).toThrowError(/reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/);
      expect(() => reshape(x, [-1, -1])).toThrowError(/reshape: at most one -1/);
      expect(() => reshape(x, [-1, 4])).toThrowError(/reshape: cannot reshape/);
      expect(() => transpose(x, [0])).toThrowError(/transpose: perm \[0\] is not a permutation of the 2 axes of \[2, 3\]/);
      expect(() => transpose(x, [1, 1])).toThrowError(/transpose: perm \[1, 1\]/);
      expect(() => transpose(x, [0, 2])).toThrowError(/transpose: perm \[0, 2\]/);
      expect(transpose(x, [-1, 0]).shape).toEqual([3, 2]);
      expect(() => slice(x, [0], [1])).toThrowError(/slice: begin \[0\] and size \[1\] for \[2, 3\]; expected 2 entries each/);
      expect(() => slice(x, [3, 0], [-1, -1])).toThrowError(
        /slice: begin\[0\] = 3 is out of range for \[2, 3\]; expected -2 <= begin\[0\] <= 2 \(negative counts from the end\)/,
      );
      expect(() => slice(x, [-3, 0], [1, 1])).toThrowError(/slice: begin\[0\] = -3 is out of range/);
      expect(() => slice(x, [0, 1], [1, 3])).toThrowError(/slice: size\[1\] = 3 from begin 1 runs past dim 1 of \[2, 3\]; expected -1 or 0 <= size\[1\] <= 2/);
      expect(() => slice(x, [0, 0], [1, -2])).toThrowError(/slice: size\[1\] = -2/);
      expect(() => broadcastTo(x, [3, 3])).toThrowError(/broadcastTo: cannot broadcast \[2, 3\] to \[3, 3\]/);
      expect(() => broadcastTo(x, [3])).toThrowError(/broadcastTo: cannot broadcast \[2, 3\] to \[3\]/);
      expect(() => expandDims(x, 3)).toThrowError(/expandDims: axis 3 is out of range for \[2, 3\]; expected -3 <= axis <= 2/);
      expect(() => squeeze(x, 0)).toThrowError(/squeeze: axis 0 of \[2, 3\] has size 2; expected 1/);
      expect(() => squeeze(x, 5)).toThrowError(SaddleError);
      x.dispose();
      for (const f of [
        () => reshape(x, [6]),
        () => transpose(x),
        () => slice(x, [0, 0], [1, 1]),
        () => broadcastTo(x, [2, 3]),
        () => expandDims(x, 0),
        () => squeeze(x),
      ]) {
        expect(f).toThrowError(/tensor #\d+ \[2, 3\] was disposed/);
      }
    }
  });
});
