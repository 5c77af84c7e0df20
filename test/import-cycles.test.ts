import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles, importGraph, importSpecifiers } from './support/import-graph.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src'));
const show = (cycles: string[][]) => cycles.map((c) => c.join(' -> '));

/**
 * Type-only cycles that exist and are accepted: an interface and the class it names, each
 * mentioning the other (no run-time dependency either way). A new one fails the test below.
 */
const ACCEPTED_TYPE_CYCLES = ['packages/tensor/src/devices/device.ts -> packages/tensor/src/storage.ts -> packages/tensor/src/devices/device.ts'];

describe('import cycles', () => {
  it('no package source imports itself back at run time, within or across packages', () => {
    const graph = importGraph(sources, root, { runtimeOnly: true });
    expect(graph.size).toBeGreaterThan(50);
    expect(show(importCycles(graph, root))).toEqual([]);
  });

  it('counting type-only imports too, the only cycles are the accepted ones', () => {
    expect(show(importCycles(importGraph(sources, root), root))).toEqual(ACCEPTED_TYPE_CYCLES);
  });

  describe('the check itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saddle-cycles-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    };

    it('finds a cycle through a re-export and a dynamic import, and one through a type-only import only when asked', () => {
      write('packages/a/src/index.ts', "export * from './x.js';\n");
      write('packages/a/src/x.ts', "import type { Y } from './y.js';\n// import { z } from './z.js';\nexport const x = 1;\n");
      write('packages/a/src/y.ts', "export { x } from './x.js';\nexport type Y = number;\n");
      write('packages/b/src/index.ts', "import { x } from '@saddle/a';\nimport('./lazy.js');\n");
      write('packages/b/src/lazy.ts', "import {\n  thing,\n} from '@saddle/b';\n");
      const dirs = [join(dir, 'packages/a/src'), join(dir, 'packages/b/src')];
      expect(importCycles(importGraph(dirs, dir), dir)).toEqual([
        ['packages/a/src/x.ts', 'packages/a/src/y.ts', 'packages/a/src/x.ts'],
        ['packages/b/src/index.ts', 'packages/b/src/lazy.ts', 'packages/b/src/index.ts'],
      ]);
      expect(importCycles(importGraph(dirs, dir, { runtimeOnly: true }), dir)).toEqual([['packages/b/src/index.ts', 'packages/b/src/lazy.ts', 'packages/b/src/index.ts']]);
    });

    it('reads every import form, marks the type-only ones and ignores commented ones', () => {
      const src =
        "import a from 'a';\nimport type { B } from \"b\";\nexport * from './c.js';\nexport type { C2 } from './c2.js';\nimport './d.js';\n" +
        "const e = await import('e');\n/* import f from 'f'; */\n// import g from 'g';\nconst url = 'http://h'; import { i } from 'i';\n";
      expect(importSpecifiers(src)).toEqual([
        { spec: 'a', typeOnly: false },
        { spec: 'b', typeOnly: true },
        { spec: './c.js', typeOnly: false },
        { spec: './c2.js', typeOnly: true },
        { spec: 'i', typeOnly: false },
        { spec: './d.js', typeOnly: false },
        { spec: 'e', typeOnly: false },
      ]);
    });
  });
});
