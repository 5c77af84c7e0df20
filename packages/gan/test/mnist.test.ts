import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaddleError } from '@saddle/tensor';
import {
  MNIST_FILES,
  MNIST_PIXELS,
  encodeIdx,
  loadMnist,
  mnistDataPackageDir,
  parseIdx,
  parseIdxImages,
  parseIdxLabels,
  type Mnist,
} from '../src/index.node.js'; // the Node entry: gzipped files decompress there

const dir = mkdtempSync(join(tmpdir(), 'saddle-mnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('IDX parser', () => {
  it('round-trips arbitrary unsigned-byte arrays, plain and gzipped', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }), fc.boolean(), fc.nat(), (dims, gz, seed) => {
        const count = dims.reduce((a, b) => a * b, 1);
        const data = Uint8Array.from({ length: count }, (_, i) => (i * 31 + seed) & 255);
        let bytes = encodeIdx(dims, data);
        expect(bytes.length).toBe(4 + 4 * dims.length + count);
        if (gz) bytes = new Uint8Array(gzipSync(bytes));
        const back = parseIdx(bytes);
        expect(back.dims).toEqual(dims);
        expect(Array.from(back.data)).toEqual(Array.from(data));
      }),
      { numRuns: 50 },
    );
  });

  it('writes the header big-endian with the MNIST magics', () => {
    const images = encodeIdx([2, 28, 28], new Uint8Array(2 * 784));
    expect(Array.from(images.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]);
    const labels = encodeIdx([300], new Uint8Array(300).fill(7));
    expect(Array.from(labels.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 1, 44]);
    const img = parseIdxImages(images, 'a.idx');
    expect([img.n, img.rows, img.cols, img.pixels.length]).toEqual([2, 28, 28, 1568]);
    expect(parseIdxLabels(labels).length).toBe(300);
  });

  it('says which file is truncated, what it expected and what it found', () => {
    const bytes = encodeIdx([3, 2, 2], new Uint8Array(12));
    expect(thrown(() => parseIdxImages(bytes.subarray(0, 2), 'imgs.idx')).message).toBe(
      'idx: imgs.idx: truncated: 2 bytes, expected at least a 4-byte magic number',
    );
    expect(thrown(() => parseIdxImages(bytes.subarray(0, 9), 'imgs.idx')).message).toBe(
      'idx: imgs.idx: truncated header: 9 bytes, expected 16 for 3 dimension sizes',
    );
    const e = thrown(() => parseIdxImages(bytes.subarray(0, 20), 'imgs.idx'));
    expect(e).toBeInstanceOf(SaddleError);
    expect(e.message).toBe('idx: imgs.idx: truncated: 20 bytes, expected 28 (16-byte header + 3 × 2 × 2 elements)');
    expect(thrown(() => parseIdx(new Uint8Array([...bytes, 1, 2]), 'x')).message).toMatch(/2 unexpected trailing bytes: 30 bytes, expected 28/);
    // Every cut of a valid file fails, plain or gzipped.
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => parseIdxImages(bytes.subarray(0, cut))).toThrow(SaddleError);
      const gz = gzipSync(bytes);
      if (cut < gz.length) expect(() => parseIdxImages(gz.subarray(0, cut))).toThrow(SaddleError);
    }
    expect(thrown(() => parseIdx(gzipSync(bytes).subarray(0, 15), 'x.gz')).message).toMatch(/x\.gz: looks gzipped but does not decompress/);
  });

  it('rejects a wrong magic, naming both', () => {
    const labels = encodeIdx([4], new Uint8Array([1, 2, 3, 4]));
    expect(thrown(() => parseIdxImages(labels, 'train-images')).message).toBe(
      'idx: train-images: wrong magic number 0x00000801, expected 0x00000803 (unsigned-byte images, 3 dimensions)',
    );
    const images = encodeIdx([1, 1, 1], new Uint8Array([0]));
    expect(thrown(() => parseIdxLabels(images, 'labels')).message).toMatch(/wrong magic number 0x00000803, expected 0x00000801/);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(thrown(() => parseIdx(png, 'pic.png')).message).toMatch(/pic\.png: not an IDX file: magic 0x89504e47/);
    const floats = Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]);
    expect(thrown(() => parseIdx(floats, 'f')).message).toMatch(/element type 0xd is not supported/);
    expect(thrown(() => parseIdxLabels(encodeIdx([2], new Uint8Array([3, 10])), 'l')).message).toMatch(/label 1 is 10; expected a digit 0\.\.9/);
  });
});

