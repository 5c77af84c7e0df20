/**
 * Two copies of a package in one process (issue 12): a script importing a package's built dist under
 * this repo's tsconfig, whose paths send dist's own imports to src, loads @saddle/autograd twice.
 * Before, backward() of one copy did not recognise the other's nodes and every .grad stayed null.
 * These tests load real second copies: each package's sources copied to a temporary folder and
 * imported from there (their own `@saddle/*` imports resolve to the shared packages, as dist's do).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as first from '@saddle/autograd';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh copy of packages/<pkg>/src, imported from its own folder (a second module instance). */
async function secondCopy<T>(pkg: string): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `saddle-copy-${pkg}-`));
  dirs.push(dir);
  cpSync(new URL(`../../packages/${pkg}/src`, import.meta.url), dir, { recursive: true });
  return (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'index.ts')).href)) as T;
}

describe('two copies of @saddle/autograd in one process', () => {
  it('work together: gradients flow whichever copy records and whichever runs backward; grad mode is shared', async () => {
    const second = await secondCopy<typeof first>('autograd');
    expect(second.mul).not.toBe(first.mul); // really another copy
    const x = first.param(first.fromArray([1, 2, 3], [3], { device: first.cpu }));
    // Recorded by the second copy, backward through the first copy's hook (Tensor.prototype.backward).
    second.sum(second.mul(x, x)).backward();
    expect(Array.from(await x.grad!.toArray())).toEqual([2, 4, 6]);
    first.zeroGrad([x]);
    // Mixed: one op from each copy, backward called on the second copy's function.
    second.backward(first.sum(second.mul(first.mul(x, 3), x)));
    expect(Array.from(await x.grad!.toArray())).toEqual([6, 12, 18]);
    // noGrad of one copy turns recording off for the other.
    const y = first.noGrad(() => second.mul(x, x));
    expect(y.requiresGrad).toBe(false);
    expect(second.isGradEnabled()).toBe(true);
    expect(second.Node).toBe(first.Node); // how: one process-wide Node class
    x.dispose();
  });
});

describe('two copies of @saddle/tensor in one process', () => {
  it('fail loudly at load time, naming the cause and the fix', async () => {
    const load = secondCopy<unknown>('tensor');
    await expect(load).rejects.toThrow(
      /^@saddle\/tensor: a second copy is being loaded \(from file:.*; the first came from .*\)\..*Expected one copy: import either the built packages \(dist\) or the sources everywhere/s,
    );
    await load.catch((e: Error) => expect(e.name).toBe('SaddleError'));
  });
});
