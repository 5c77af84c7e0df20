/**
 * The relaxed-SIMD build's matrix product against the SIMD128 build's, interleaved call by call in
 * one process (issue 25's "matmul 1024³ relaxed >= 1.5x SIMD128"): on a shared, loaded machine
 * only a ratio of runs taken side by side means anything. For each shape and thread count, the two
 * builds alternate rep by rep; each rep is timed by the wall clock and, on one thread, by the
 * process's CPU time too (what a single-threaded call consumed, whatever the scheduler did). The
 * figure is the median of the per-rep ratios simd128 / relaxed, with its spread.
 *
 *   pnpm exec tsx --tsconfig tsconfig.json benchmarks/src/wasm-fma-probe.ts [MxNxK[:tA][:tB] ...] [--reps=N] [--threads=1,2]
 */
import { createWasmDevice, fromArray, type Tensor } from '@saddle/tensor';
import { matmul } from '@saddle/ops';
import { uniformData } from './benches/matmul.js';
import { cpuMs, matmulShapes } from './probe-support.js';

const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const reps = Number(opt('reps') ?? 11);
const threadCounts = (opt('threads') ?? '1,2').split(',').map(Number);
const shapes = matmulShapes(args, ['1024x1024x1024']);
const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

for (const threads of threadCounts) {
  const devices = {
    relaxed: await createWasmDevice({ threads, build: 'relaxed-simd' }),
    simd128: await createWasmDevice({ threads, build: 'simd128' }),
  };
  for (const s of shapes) {
    const { m, n, k, transA, transB } = s;
    const aData = uniformData(m * k, 1);
    const bData = uniformData(k * n, 2);
    const calls = Math.max(1, Math.round(4e8 / (2 * m * n * k)));
    const ops: Record<string, { run: () => void; inputs: Tensor[] }> = {};
    for (const [name, device] of Object.entries(devices)) {
      const a = fromArray(aData, transA ? [k, m] : [m, k], { device });
      const b = fromArray(bData, transB ? [n, k] : [k, n], { device });
      ops[name] = { run: () => matmul(a, b, { transA, transB }).dispose(), inputs: [a, b] };
    }
    for (const o of Object.values(ops)) for (let i = 0; i < 2; i++) o.run();
    const t = { relaxed: { wall: [] as number[], cpu: [] as number[] }, simd128: { wall: [] as number[], cpu: [] as number[] } };
    for (let r = 0; r < reps; r++) {
      const order: (keyof typeof t)[] = r % 2 ? ['simd128', 'relaxed'] : ['relaxed', 'simd128'];
      for (const name of order) {
        const c0 = cpuMs();
        const w0 = performance.now();
        for (let i = 0; i < calls; i++) ops[name]!.run();
        t[name].wall.push((performance.now() - w0) / calls);
        t[name].cpu.push((cpuMs() - c0) / calls);
      }
    }
    const gf = (ms: number) => (2 * m * n * k) / ms / 1e6;
    const ratios = (clock: 'wall' | 'cpu') => t.simd128[clock].map((x, i) => x / t.relaxed[clock][i]!).sort((x, y) => x - y);
    const line = (clock: 'wall' | 'cpu') => {
      const rs = ratios(clock);
      return `${clock}: relaxed ${gf(median(t.relaxed[clock])).toFixed(1)} GFLOP/s, simd128 ${gf(median(t.simd128[clock])).toFixed(1)} GFLOP/s, ratio ${median(rs).toFixed(2)}x [${rs[0]!.toFixed(2)}-${rs[rs.length - 1]!.toFixed(2)}]`;
    };
    console.log(`${s.label} ${threads}t (${reps} reps x ${calls} calls) | ${line('wall')}${threads === 1 ? ' | ' + line('cpu') : ''}`);
    for (const o of Object.values(ops)) for (const x of o.inputs) x.dispose();
  }
  for (const d of Object.values(devices)) d.destroy();
}
