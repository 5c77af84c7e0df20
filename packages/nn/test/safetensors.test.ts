import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SaddleError, type DType, type TypedArray } from '@saddle/tensor';
import { decodeSafetensors, encodeSafetensors, type SafeTensor, type SafeTensors } from '../src/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../src/safetensors-files.js';

const dir = mkdtempSync(join(tmpdir(), 'saddle-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bitwise equality of typed arrays (NaN payloads and -0 included). */
function sameBytes(a: TypedArray, b: TypedArray): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });

function tensorArb(dtype: DType): fc.Arbitrary<SafeTensor> {
  return shapeArb.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data: fc.Arbitrary<TypedArray> =
      dtype === 'f32'
        ? fc.float32Array({ minLength: n, maxLength: n })
        : dtype === 'f64'
          ? fc.float64Array({ minLength: n, maxLength: n })
          : dtype === 'i32'
            ? fc.int32Array({ minLength: n, maxLength: n })
            : fc.uint32Array({ minLength: n, maxLength: n });
    return data.map((d) => ({ dtype, shape, data: d }));
  });
}

const tensorsArb: fc.Arbitrary<SafeTensors> = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__' && s !== '__proto__'),
  fc.constantFrom<DType>('f32', 'f64', 'i32', 'u32').chain(tensorArb),
  { maxKeys: 6 },
);
const metadataArb = fc.dictionary(
  fc.string({ maxLength: 8 }).filter((s) => s !== '__proto__'),
  fc.string({ maxLength: 16 }),
  { maxKeys: 3 },
);

function headerOf(bytes: Uint8Array): { len: number; json: Record<string, any> } {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { len, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) };
}

/** A file with a hand-written header and data section. */
function rawFile(header: unknown, data: Uint8Array, pad = true): Uint8Array {
  let text = JSON.stringify(header);
  if (pad) while ((8 + text.length) % 8 !== 0) text += ' ';
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectRejects(bytes: Uint8Array, pattern: RegExp): void {
  let error: unknown;
  try {
    decodeSafetensors(bytes, 'test.safetensors');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SaddleError);
  expect((error as Error).message).toMatch(/^safetensors: test\.safetensors: /);
  expect((error as Error).message).toMatch(pattern);
}

describe('safetensors encode/decode', () => {
  it('round-trips any dict of f32/f64/i32/u32 tensors and string metadata, bit for bit', () => {
    fc.assert(
      fc.property(tensorsArb, metadataArb, (tensors, metadata) => {
        const bytes = encodeSafetensors(tensors, metadata);
        const back = decodeSafetensors(bytes);
        expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
        for (const [name, t] of Object.entries(tensors)) {
          const u = back.tensors[name]!;
          expect(u.dtype).toBe(t.dtype);
          expect(u.shape).toEqual(t.shape);
          expect(u.data.constructor).toBe(t.data.constructor);
          expect(sameBytes(u.data, t.data)).toBe(true);
        }
        expect(back.metadata).toEqual(metadata);
      }),
      { numRuns: 60 },
    );
  });

  it('aligns the data to 8 bytes with space padding, and lays tensors out contiguously, widest first', () => {
    fc.assert(
      fc.property(tensorsArb, (tensors) => {
        const bytes = encodeSafetensors(tensors);
        const { len, json } = headerOf(bytes);
        expect((8 + len) % 8).toBe(0);
        const text = new TextDecoder().decode(bytes.subarray(8, 8 + len));
        expect(text.trimEnd()).toBe(JSON.stringify(json));
        expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
        const entries = Object.entries<any>(json).filter(([k]) => k !== '__metadata__');
        entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0] || a[1].data_offsets[1] - b[1].data_offsets[1]);
        let cursor = 0;
        for (const [, e] of entries) {
          expect(e.data_offsets[0]).toBe(cursor);
          const size = e.dtype === 'F64' ? 8 : 4;
          expect(e.data_offsets[0] % size).toBe(0);
          cursor = e.data_offsets[1];
        }
        expect(bytes.length).toBe(8 + len + cursor);
      }),
      { numRuns: 40 },
    );
  });

  it('writes the header the reference implementation writes, and reads hand-made files', () => {
    const bytes = encodeSafetensors(
      { w: { dtype: 'f32', shape: [2], data: new Float32Array([1, -2]) }, d: { dtype: 'f64', shape: [], data: new Float64Array([0.5]) } },
      { step: '10' },
    );
    const { json } = headerOf(bytes);
    expect(json).toEqual({
      __metadata__: { step: '10' },
      d: { dtype: 'F64', shape: [], data_offsets: [0, 8] },
      w: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    });
    const data = bytes.subarray(bytes.length - 16);
    const view = new DataView(data.buffer, data.byteOffset);
    expect([view.getFloat64(0, true), view.getFloat32(8, true), view.getFloat32(12, true)]).toEqual([0.5, 1, -2]);

    // A header with no padding and reversed order, as another writer might produce.
    const payload = new Uint8Array(12);
    new DataView(payload.buffer).setInt32(0, -7, true);
    new DataView(payload.buffer).setUint32(4, 4_000_000_000, true);
    new DataView(payload.buffer).setUint32(8, 3, true);
    const file = rawFile({ b: { dtype: 'U32', shape: [1, 2], data_offsets: [4, 12] }, a: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } }, payload, false);
    const back = decodeSafetensors(file);
    expect(back.metadata).toEqual({});
    expect(back.tensors.a).toEqual({ dtype: 'i32', shape: [1], data: new Int32Array([-7]) });
    expect(back.tensors.b).toEqual({ dtype: 'u32', shape: [1, 2], data: new Uint32Array([4_000_000_000, 3]) });
  });

  it('refuses to encode inconsistent tensors', () => {
    expect(() => encodeSafetensors({ a: { dtype: 'f32', shape: [3], data: new Float32Array(2) } })).toThrow(/"a" has shape \[3\] \(3 elements\) but 2 values/);
    expect(() => encodeSafetensors({ a: { dtype: 'f64', shape: [2], data: new Float32Array(2) } })).toThrow(/says dtype f64 but its data is a f32 array/);
    expect(() => encodeSafetensors({ a: { dtype: 'f32', shape: [-1], data: new Float32Array(0) } })).toThrow(/non-negative integers/);
    expect(() => encodeSafetensors({ __metadata__: { dtype: 'f32', shape: [0], data: new Float32Array(0) } })).toThrow(/reserved/);
    expect(() => encodeSafetensors({}, { n: 3 as unknown as string })).toThrow(/metadata "n" is a number/);
  });
});

