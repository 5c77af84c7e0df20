/**
 * The subgroup-matrix f16 matmul (ops/src/matmul/matmul-subgroup-matrix.wgsl.ts) runs only
 * on a GPU whose adapter exposes `chromium-experimental-subgroup-matrix` (an H100/H200 under Dawn
 * with allow_unsafe_apis). lavapipe does not: here the test checks that the tiled f16 path is
 * chosen instead, and the kernel's own check is skipped with that reason in its name. The GPU host
 * command (benchmarks/src/gpu-run.ts, phase "f16 matmul") checks and times the kernel there.
 */
import { describe, it, expect } from 'vitest';
import { f16Matrix, matmulCpu, matmulF16, matmulF16Path, packF16, unpackF16, SUBGROUP_MATRIX_FEATURE } from '@saddle/ops';
import { webgpu } from '../support/devices.js';
import { TRANSPOSE_PAIRS } from '../support/matmul.js';
import { expectClose } from '../support/compare.js';
import { randomData } from '../support/random-data.js';

const gpu = await webgpu();
const has = gpu.features.has(SUBGROUP_MATRIX_FEATURE);

async function check(m: number, n: number, k: number, transA: boolean, transB: boolean) {
  const a = randomData(m * k, m + k, -1, 1);
  const b = randomData(k * n, n + k, -1, 1);
  const A = f16Matrix(a, transA ? [k, m] : [m, k], gpu);
  const B = f16Matrix(b, transB ? [n, k] : [k, n], gpu);
  const want = new Float64Array(m * n);
  matmulCpu(unpackF16(packF16(a), m * k), unpackF16(packF16(b), k * n), want, m, n, k, { transA, transB });
  const got = await matmulF16(A, B, { transA, transB }).toArray();
  // f16 × f16 products are exact in f32 and in the matrix units' f32 accumulators; the sums' order differs.
  expectClose(got, want, { atol: 4 * k * 2 ** -24 + 1e-6, rtol: 1e-5, label: `subgroup-matrix ${m}x${n}x${k} transA=${transA} transB=${transB}` });
  return got;
}

describe('subgroup-matrix f16 matmul', () => {
  it(`is used only where the adapter has ${SUBGROUP_MATRIX_FEATURE}: this adapter ${has ? 'has it' : 'lacks it, so the tiled f16 path runs'}`, async () => {
    expect(matmulF16Path(gpu, 64, 64, 64)).toBe(has ? 'subgroup-matrix' : 'tiled');
    // Shapes off the 32 x 32 x 16 grid, a bias or an activation always take the tiled path.
    expect(matmulF16Path(gpu, 100, 64, 64)).toBe('tiled');
    expect(matmulF16Path(gpu, 64, 64, 64, { activation: 'relu' })).toBe('tiled');
    expect(matmulF16Path(gpu, 64, 64, 64, { kernel: 'tiled' })).toBe('tiled');
    if (!has) {
      console.log(
        `subgroup-matrix matmul: NOT RUN on this adapter (${gpu.name}): it needs ${SUBGROUP_MATRIX_FEATURE}, which only a GPU with matrix units exposes; the fallback (tiled f16) ran and was checked.`,
      );
      await check(64, 96, 48, false, false); // what matmulF16 does here: the fallback, correct
    }
  });

  it.skipIf(!has)(`matches the CPU twin for every transpose (runs only on a GPU with ${SUBGROUP_MATRIX_FEATURE}; skipped on lavapipe)`, async () => {
    for (const [transA, transB] of TRANSPOSE_PAIRS) {
      await check(64, 96, 48, transA, transB);
      await check(256, 128, 512, transA, transB);
    }
    // And agrees with the tiled f16 kernel on the same inputs.
    const A = f16Matrix(randomData(128 * 64, 1, -1, 1), [128, 64], gpu);
    const B = f16Matrix(randomData(64 * 96, 2, -1, 1), [64, 96], gpu);
    const sm = await matmulF16(A, B).toArray();
    const tiled = await matmulF16(A, B, { kernel: 'tiled' }).toArray();
    expectClose(sm, tiled, { atol: 1e-4, rtol: 1e-5, label: 'subgroup-matrix vs tiled' });
  });
});
