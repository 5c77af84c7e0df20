/**
 * The GPU host command's f16 phase (gpu-run.ts): square C = A·B in three ways on one device opened
 * with Dawn's allow_unsafe_apis and vulkan_enable_f16_on_nvidia toggles: saddle's f32 tiled matmul,
 * f16 storage through the tiled kernel (matmulF16 with kernel 'tiled'), and f16 on the matrix
 * units (matmulF16's subgroup-matrix path, only where the adapter has
 * chromium-experimental-subgroup-matrix). Before timing, at a small size, each output is compared
 * with the CPU twin (on the f16-rounded inputs, f64 sums). Timing: back-to-back products for at
 * least 200 ms per rep, ended by a device sync, median of 5 reps; TFLOP/s = 2·n³ / time. Writes
 * f16-matmul-<device>-<date>.json under `out`; stops taking new sizes at `deadline`.
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '@saddle/nn';
import { fromArray, type Tensor, type WebGpuDevice } from '@saddle/tensor';
import { f16Matrix, matmul, matmulCpu, matmulF16, matmulF16Path, packF16, unpackF16, SUBGROUP_MATRIX_FEATURE } from '@saddle/ops';
import { uniformData } from './benches/matmul.js';
import { deviceSlug, openGpu } from './runners.js';
import type { AllPlan } from './gpu-run.js';

export const F16_TOGGLES = 'enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia';

type Way = 'f32 tiled' | 'f16 tiled' | 'f16 subgroup-matrix';

function run(device: WebGpuDevice, way: Way, n: number): { once: () => Tensor; dispose: () => void } {
  const a = uniformData(n * n, 1 + n);
  const b = uniformData(n * n, 2 + n);
  if (way === 'f32 tiled') {
    const ta = fromArray(a, [n, n], { device });
    const tb = fromArray(b, [n, n], { device });
    return { once: () => matmul(ta, tb), dispose: () => (ta.dispose(), tb.dispose()) };
  }
  const A = f16Matrix(a, [n, n], device);
  const B = f16Matrix(b, [n, n], device);
  const kernel = way === 'f16 tiled' ? 'tiled' : 'auto';
  return { once: () => matmulF16(A, B, { kernel }), dispose: () => (A.packed.dispose(), B.packed.dispose()) };
}

/** max |x − ref| / max(1, max |ref|) against the f64 product of the f16-rounded (or f32) inputs. */
async function checkWay(device: WebGpuDevice, way: Way, n: number): Promise<number> {
  const r = run(device, way, n);
  try {
    const y = r.once();
    const got = await y.toArray();
    y.dispose();
    const a = uniformData(n * n, 1 + n);
    const b = uniformData(n * n, 2 + n);
    const want = new Float64Array(n * n);
    if (way === 'f32 tiled') matmulCpu(a, b, want, n, n, n);
    else matmulCpu(unpackF16(packF16(a), n * n), unpackF16(packF16(b), n * n), want, n, n, n);
    let err = 0;
    let scale = 1;
    for (let i = 0; i < want.length; i++) {
      err = Math.max(err, Math.abs(got[i]! - want[i]!));
      scale = Math.max(scale, Math.abs(want[i]!));
    }
    return err / scale;
  } finally {
    r.dispose();
  }
}

async function time(device: WebGpuDevice, way: Way, n: number): Promise<{ msMedian: number; tflops: number; reps: number[] }> {
  const r = run(device, way, n);
  try {
    for (let i = 0; i < 2; i++) r.once().dispose();
    await device.sync();
    let iters = 1;
    const reps: number[] = [];
    for (let rep = 0; rep < 6; rep++) {
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) r.once().dispose();
      await device.sync();
      const ms = (performance.now() - t0) / iters;
      if (rep === 0)
        iters = Math.max(1, Math.min(200, Math.ceil(200 / ms))); // calibration rep, not kept
      else reps.push(ms);
    }
    const sorted = [...reps].sort((x, y) => x - y);
    const msMedian = sorted[Math.floor(sorted.length / 2)]!;
    return { msMedian, tflops: (2 * n ** 3) / (msMedian * 1e-3) / 1e12, reps };
  } finally {
    r.dispose();
  }
}

export async function f16Matmul(plan: AllPlan, out: string, commit: string, deadline: number): Promise<string> {
  const env = await openGpu([...plan.dawnFlags, F16_TOGGLES]);
  const device = env.saddle;
  try {
    const slug = deviceSlug(env.info);
    const sm = device.features.has(SUBGROUP_MATRIX_FEATURE);
    const f16 = device.features.has('shader-f16');
    const ways: Way[] = ['f32 tiled', ...(f16 ? (['f16 tiled'] as Way[]) : []), ...(sm ? (['f16 subgroup-matrix'] as Way[]) : [])];
    const checkN = plan.rehearse ? 64 : 256;
    const checks: Record<string, number> = {};
    for (const w of ways) checks[w] = await checkWay(device, w, checkN);
    // f32 sums of n terms in [-1, 1): a few 1e-6 relative at n = 256; a wrong kernel is off by O(1).
    const bad = Object.entries(checks).filter(([, e]) => !(e < 1e-4));
    const sizes = plan.rehearse ? [128, 256] : [2048, 4096, 8192];
    const results: { n: number; way: Way; path: string; msMedian: number; tflops: number; reps: number[] }[] = [];
    for (const n of sizes) {
      for (const w of ways) {
        if (performance.now() > deadline) break;
        const path = w === 'f32 tiled' ? 'tiled f32' : matmulF16Path(device, n, n, n, { kernel: w === 'f16 tiled' ? 'tiled' : 'auto' });
        results.push({ n, way: w, path, ...(await time(device, w, n)) });
        const last = results.at(-1)!;
        process.stderr.write(`f16 matmul: ${n}^3 ${w} (${path}): ${last.msMedian.toFixed(3)} ms, ${(1000 * last.tflops).toFixed(1)} GFLOP/s\n`);
      }
    }
    const file = join(out, `f16-matmul-${slug}-${new Date().toISOString().slice(0, 10)}.json`);
    await writeJsonAtomic(file, {
      what: 'benchmarks/src/f16-matmul.ts: square matmul in f32 (tiled), f16 storage (tiled) and f16 on subgroup matrices, one device',
      commit,
      date: new Date().toISOString(),
      dawnFlags: [...plan.dawnFlags, F16_TOGGLES],
      adapter: env.info,
      subgroupMatrix: sm ? ((env.adapter.info as unknown as { subgroupMatrixConfigs?: unknown }).subgroupMatrixConfigs ?? true) : false,
      subgroupSize: device.subgroupSize,
      checks: { n: checkN, relErr: checks, ok: bad.length === 0 },
      results,
      notes: sm ? [] : [`the adapter has no ${SUBGROUP_MATRIX_FEATURE}: the subgroup-matrix kernel did not run`],
    });
    const best = (w: Way) => Math.max(0, ...results.filter((r) => r.way === w).map((r) => r.tflops));
    const summary = ways.map((w) => `${w} ${(1000 * best(w)).toFixed(1)} GFLOP/s`).join(', ');
    return `${bad.length ? `CHECK FAILED (${bad.map(([w, e]) => `${w} ${e.toExponential(2)}`).join(', ')}); ` : ''}${summary}; ${file}`;
  } finally {
    device.destroy();
    env.device.destroy();
  }
}
