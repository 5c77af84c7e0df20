/**
 * The kernel reader: for each WGSL kernel, the teaching header of its .wgsl.ts file, the WGSL it
 * generates for one variant (matmul: the tile configuration this adapter gets for the case's shape),
 * and a button that times it against tfjs-webgpu on the same GPUDevice with the benchmarks' own
 * harness (benchmarks/src/harness.ts: calibrated reps, interleaved runners, and the same-math check:
 * both outputs read back and compared within the case's tolerance), showing GFLOP/s or GB/s.
 */
import { isWebGpu, type Device, type WebGpuDevice } from '@saddle/autograd';
import * as K from '@saddle/kernels-wgsl';
import { wgslSources as W } from '@saddle/kernels-wgsl';
import type * as TF from '@tensorflow/tfjs-core';
import { runCase, type BenchCase, type CaseResult, type HarnessOptions } from '../../benchmarks/src/harness.js';
import { GAN_SHAPES, matmulCase, shapeLabel, type MatmulShape } from '../../benchmarks/src/benches/matmul.js';
import { MAXOUT_SHAPES, maxoutCase, maxoutLabel } from '../../benchmarks/src/benches/maxout.js';
import { BCE_SHAPES, bceCase, bceLabel } from '../../benchmarks/src/benches/bce.js';
import { saddleRunner, tfjsRunner } from '../../benchmarks/src/runner-kinds.js';
import { $, guarded, options, table } from './dom.js';

/** The .wgsl.ts files as text, for their header comments. */
const SOURCES = import.meta.glob('../../packages/kernels-wgsl/src/*/*.wgsl.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

interface KernelEntry {
  /** Folder and file under kernels-wgsl/src/. */
  file: string;
  /** The generated WGSL and a line about the variant shown, for a case (or none). */
  source(device: Device, c: string | null): { wgsl: string; config: string };
  /** Benchmark cases by label. */
  cases: Map<string, BenchCase>;
}

const SQUARE: MatmulShape[] = [256, 512, 1024].map((x) => ({ group: 'square', m: x, k: x, n: x }));
const byLabel = <S>(shapes: readonly S[], label: (s: S) => string, make: (s: S) => BenchCase) => new Map(shapes.map((s) => [label(s), make(s)] as const));
const matmulShapes = new Map([...SQUARE, ...GAN_SHAPES].map((s) => [shapeLabel(s), s] as const));

function matmulSource(device: Device, label: string | null): { wgsl: string; config: string } {
  const s = matmulShapes.get(label ?? '') ?? SQUARE[0]!;
  const limits = isWebGpu(device) ? device.limits : ({ maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 } as GPUSupportedLimits);
  const minWorkgroups = isWebGpu(device) ? K.matmulMinWorkgroups(device) : K.MATMUL_MIN_WORKGROUPS.gpu;
  const config = K.chooseMatmulConfig(s.m, s.n, limits, minWorkgroups);
  const why = isWebGpu(device) ? `chosen for ${s.m}x${s.n} on this adapter` : 'for a hardware GPU (no WebGPU device here)';
  return {
    wgsl: K.matmulWgsl({ config, transA: Boolean(s.transA), transB: Boolean(s.transB) }),
    config: `config ${config.name}: ${config.bm}x${config.bn} block, BK ${config.bk}, ${config.tm}x${config.tn} per thread, ${K.matmulThreads(config)} threads, ${K.matmulWorkgroupBytes(config)} B of workgroup memory, double buffer ${config.doubleBuffer}, unroll ${config.unroll} (${why})`,
  };
}

const fixed = (wgsl: string, config: string) => () => ({ wgsl, config });

const KERNELS: Record<string, KernelEntry> = {
  matmul: { file: 'matmul/matmul.wgsl.ts', source: matmulSource, cases: byLabel([...SQUARE, ...GAN_SHAPES], shapeLabel, matmulCase) },
  maxout: { file: 'maxout/maxout.wgsl.ts', source: fixed(W.maxoutWgsl(), 'forward: max over the pieces of each unit'), cases: byLabel(MAXOUT_SHAPES, maxoutLabel, maxoutCase) },
  'maxout + dropout': { file: 'maxout/maxout-dropout.wgsl.ts', source: fixed(W.maxoutDropoutWgsl, 'fused maxout and dropout, mask from the Philox stream'), cases: new Map() },
  'sigmoid cross-entropy': { file: 'bce/bce.wgsl.ts', source: fixed(W.bceLossWgsl({ targetTensor: true, dense: true }), 'loss, dense logits and a target tensor'), cases: byLabel(BCE_SHAPES, bceLabel, bceCase) },
  reduce: { file: 'reduce/reduce.wgsl.ts', source: fixed(W.reduceWgsl({ kind: 'sum', type: 'f32' }), `sum, f32, ${W.REDUCE_WORKGROUP} threads per workgroup`), cases: new Map() },
  elementwise: { file: 'elementwise/elementwise.wgsl.ts', source: fixed(W.unaryWgsl(W.exprFor(K.UNARY_OPS.sigmoid, 'f32'), 'f32', true), 'unary sigmoid, f32, dense'), cases: new Map() },
  random: { file: 'random/random.wgsl.ts', source: fixed(W.randomWgsl('normal', 'f32'), 'normal f32 (Philox 4x32-10, Box-Muller)'), cases: new Map() },
  dropout: { file: 'dropout/dropout.wgsl.ts', source: fixed(W.dropoutWgsl('f32', true, true), 'f32, with input, dense'), cases: new Map() },
  'SGD with momentum': { file: 'optim/optim.wgsl.ts', source: fixed(W.sgdMomentumWgsl(), 'one tensor per dispatch'), cases: new Map() },
  'strided copy': { file: 'shape/shape.wgsl.ts', source: fixed(W.copyStridedWgsl(), 'any view to a dense tensor'), cases: new Map() },
};

/** The file's first long comment: the kernel's teaching header. */
function header(file: string): string {
  const text = Object.entries(SOURCES).find(([path]) => path.endsWith(file))?.[1] ?? '';
  const block = (text.match(/\/\*\*[\s\S]*?\*\//g) ?? []).find((b) => b.split('\n').length > 4) ?? '(no header)';
  return block
    .split('\n')
    .map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, ''))
    .join('\n')
    .trim();
}

export interface KernelsPanelState {
  results: CaseResult[];
  timing: boolean;
}

/** tfjs-core with its WebGPU backend on saddle's own GPUDevice (same adapter, same queue). */
let tfLoaded: Promise<typeof TF> | null = null;
function loadTf(device: WebGpuDevice): Promise<typeof TF> {
  tfLoaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    tf.env().set('PROD', true);
    const info = (device.gpu as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device.gpu, info), 3);
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend failed to initialise on saddle\'s GPUDevice');
    return tf;
  })();
  return tfLoaded;
}

