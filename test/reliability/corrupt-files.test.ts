/**
 * Corrupt files (issue 12): a damaged checkpoint (safetensors, as saveModule writes it) or MNIST IDX
 * file is refused with a SaddleError naming the file, the model it was loading into is unchanged, and
 * nothing on disk changes (no file rewritten, none created or removed). The byte-level parsers are
 * fuzzed in packages/nn/test/safetensors.test.ts and packages/gan/test/mnist.test.ts; here whole
 * files go through the public loaders.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, SaddleError, cpu } from '@saddle/autograd';
import { loadModule, mlp, saveModule, loadSafetensors, type Module } from '@saddle/nn';
import { encodeIdx, loadMnist, MNIST_FILES } from '@saddle/gan';

/** Every file in `dir` with the SHA-256 of its bytes, sorted by name. */
function snapshot(dir: string): [string, string][] {
  return readdirSync(dir)
    .sort()
    .map((name) => [
      name,
      createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex'),
    ]);
}

async function values(m: Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(await m.stateDict())) out[k] = Array.from(v.data);
  return out;
}

describe('a corrupt checkpoint (safetensors)', () => {
  it('is refused with a SaddleError naming the file, or (if the damage hit only weights) loads; the model and the disk are never half-changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'saddle-corrupt-'));
    const good = join(dir, 'model.safetensors');
    await saveModule(good, mlp([3, 4, 2], { device: cpu, generator: new Generator(1) }), { epoch: '7' });
    const bytes = readFileSync(good);
    const target = mlp([3, 4, 2], { device: cpu, generator: new Generator(2) });
    const before = await values(target);
    const original = join(mkdtempSync(join(tmpdir(), 'saddle-original-')), 'target.safetensors');
    await saveModule(original, target);
    const bad = join(dir, 'damaged.safetensors');
    const corruption = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: bytes.length - 1 }) }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat({ max: bytes.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('header' as const), at: fc.nat({ max: 7 }), xor: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('garbage' as const), at: fc.nat({ max: 300 }) }),
    );
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(corruption, async (c) => {
        let damaged: Buffer;
        if (c.kind === 'truncate') damaged = bytes.subarray(0, c.at);
        else if (c.kind === 'garbage') damaged = Buffer.from(Array.from({ length: c.at }, (_, i) => (i * 37 + 11) & 255));
        else {
          damaged = Buffer.from(bytes);
          damaged[c.at] = damaged[c.at]! ^ c.xor;
        }
        writeFileSync(bad, damaged);
        const disk = snapshot(dir);
        let error: unknown = null;
        try {
          await loadModule(bad, target);
        } catch (e) {
          error = e;
        }
        expect(snapshot(dir), 'loading changed the disk').toEqual(disk);
        if (error === null) {
          // Only a flip inside the tensor data can leave a valid file: the names and shapes held.
          expect(c.kind).toBe('flip');
          await loadModule(original, target); // back to the target's own values for the next case
          return;
        }
        refused++;
        expect(error).toBeInstanceOf(SaddleError);
        expect((error as Error).message).toMatch(/damaged\.safetensors/);
        expect(await values(target), 'a refused load changed the model').toEqual(before);
      }),
      { numRuns: 120 },
    );
    expect(refused).toBeGreaterThan(30);
  });

  it('a checkpoint of another architecture changes nothing, even when its first tensors fit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'saddle-corrupt-'));
    const path = join(dir, 'other.safetensors');
    await saveModule(path, mlp([3, 4, 5], { device: cpu, generator: new Generator(1) }));
    const target = mlp([3, 4, 2], { device: cpu, generator: new Generator(2) });
    const before = await values(target);
    const disk = snapshot(dir);
    await expect(loadModule(path, target)).rejects.toThrow(/^loadStateDict: 1\.weight has shape \[4, 5\]/);
    expect(await values(target)).toEqual(before);
    expect(snapshot(dir)).toEqual(disk);
    expect((await loadSafetensors(path)).tensors['0.weight']!.shape).toEqual([3, 4]); // the file still reads
  });
});

describe('corrupt MNIST IDX files', () => {
  /** A folder with the four IDX files, the training images replaced by `trainImages`. */
  function mnistFolder(trainImages: Uint8Array): string {
    const dir = mkdtempSync(join(tmpdir(), 'saddle-idx-'));
    writeFileSync(join(dir, MNIST_FILES.trainImages), trainImages);
    writeFileSync(join(dir, MNIST_FILES.trainLabels), encodeIdx([60_000], new Uint8Array(60_000)));
    writeFileSync(join(dir, MNIST_FILES.testImages), encodeIdx([10_000, 28, 28], new Uint8Array(10_000 * 784)));
    writeFileSync(join(dir, MNIST_FILES.testLabels), encodeIdx([10_000], new Uint8Array(10_000)));
    return dir;
  }
  const valid = encodeIdx([60_000, 28, 28], new Uint8Array(60_000 * 784));

  it.each([
    ['truncated pixels', valid.subarray(0, valid.length - 1000), /idx: .*train-images-idx3-ubyte: truncated/],
    ['truncated header', valid.subarray(0, 10), /idx: .*train-images-idx3-ubyte: truncated header/],
    ['wrong magic (a labels file)', encodeIdx([60_000], new Uint8Array(60_000)), /idx: .*wrong magic number 0x00000801, expected 0x00000803/],
    ['a bad gzip', Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), /idx: .*looks gzipped but does not decompress/],
    ['too few images', encodeIdx([100, 28, 28], new Uint8Array(100 * 784)), /mnist: .*100 images; expected 60000/],
  ])('%s: a SaddleError naming the file, and the folder unchanged', async (_name, bytes, message) => {
    const dir = mnistFolder(bytes);
    const disk = snapshot(dir);
    const error = await loadMnist({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SaddleError);
    expect((error as Error).message).toMatch(message);
    expect(snapshot(dir)).toEqual(disk);
  });
});
