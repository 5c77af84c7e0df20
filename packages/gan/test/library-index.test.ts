import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, importSpecifiers } from '../../../test/support/import-graph.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the library index', () => {
  it('loads no CLI module and no progress bar: nothing it reaches at run time is under src/cli or imports cli-progress', () => {
    const graph = importGraph([join(root, 'packages/gan/src'), join(root, 'packages/nn/src'), join(root, 'packages/autograd/src')], root, {
      runtimeOnly: true,
    });
    const index = join(root, 'packages/gan/src/index.ts');
    const reached = new Set([index]);
    const queue = [index];
    while (queue.length)
      for (const next of graph.get(queue.shift()!) ?? [])
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
    const names = [...reached].map((f) => relative(root, f));
    expect(names).toContain('packages/gan/src/train/trainer.ts');
    expect(names.filter((f) => f.startsWith('packages/gan/src/cli'))).toEqual([]);
    const progressUsers = [...reached].filter((f) => importSpecifiers(readFileSync(f, 'utf8')).some((s) => s.spec === 'cli-progress' && !s.typeOnly));
    expect(progressUsers).toEqual([]);
  });
});