const HARNESS: HarnessOptions = { reps: 6, warmup: 1, minRepMs: 60, maxIters: 500, budgetMs: 4000, minReps: 3, log: () => {} };

export function kernelsPanel(device: Device): KernelsPanelState {
  const state: KernelsPanelState = { results: [], timing: false };
  const pick = options($<HTMLSelectElement>('kernel-pick'), Object.keys(KERNELS), 'matmul');
  const casePick = $<HTMLSelectElement>('kernel-case');
  const status = $('kernel-status');
  const button = $<HTMLButtonElement>('kernel-time');

  function show(): void {
    const k = KERNELS[pick.value]!;
    const labels = [...k.cases.keys()];
    if (casePick.dataset.kernel !== pick.value) {
      options(casePick, labels.length ? labels : ['(no benchmark case)'], labels[0]);
      casePick.dataset.kernel = pick.value;
    }
    const { wgsl, config } = k.source(device, labels.length ? casePick.value : null);
    $('kernel-header').textContent = header(k.file);
    $('kernel-source').textContent = wgsl.trim();
    $('kernel-config').textContent = config;
    button.disabled = !isWebGpu(device) || labels.length === 0;
    status.textContent = isWebGpu(device) ? '' : 'timing needs WebGPU (this page runs on ' + device.kind + ')';
  }

  button.onclick = () =>
    void guarded(status, async () => {
      if (!isWebGpu(device)) return;
      const c = KERNELS[pick.value]!.cases.get(casePick.value);
      if (!c) return;
      state.timing = true;
      button.disabled = true;
      status.textContent = 'timing…';
      status.className = '';
      try {
        const tf = await loadTf(device);
        const runners = [saddleRunner('saddle-webgpu', device, `saddle on ${device.name}`), tfjsRunner(tf, 'webgpu')];
        const r = await runCase(c, runners, HARNESS, new Map(), [['saddle-webgpu', 'tfjs-webgpu']]);
        state.results.push(r);
        const rows = Object.entries(r.runners).map(([id, res]) => {
          if (res.status !== 'ok') return [id, res.status, '', '', [res.reason, 'bad'] as [string, string]];
          const check = res.check ? [`${res.check.ok ? 'same math' : 'MISMATCH'}: rel. err ${res.check.relErr.toExponential(2)} vs ${res.check.against}`, res.check.ok ? 'ok' : 'bad'] as [string, string] : 'reference';
          return [id, res.ms.median.toFixed(3), res.rate ? `${res.rate.median.toFixed(1)} ${res.rate.unit}` : '', `${res.reps}x${res.iters}`, check];
        });
        table($<HTMLTableElement>('kernel-result'), ['runner', 'ms / iteration (median)', 'throughput', 'reps x iterations', 'check'], rows);
        const ratio = r.ratios[0];
        status.textContent = ratio ? `saddle is ${ratio.value.toFixed(2)}x tfjs-webgpu's speed on ${c.label} (median of paired reps)` : 'done';
      } finally {
        state.timing = false;
        button.disabled = false;
      }
    });
  pick.onchange = show;
  casePick.onchange = show;
  show();
  return state;
}
