/**
 * Times saddle's matmul alone on the current WebGPU adapter and prints GFLOP/s.
 *
 *   npx tsx --tsconfig tsconfig.json benchmarks/src/matmul-probe.ts [sizes...] [--config=large|medium|small] [--split-k=S] [--reps=N]
 *     [--double-buffer=0|1] [--group=G]
 *
 * A size is `S` (S×S×S) or `MxNxK`. Without sizes: square sizes up to 1024 on a software adapter
 * (lavapipe), up to 4096 on a real GPU, and the GAN's layer shapes. Each size: two warm-up launches
 * (compiles the pipeline), then launches recorded back to back into one batch and timed around
 * `await device.sync()` (so the time includes one submit and the wait for the GPU, not readback).
 * `--split-k=S` forces split-K into S parts (1: never; see ops/src/matmul/split-k.ts).
 * `--double-buffer` and `--group` change the configuration (large unless --config says otherwise):
 * one or two tile buffers, and the block-rows per group of the swizzle (MatmulConfig.groupM; 1 is
 * no swizzle). docs/exercises.md uses them.
 */
import { createWebGpuDevice, fromArray, type WebGpuDevice } from '@saddle/tensor';
import { matmul, chooseMatmulConfig, matmulMinWorkgroups, MATMUL_CONFIGS, type MatmulConfig, type MatmulOptions } from '@saddle/ops';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const config = flag('config') as keyof typeof MATMUL_CONFIGS | undefined;
if (config && !(config in MATMUL_CONFIGS)) throw new Error(`--config: expected one of ${Object.keys(MATMUL_CONFIGS).join(', ')}`);
const repsFlag = flag('reps');
const splitK = flag('split-k') === undefined ? undefined : Number(flag('split-k'));
const doubleBuffer = flag('double-buffer');
const group = flag('group') === undefined ? undefined : Number(flag('group'));
/** The forced configuration: --config, changed by --double-buffer and --group (on large by default). */
const forced: MatmulConfig | undefined =
  config || doubleBuffer !== undefined || group !== undefined
    ? {
        ...MATMUL_CONFIGS[config ?? 'large'],
        ...(doubleBuffer !== undefined ? { doubleBuffer: doubleBuffer === '1' } : {}),
        ...(group !== undefined ? { groupM: group } : {}),
      }
    : undefined;
if (forced)
  forced.name = `${forced.name}${doubleBuffer !== undefined ? (forced.doubleBuffer ? '-db' : '-single') : ''}${group !== undefined ? `-g${group}` : ''}`;

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const device: WebGpuDevice = await createWebGpuDevice();
const software = device.software;

const sizes: [number, number, number][] = args
  .filter((a) => !a.startsWith('--'))
  .map((a) => {
    const d = a.split('x').map(Number);
    const [m, n, k] = d.length === 1 ? [d[0]!, d[0]!, d[0]!] : (d as [number, number, number]);
    if (![m, n, k].every((x) => Number.isInteger(x) && x > 0)) throw new Error(`bad size '${a}': expected S or MxNxK`);
    return [m, n, k];
  });
if (sizes.length === 0) {
  for (const s of software ? [128, 256, 512, 1024] : [256, 512, 1024, 2048, 4096]) sizes.push([s, s, s]);
  // The GAN's shapes: generator/discriminator layers at batch 100 (M = batch, N = units out, K = units in).
  sizes.push([100, 1200, 784], [100, 1200, 1200], [100, 1, 1200]);
}

function randomMatrix(rows: number, cols: number) {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  return fromArray(data, [rows, cols], { device });
}

console.log(`adapter: ${device.name}`);
console.log(`maxComputeWorkgroupStorageSize: ${device.limits.maxComputeWorkgroupStorageSize}`);
console.log('M x N x K'.padEnd(22) + 'config'.padEnd(16) + 'reps'.padStart(5) + 'ms/matmul'.padStart(12) + 'GFLOP/s'.padStart(11));
for (const [m, n, k] of sizes) {
  const a = randomMatrix(m, k);
  const b = randomMatrix(k, n);
  const opts: MatmulOptions = { ...(forced ? { config: forced } : {}), ...(splitK !== undefined ? { splitK } : {}) };
  const chosen = (forced ? forced.name : chooseMatmulConfig(m, n, device.limits, matmulMinWorkgroups(device)).name) + (splitK ? ` S=${splitK}` : '');
  for (let i = 0; i < 2; i++) matmul(a, b, opts).dispose();
  await device.sync();
  // Aim for about a second per size: estimate from one timed launch.
  let t0 = performance.now();
  matmul(a, b, opts).dispose();
  await device.sync();
  const once = performance.now() - t0;
  const reps = repsFlag ? Number(repsFlag) : Math.max(3, Math.min(200, Math.round(1000 / Math.max(once, 0.05))));
  t0 = performance.now();
  for (let i = 0; i < reps; i++) matmul(a, b, opts).dispose();
  await device.sync();
  const ms = (performance.now() - t0) / reps;
  const gflops = (2 * m * n * k) / (ms * 1e6);
  console.log(`${m} x ${n} x ${k}`.padEnd(22) + chosen.padEnd(16) + String(reps).padStart(5) + ms.toFixed(3).padStart(12) + gflops.toFixed(1).padStart(11));
  a.dispose();
  b.dispose();
}
device.destroy();
