/**
 * The layout promise (issue 15): a reader finds any op's kernel, CPU twin, gradient rule and tests
 * in seconds because the names mirror each other. Every packages/autograd/src/rules/<op>.ts has
 * test/grad/<op>.test.ts, and every packages/ops/src/<op>/ has test/kernels/<op>.test.ts.
 * (`common.ts` holds helpers of the rules, `shared/` helpers of the kernels: no op of their own.)
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