describe('MNIST loader', () => {
  let mnist: Mnist;
  beforeAll(async () => {
    mnist = await loadMnist();
  });

  it('splits the real files 50000 / 10000 / 10000, as the paper did', () => {
    expect(mnist.train.n).toBe(50_000);
    expect(mnist.validation.n).toBe(10_000);
    expect(mnist.test.n).toBe(10_000);
    for (const s of [mnist.train, mnist.validation, mnist.test]) {
      expect(s.images.length).toBe(s.n * MNIST_PIXELS);
      expect(s.labels.length).toBe(s.n);
    }
    // The well-known first labels of each file.
    expect(Array.from(mnist.train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(Array.from(mnist.test.labels.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
  });

  it('has sane pixel statistics and label frequencies', () => {
    for (const s of [mnist.train, mnist.validation, mnist.test]) {
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let sq = 0;
      for (const v of s.images) {
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        sq += v * v;
      }
      const mean = sum / s.images.length;
      const std = Math.sqrt(sq / s.images.length - mean * mean);
      expect(min).toBe(0);
      expect(max).toBe(1);
      // MNIST's well-known statistics: mean 0.1307, std 0.3081 (train).
      expect(mean).toBeGreaterThan(0.125);
      expect(mean).toBeLessThan(0.14);
      expect(std).toBeGreaterThan(0.29);
      expect(std).toBeLessThan(0.32);
      const counts = new Array(10).fill(0);
      for (const l of s.labels) counts[l]++;
      for (const c of counts) {
        expect(c / s.n).toBeGreaterThan(0.08);
        expect(c / s.n).toBeLessThan(0.125);
      }
      // Every image has ink, and a blank border (MNIST digits are centred in 20 × 20 inside 28 × 28).
      for (let i = 0; i < s.n; i += 97) {
        const img = s.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
        expect(img.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
        expect(img[0]).toBe(0);
        expect(img[MNIST_PIXELS - 1]).toBe(0);
      }
    }
  });

  it('validation is rows 50000..59999 of the training file, pixels / 255', () => {
    const raw = parseIdxImages(new Uint8Array(readFileSync(join(mnistDataPackageDir(), MNIST_FILES.trainImages))));
    const labels = parseIdxLabels(new Uint8Array(readFileSync(join(mnistDataPackageDir(), MNIST_FILES.trainLabels))));
    for (const i of [0, 1, 4321, 9999]) {
      const from = (50_000 + i) * MNIST_PIXELS;
      const expected = Float32Array.from(raw.pixels.subarray(from, from + MNIST_PIXELS), (v) => v / 255);
      expect(mnist.validation.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)).toEqual(expected);
      expect(mnist.validation.labels[i]).toBe(labels[50_000 + i]);
    }
  });

  it('reads gzipped files from a directory given by MNIST_DIR, and says which file is missing', async () => {
    // A small fake MNIST in the right shapes: 60000 / 10000 images would be large, so the loader's
    // count check is exercised with the real counts but all-zero images.
    const train = new Uint8Array(60_000 * MNIST_PIXELS);
    train[50_000 * MNIST_PIXELS + 5] = 255;
    const trainLabels = Uint8Array.from({ length: 60_000 }, (_, i) => i % 10);
    writeFileSync(join(dir, `${MNIST_FILES.trainImages}.gz`), gzipSync(encodeIdx([60_000, 28, 28], train)));
    writeFileSync(join(dir, `${MNIST_FILES.trainLabels}.gz`), gzipSync(encodeIdx([60_000], trainLabels)));
    writeFileSync(join(dir, MNIST_FILES.testImages), encodeIdx([10_000, 28, 28], new Uint8Array(10_000 * MNIST_PIXELS)));
    const previous = process.env.MNIST_DIR;
    process.env.MNIST_DIR = dir;
    try {
      await expect(loadMnist()).rejects.toThrow(`${dir} (from MNIST_DIR) has no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz`);
      writeFileSync(join(dir, MNIST_FILES.testLabels), encodeIdx([9_999], new Uint8Array(9_999)));
      await expect(loadMnist()).rejects.toThrow(/t10k-labels-idx1-ubyte: 9999 labels but .*t10k-images-idx3-ubyte has 10000 images/);
      writeFileSync(join(dir, MNIST_FILES.testLabels), encodeIdx([10_000], new Uint8Array(10_000)));
      const m = await loadMnist();
      expect([m.train.n, m.validation.n, m.test.n]).toEqual([50_000, 10_000, 10_000]);
      expect(m.validation.images[5]).toBe(1);
      expect(m.train.labels[12]).toBe(2);
      expect(m.validation.labels[3]).toBe(3);
    } finally {
      if (previous === undefined) delete process.env.MNIST_DIR;
      else process.env.MNIST_DIR = previous;
    }
  });
});
