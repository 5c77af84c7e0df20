/**
 * The layout promise (issue 15): a reader finds any op's kernel, CPU twin, gradient rule and tests
 * in seconds because the names mirror each other. Every packages/autograd/src/rules/<op>.ts has
 * test/grad/<op>.test.ts, and every packages/ops/src/<op>/ has test/kernels/<op>.test.ts.
 * (`common.ts` holds helpers of the rules, `shared/` helpers of the kernels: no op of their own.)
 *
 * Issue 23: each op folder holds the op side by side on every device: `<op>.ts` (the checks, then
 * one DeviceTable { cpu, wasm, webgpu }), `<op>.cpu.ts`, `<op>.wasm.ts`, `<op>.webgpu.ts` and
 * `<op>.wgsl.ts`, and packages/kernels-wasm/assembly/<op>/ holds its AssemblyScript. A second op in
 * a folder (split-k in matmul/, adam in optim/) follows the same rule when it has a shader.
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const missing = (names: string[], testDir: string) => names.filter((n) => !existsSync(`${root}${testDir}/${n}.test.ts`));

describe('test files mirror the op names', () => {
  it('every gradient rule has test/grad/<op>.test.ts', () => {
    const rules = readdirSync(`${root}packages/autograd/src/rules`)
      .filter((f) => f.endsWith('.ts') && f !== 'common.ts')
      .map((f) => f.slice(0, -3));
    expect(rules.length).toBeGreaterThan(5);
    expect(missing(rules, 'test/grad')).toEqual([]);
  });

  it('every kernel folder has test/kernels/<op>.test.ts', () => {
    const src = `${root}packages/ops/src`;
    const ops = readdirSync(src).filter((d) => d !== 'shared' && statSync(`${src}/${d}`).isDirectory());
    expect(ops.length).toBeGreaterThan(5);
    expect(missing(ops, 'test/kernels')).toEqual([]);
  });
});

describe('every op folder holds the op on every device, side by side', () => {
  const src = `${root}packages/ops/src`;
  const ops = readdirSync(src).filter((d) => d !== 'shared' && statSync(`${src}/${d}`).isDirectory());
  const SIDES = ['', '.cpu', '.wasm', '.webgpu', '.wgsl'];

  it('packages/ops/src/<op>/ has <op>.ts, <op>.cpu.ts, <op>.wasm.ts, <op>.webgpu.ts and <op>.wgsl.ts', () => {
    const lacking = ops.flatMap((op) => SIDES.map((side) => `${op}/${op}${side}.ts`).filter((f) => !existsSync(`${src}/${f}`)));
    expect(lacking).toEqual([]);
  });

  it('a second op with a shader in a folder has its cpu, wasm and webgpu files too', () => {
    const lacking = ops.flatMap((op) =>
      readdirSync(`${src}/${op}`)
        .filter((f) => f.endsWith('.wgsl.ts'))
        .map((f) => f.slice(0, -'.wgsl.ts'.length))
        .filter((name) => existsSync(`${src}/${op}/${name}.ts`))
        .flatMap((name) => SIDES.map((side) => `${op}/${name}${side}.ts`).filter((f) => !existsSync(`${src}/${f}`))),
    );
    expect(lacking).toEqual([]);
  });

  it('an op file picks its device from the table, never by an if over device.kind', () => {
    const branching = ops.filter((op) => /\.kind\s*[!=]==\s*'(cpu|wasm|webgpu)'/.test(readFileSync(`${src}/${op}/${op}.ts`, 'utf8')));
    expect(branching).toEqual([]);
  });

  it('packages/kernels-wasm/assembly/<op>/ mirrors every op folder', () => {
    const lacking = ops.filter((op) => !existsSync(`${root}packages/kernels-wasm/assembly/${op}`));
    expect(lacking).toEqual([]);
  });
});
