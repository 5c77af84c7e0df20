// Times the matmul's register tiles in isolation (assembly/matmul/tile-probe.ts), compiled in the
// SIMD128 and the relaxed-SIMD build, on one thread by the process's CPU time (a loaded machine
// does not inflate it), interleaved round by round; prints the median GFLOP/s of each.
//   node --experimental-wasm-relaxed-simd packages/kernels-wasm/scripts/tile-probe.mjs [rounds]
// The A panels sweep 16 strips (an mc = 64..80 row block, in L2, as in the matmul); B stays in L1.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = (await import('assemblyscript/asc')).default;
const rounds = Number(process.argv[2] ?? 9);
const compile = async (relaxed) => {
  let binary;
  const args = [
    'assembly/matmul/tile-probe.ts',
    '--enable',
    'simd',
    ...(relaxed ? ['--enable', 'relaxed-simd'] : []),
    '--runtime',
    'stub',
    '--importMemory',
    '-O3',
    '--noAssert',
    '--outFile',
    'tile-probe.wasm',
  ];
  const { error } = await asc.main(args, {
    baseDir: root,
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm')) binary = contents;
    },
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if (error) throw error;
  const memory = new WebAssembly.Memory({ initial: 64 });
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < f.length; i++) f[i] = Math.random();
  return new WebAssembly.Instance(new WebAssembly.Module(binary), { env: { memory, abort() {} } }).exports;
};
const builds = { simd128: await compile(false), relaxed: await compile(true) };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const kc = 256,
  strips = 16,
  passes = 400;
const tile = (ex, name, mr) => {
  const t0 = cpuMs();
  for (let p = 0; p < passes; p++) for (let s = 0; s < strips; s++) ex[name]((1 << 20) + s * kc * mr * 4, 0, kc, 1, 3 << 20);
  return (2 * mr * 8 * kc * passes * strips) / (cpuMs() - t0) / 1e6;
};
const chain = (ex, n) => {
  const iters = 2e6;
  const t0 = cpuMs();
  ex.chains(iters, n, 3 << 20);
  return (iters * 24 * 8) / (cpuMs() - t0) / 1e6;
};
const results = {};
const add = (k, v) => (results[k] ??= []).push(v);
for (let r = 0; r < rounds; r++) {
  for (const [b, ex] of Object.entries(builds)) {
    add(`${b} tile 4x8`, tile(ex, 'tile4x8', 4));
    add(`${b} tile 5x8`, tile(ex, 'tile5x8', 5));
    add(`${b} chains 8`, chain(ex, 8));
    add(`${b} chains 12`, chain(ex, 12));
  }
}
for (const [k, v] of Object.entries(results)) {
  v.sort((x, y) => x - y);
  console.log(`${k.padEnd(22)} ${v[v.length >> 1].toFixed(1)} GFLOP/s of CPU time (median of ${v.length}; ${v[0].toFixed(1)}-${v[v.length - 1].toFixed(1)})`);
}
