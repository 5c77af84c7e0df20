import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles, importGraph, importSpecifiers, type ImportGraph } from './support/import-graph.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'src'));
const show = (cycles: string[][]) => cycles.map((c) => c.join(' -> '));

/**
 * Type-only cycles that exist and are accepted: an interface and the class it names, each
 * mentioning the other (no run-time dependency either way). A new one fails the test below.
 */
const ACCEPTED_TYPE_CYCLES = ['packages/tensor/src/devices/device.ts -> packages/tensor/src/storage.ts -> packages/tensor/src/devices/device.ts'];

/** Every .ts source file under `dir` (no node_modules, no dist). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The workspace's packages (each a folder with its package.json): packages/*, benchmarks, demo, examples. */
const packageRoots = (base: string) => [
  ...readdirSync(join(base, 'packages')).map((p) => join(base, 'packages', p)),
  ...['benchmarks', 'demo', 'examples'].map((p) => join(base, p)),
];

/**
 * The relative imports that leave their package: `file -> specifier` for each source file under a
 * package's `src/` and `scripts/` (examples: all of it) whose `./` or `../` specifier resolves
 * outside that package. A package's own code reaches another only by its name (`@saddle/gan`).
 */
function crossingImports(base: string): string[] {
  const roots = packageRoots(base);
  const owner = (path: string) => roots.find((r) => path === r || path.startsWith(r + sep));
  const sources = roots.flatMap((r) =>
    (r.endsWith(`${sep}examples`) ? [r] : [join(r, 'src'), join(r, 'scripts')]).filter((d) => existsSync(d)).flatMap(sourceFiles),
  );
  return sources.flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8'))
      .filter(({ spec }) => spec.startsWith('.') && owner(resolve(dirname(file), spec)) !== owner(file))
      .map(({ spec }) => `${relative(base, file)} -> ${spec}`),
  );
}

/** The edges `from -> to` of `graph` from a file under `fromDir` to one under any of `toDirs` (paths relative to `base`). */
function edgesInto(graph: ImportGraph, base: string, fromDir: string, toDirs: string[]): string[] {
  const under = (f: string, d: string) => relative(base, f).startsWith(d + '/');
  return [...graph].flatMap(([from, tos]) =>
    under(from, fromDir) ? tos.filter((to) => toDirs.some((d) => under(to, d))).map((to) => `${relative(base, from)} -> ${relative(base, to)}`) : [],
  );
}

describe('no reach-arounds', () => {
  it('no relative import crosses a package: packages/*, benchmarks, demo and examples import each other by name', () => {
    expect(crossingImports(root)).toEqual([]);
  });

  it("the device probe is passed in, not installed: tensor has no probe registry, and ops' probe module assigns nothing on import", () => {
    const tensorDefault = readFileSync(join(root, 'packages/tensor/src/devices/default.ts'), 'utf8');
    expect(tensorDefault).not.toMatch(/export const autoProbe/);
    const probe = readFileSync(join(root, 'packages/ops/src/auto-device.ts'), 'utf8');
    // No top-level statement other than declarations and imports (an assignment would be an install).
    expect(probe.split('\n').filter((l) => /^[A-Za-z_$][\w$.]*\s*=/.test(l))).toEqual([]);
  });

  it('the check itself finds a source reaching into another package, and not a test or a name import', () => {
    const dir = mkdtempSync(join(tmpdir(), 'saddle-reach-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), text);
      };
      write('packages/a/src/x.ts', "import { y } from '../../b/src/y.js';\nimport { z } from './z.js';\nimport { w } from '@saddle/b';\n");
      write('packages/b/src/y.ts', 'export const y = 1;\n');
      write('packages/b/test/t.test.ts', "import { h } from '../../../test/support/h.js';\n");
      write('demo/src/m.ts', "import { c } from '../../benchmarks/src/c.js';\n");
      write('benchmarks/src/c.ts', 'export const c = 1;\n');
      write('examples/e/main.ts', "import { x } from '../../packages/a/src/x.js';\nimport { s } from '../shared.js';\n");
      expect(crossingImports(dir)).toEqual([
        'packages/a/src/x.ts -> ../../b/src/y.js',
        'demo/src/m.ts -> ../../benchmarks/src/c.js',
        'examples/e/main.ts -> ../../packages/a/src/x.js',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the GAN package by layer: cli/ above run/ above train/', () => {
  const gan = importGraph([join(root, 'packages/gan/src')], root);

  it('train/ (Algorithm 1) imports nothing from run/ (the run around the epochs) or cli/, not even a type', () => {
    expect(edgesInto(gan, root, 'packages/gan/src/train', ['packages/gan/src/run', 'packages/gan/src/cli'])).toEqual([]);
    expect([...gan.keys()].map((f) => relative(root, f))).toEqual(
      expect.arrayContaining(['packages/gan/src/train/trainer.ts', 'packages/gan/src/run/training-run.ts']),
    );
  });

  it('run/ imports nothing from cli/, and only cli/ and the Node index import run/', () => {
    expect(edgesInto(gan, root, 'packages/gan/src/run', ['packages/gan/src/cli'])).toEqual([]);
    const intoRun = [...gan].flatMap(([from, tos]) =>
      tos.filter((to) => relative(root, to).startsWith('packages/gan/src/run/')).map(() => relative(root, from)),
    );
    expect(
      intoRun.filter((f) => !f.startsWith('packages/gan/src/run/') && !f.startsWith('packages/gan/src/cli/') && f !== 'packages/gan/src/index.node.ts'),
    ).toEqual([]);
  });
});

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
      expect(importCycles(importGraph(dirs, dir, { runtimeOnly: true }), dir)).toEqual([
        ['packages/b/src/index.ts', 'packages/b/src/lazy.ts', 'packages/b/src/index.ts'],
      ]);
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
