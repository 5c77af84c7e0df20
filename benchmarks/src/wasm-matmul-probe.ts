/**
 * saddle's wasm matmul on ONE thread against tfjs-wasm (also one thread in Node), timed by the
 * process's CPU time as well as the wall clock: on a machine shared with other work the wall clock
 * measures the scheduler, while the CPU time a single-threaded call consumed still measures the
 * kernel. Also prints the share of that time spent packing panels and the register-only f32x4
 * mul + add rate of one core (the same clocks), for "GFLOP/s against peak".
 *
 *   pnpm exec tsx benchmarks/src/wasm-matmul-probe.ts [MxNxK[:tA][:tB] ...] [--reps=N]
 *
 * Without shapes: 1024³ and the GAN's products (forward, dX = dY·Wᵀ, dW = Xᵀ·dY). The two libraries
 * alternate call by call; the figure is the lower quartile of the reps (the least disturbed).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createWasmDevice, fromArray } from '@saddle/tensor';
import { matmul, profileWasmMatmul } from '@saddle/ops';
import { uniformData } from './benches/matmul.js';
import { measureWasmPeak } from './roofline.js';
import { cpuMs, matmulShapes } from './probe-support.js';

const args = process.argv.slice(2);
const reps = Number(args.find((a) => a.startsWith('--reps='))?.split('=')[1] ?? 9);
const shapes = matmulShapes(args, [
  '1024x1024x1024',
  '100x1200x784',
  '100x1200x1200',
  '100x784x1200:tB',
  '100x1200x1200:tB',
  '784x1200x100:tA',
  '1200x1200x100:tA',
]);

const tf = await import('@tensorflow/tfjs-core');
const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
tfWasm.setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm');
const device = await createWasmDevice({ threads: 1 });

const peakCpu = measureWasmPeak(device, cpuMs).oneThread;
const peakWall = measureWasmPeak(device).oneThread;
console.log(`peak f32x4 mul+add, one thread: ${peakCpu.toFixed(1)} GFLOP/s of CPU time, ${peakWall.toFixed(1)} GFLOP/s of wall time`);
console.log('shape              | saddle-wasm-1t cpu / wall GFLOP/s | tfjs-wasm cpu / wall GFLOP/s | ratio cpu / wall | packing share (cpu)');

for (const s of shapes) {
  const { m, n, k, transA, transB } = s;
  const aData = uniformData(m * k, 1);
  const bData = uniformData(k * n, 2);
  const a = fromArray(aData, transA ? [k, m] : [m, k], { device });
  const b = fromArray(bData, transB ? [n, k] : [k, n], { device });
  const ta = tf.tensor(aData, transA ? [k, m] : [m, k]);
  const tb = tf.tensor(bData, transB ? [n, k] : [k, n]);
  const calls = Math.max(1, Math.round(2e8 / (2 * m * n * k)));
  const runners = {
    saddle: () => matmul(a, b, { transA, transB }).dispose(),
    tfjs: () => tf.matMul(ta, tb, transA, transB).dispose(),
  };
  const times = { saddle: { cpu: [] as number[], wall: [] as number[] }, tfjs: { cpu: [] as number[], wall: [] as number[] } };
  for (const f of Object.values(runners)) f();
  for (let r = 0; r < reps; r++) {
    for (const [name, f] of Object.entries(runners) as [keyof typeof runners, () => void][]) {
      const c0 = cpuMs();
      const w0 = performance.now();
      for (let i = 0; i < calls; i++) f();
      times[name].wall.push((performance.now() - w0) / calls);
      times[name].cpu.push((cpuMs() - c0) / calls);
    }
  }
  const q1 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 4)]!;
  const gf = (ms: number) => (2 * m * n * k) / ms / 1e6;
  const [sc, sw, tc, tw] = [q1(times.saddle.cpu), q1(times.saddle.wall), q1(times.tfjs.cpu), q1(times.tfjs.wall)];
  const prof = profileWasmMatmul(a, b, { transA, transB }, reps, cpuMs);
  const pack = Math.max(0, prof.totalMs - prof.tilesMs) / prof.totalMs;
  console.log(
    `${s.label.padEnd(18)} | ${gf(sc).toFixed(1).padStart(6)} / ${gf(sw).toFixed(1).padStart(5)} (${((100 * gf(sc)) / peakCpu).toFixed(0)}% of peak) | ` +
      `${gf(tc).toFixed(1).padStart(6)} / ${gf(tw).toFixed(1).padStart(5)} | ${(tc / sc).toFixed(2)}× / ${(tw / sw).toFixed(2)}× | ${(100 * pack).toFixed(0)}%`,
  );
  for (const t of [a, b]) t.dispose();
  ta.dispose();
  tb.dispose();
}
device.destroy();
