/**
 * Loading weights refuses, unless asked, what would change a model without a word: a file whose
 * dtype is not the parameters' (f64 into f32 rounds every value) and NaN or infinite weights; a
 * refused file changes no parameter. A missing file is a SaddleError naming it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, SaddleError, type Device } from '@saddle/autograd';
import { loadModule, loadSafetensors, mlp, saveSafetensors, type Module, type SafeTensors } from '@saddle/nn';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';

const dir = mkdtempSync(join(tmpdir(), 'saddle-load-checks-'));
let files = 0;
const fresh = () => join(dir, `m${files++}.safetensors`);

/** The module's state as a file's tensors, with `edit` applied to each tensor's values. */
async function stateAs(m: Module, dtype: 'f32' | 'f64', edit: (name: string, data: Float32Array | Float64Array) => void = () => {}): Promise<SafeTensors> {
  const out: SafeTensors = {};
  for (const [name, p] of Object.entries(await m.stateDict())) {
    const data = dtype === 'f64' ? Float64Array.from(p.data) : Float32Array.from(p.data);
    edit(name, data);
    out[name] = { dtype, shape: p.shape, data };
  }
  return out;
}

const values = async (m: Module) => Object.fromEntries(Object.entries(await m.stateDict()).map(([k, p]) => [k, Array.from(p.data)]));

describe.each(DEVICE_NAMES)('loadModule on %s', (name) => {
  const device = (): Promise<Device> => deviceNamed(name);

  it('refuses an f64 file for f32 parameters unless convertDtypes, then rounds to f32', async () => {
    const d = await device();
    const target = mlp([3, 4, 2], { device: d, generator: new Generator(2) });
    const source = mlp([3, 4, 2], { device: d, generator: new Generator(1) });
    // f64 values with more precision than f32 holds.
    const path = fresh();
    await saveSafetensors(path, await stateAs(source, 'f64', (_, x) => x.forEach((v, i) => (x[i] = v + 1e-12))));
    const before = await values(target);
    const err = await loadModule(path, target).catch((e) => e);
    expect(err).toBeInstanceOf(SaddleError);
    expect(err.message).toMatch(
      new RegExp(
        `^loadModule: ${path}: tensor "0\\.(weight|bias)" is f64 in the file; expected f32 \\(converting rounds every value to f32\\); pass \\{ convertDtypes: true \\} to convert it`,
      ),
    );
    expect(await values(target)).toEqual(before);
    await loadModule(path, target, { convertDtypes: true });
    const f64 = (await loadSafetensors(path)).tensors;
    for (const [k, v] of Object.entries(await values(target))) expect(v, k).toEqual(Array.from(Float32Array.from(f64[k]!.data)));
  });

  it('refuses NaN or infinite weights unless allowNonFinite, naming the tensor and the first bad index', async () => {
    const d = await device();
    const source = mlp([3, 4, 2], { device: d, generator: new Generator(1) });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('0.weight', '0.bias', '1.weight', '1.bias'),
        fc.nat(),
        fc.constantFrom(NaN, Infinity, -Infinity),
        async (tensor, at, bad) => {
          const target = mlp([3, 4, 2], { device: d, generator: new Generator(2) });
          let index = -1;
          const path = fresh();
          await saveSafetensors(path, await stateAs(source, 'f32', (n, x) => n === tensor && (x[(index = at % x.length)] = bad)));
          const before = await values(target);
          await expect(loadModule(path, target)).rejects.toThrow(
            new RegExp(
              `^loadModule: ${path}: tensor "${tensor.replace('.', '\\.')}" \\(f32, shape \\[\\d+(, \\d+)?\\]\\) holds 1 non-finite value\\(s\\) \\(NaN or infinity\\), the first at index ${index} \\(${String(bad).replace('+', '')}\\); expected finite weights`,
            ),
          );
          expect(await values(target)).toEqual(before);
          await loadModule(path, target, { allowNonFinite: true });
          const got = (await values(target))[tensor]!;
          expect(got[index]).toBe(bad);
          target.dispose();
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe('loadSafetensors', () => {
  it('a missing file, or a folder, is a SaddleError naming the path', async () => {
    const missing = join(dir, 'nope.safetensors');
    const err = await loadSafetensors(missing).catch((e) => e);
    expect(err).toBeInstanceOf(SaddleError);
    expect(err.message).toBe(`safetensors: cannot read ${missing}: no such file (ENOENT); expected a .safetensors file`);
    await expect(loadModule(missing, mlp([2, 2]))).rejects.toThrow(SaddleError);
    await expect(loadSafetensors(dir)).rejects.toThrow(`safetensors: cannot read ${dir}: it is a folder (EISDIR)`);
  });
});