describe('safetensors rejects corrupted files', () => {
  const good = () =>
    encodeSafetensors({
      a: { dtype: 'f32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      b: { dtype: 'i32', shape: [3], data: new Int32Array([5, 6, 7]) },
    });

  it('too short, or a header length past the end', () => {
    expectRejects(new Uint8Array(5), /5 bytes is too short/);
    const bytes = good();
    new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length), true);
    expectRejects(bytes, /header length \d+ runs past the end of the file/);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 63n, true);
    expectRejects(bytes, /runs past the end/);
  });

  it('every truncation of a valid file', () => {
    const bytes = good();
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeSafetensors(bytes.subarray(0, cut), 'cut')).toThrow(SaddleError);
    }
  });

  it('bad JSON, non-objects, bad entries', () => {
    const data = new Uint8Array(8);
    expectRejects(rawFile([1, 2], data), /starting with "\{"/);
    const bad = rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data);
    bad[9] = 0x7b; // '{{a":...'
    expectRejects(bad, /not valid JSON/);
    expectRejects(rawFile({ a: 3 }, new Uint8Array(0)), /entry "a" is not an object/);
    expectRejects(rawFile({ a: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }, data), /dtype "F16"; saddle reads F32, F64, I32 and U32/);
    expectRejects(rawFile({ a: { shape: [2], data_offsets: [0, 8] } }, data), /no dtype string/);
    expectRejects(rawFile({ a: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, data), /shape \[2\.5\]/);
    expectRejects(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0] } }, data), /data_offsets \[0\]/);
    expectRejects(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data), /end before begin/);
    expectRejects(
      rawFile({ __metadata__: { k: 1 }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data),
      /"__metadata__"\."k" is 1; expected a string/,
    );
  });

  it('offsets out of range, overlapping, gaps, and dtype/shape size mismatches', () => {
    const data = new Uint8Array(16);
    expectRejects(rawFile({ a: { dtype: 'F32', shape: [6], data_offsets: [0, 24] } }, data), /\[0, 24\] but the data section is only 16 bytes/);
    expectRejects(rawFile({ a: { dtype: 'F64', shape: [1], data_offsets: [0, 16] } }, data), /needs 8 bytes but data_offsets \[0, 16\] hold 16/);
    expectRejects(rawFile({ a: { dtype: 'I32', shape: [3, 1], data_offsets: [0, 16] } }, data), /\(I32, shape \[3, 1\]\) needs 12 bytes/);
    expectRejects(
      rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data),
      /tensors "a" and "b" overlap/,
    );
    expectRejects(
      rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } }, data),
      /bytes 8\.\.12 of the data section belong to no tensor/,
    );
    expectRejects(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data), /cover 8 bytes but the data section has 16/);
  });

  it('random byte corruption is either still a valid file or a SaddleError, never a crash', () => {
    const bytes = good();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const copy = bytes.slice();
        for (const [i, v] of edits) copy[i] = v;
        try {
          const back = decodeSafetensors(copy);
          // Accepted: it must be self-consistent.
          for (const t of Object.values(back.tensors)) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        } catch (e) {
          expect(e).toBeInstanceOf(SaddleError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('saveSafetensors / loadSafetensors', () => {
  const tensors: SafeTensors = {
    'layer0.weight': { dtype: 'f32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    step: { dtype: 'i32', shape: [], data: new Int32Array([42]) },
  };

  it('round-trips through a file and names the file in errors', async () => {
    const path = join(dir, 'ckpt.safetensors');
    await saveSafetensors(path, tensors, { epoch: '3' });
    const back = await loadSafetensors(path);
    expect(back.tensors).toEqual(tensors);
    expect(back.metadata).toEqual({ epoch: '3' });
    writeFileSync(path, readFileSync(path).subarray(0, 40));
    await expect(loadSafetensors(path)).rejects.toThrow(`safetensors: ${path}: `);
  });

  it('replaces an existing file and leaves no temporary files behind', async () => {
    const sub = join(dir, 'replace');
    mkdirSync(sub);
    const path = join(sub, 'ckpt.safetensors');
    writeFileSync(path, 'old');
    await saveSafetensors(path, tensors);
    expect(readdirSync(sub)).toEqual(['ckpt.safetensors']);
    expect((await loadSafetensors(path)).tensors).toEqual(tensors);
  });

  it('leaves the old file intact when the save fails', async () => {
    const sub = join(dir, 'fail');
    mkdirSync(sub);
    const path = join(sub, 'ckpt.safetensors');
    await saveSafetensors(path, tensors);
    const before = readFileSync(path);
    // Invalid input: fails before anything is written.
    await expect(saveSafetensors(path, { bad: { dtype: 'f32', shape: [9], data: new Float32Array(1) } })).rejects.toThrow(SaddleError);
    // The rename fails (the target is a directory): the temporary file is removed again.
    const asDir = join(sub, 'is-a-dir');
    mkdirSync(asDir);
    await expect(saveSafetensors(asDir, tensors)).rejects.toThrow();
    expect(readdirSync(sub).sort()).toEqual(['ckpt.safetensors', 'is-a-dir']);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a process whose write dies half way (file size limit) leaves the old file intact', () => {
    const sub = join(dir, 'efbig');
    mkdirSync(sub);
    const path = join(sub, 'ckpt.safetensors');
    writeFileSync(path, 'the old checkpoint');
    const child = fileURLToPath(new URL('./fixtures/save-big.ts', import.meta.url));
    // ulimit -f 64: writes past 64 KiB fail (EFBIG), in the middle of a 4 MiB checkpoint.
    const out = execFileSync('bash', ['-c', `ulimit -f 64; exec "${process.execPath}" --import tsx "${child}" "${path}"`], { encoding: 'utf8' });
    expect(out).toMatch(/save failed: .*EFBIG/);
    expect(readFileSync(path, 'utf8')).toBe('the old checkpoint');
    expect(readdirSync(sub)).toEqual(['ckpt.safetensors']);
  });
});
