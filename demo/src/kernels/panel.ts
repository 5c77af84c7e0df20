/**
 * The kernel reader: for each WGSL kernel (./catalog.ts), the teaching header of its .wgsl.ts file,
 * the WGSL it generates for the case picked, and, where tfjs has a peer doing the same math
 * (./peers.ts), a button that times both on the same GPUDevice with the benchmarks' own harness
 * (benchmarks/src/harness.ts: first call, calibrated iterations, warm-up, timed reps interleaved
 * between the runners, the median; each rep ends when the GPU queue is idle) and runs the same-math
 * check on both outputs, showing GFLOP/s and GB/s of both. `?timing=short` shortens the reps (the
 * end-to-end test on a software GPU).
 */
import { isWebGpu, type Device, type WebGpuDevice } from '@saddle/autograd';
import type * as TF from '@tensorflow/tfjs-core';
import { runCase, type BenchCase, type CaseResult, type HarnessOptions, type RunnerResult } from '../../../benchmarks/src/harness.js';
import { saddleRunner, tfjsRunner } from '../../../benchmarks/src/runner-kinds.js';
import { $, guarded, options, table } from '../dom.js';
import { Progress } from '../progress.js';
import { KERNELS, header } from './catalog.js';
import { PEERS, type Peer } from './peers.js';

export interface KernelTiming extends CaseResult {
  kernel: string;
}

export interface KernelsPanelState {
  results: KernelTiming[];
  timing: boolean;
  /** Every kernel listed, its cases (the small ones first) or why it has no peer. */
  catalog: { kernel: string; small: string[]; large: string[]; none?: string }[];
}

/** tfjs-core with its WebGPU backend on saddle's own GPUDevice (same adapter, same queue). */
let tfLoaded: Promise<typeof TF> | null = null;
function loadTf(device: WebGpuDevice): Promise<typeof TF> {
  tfLoaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    // tfjs-core registers no gradients by itself (the union package does): the fwd+bwd cases need them.
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    if (!tf.getGradient('Max')) throw new Error("tfjs: the gradient functions did not register (tf.getGradient('Max') is undefined)");
    tf.env().set('PROD', true);
    const info = (device.gpu as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device.gpu, info), 3);
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend failed to initialise on saddle\'s GPUDevice');
    return tf;
  })();
  return tfLoaded;
}

// The budget only cuts reps: a fast case runs `reps` reps of `minRepMs` whatever it is. It is large so
// that a slow runner on a large case (tfjs-webgpu's matmul 512³ on a software GPU: ~1.2 s a call)
// still gets its 3 reps, a ratio and a check, while the status line counts the seconds.
const HARNESS: HarnessOptions = { reps: 6, warmup: 1, minRepMs: 60, maxIters: 500, budgetMs: 120_000, minReps: 3, log: () => {} };
// Short reps, but a larger budget: a software GPU may stall for seconds (a late shader compile), and
// tfjs-webgpu's maxout (reshape + max) takes ~3 s a call on SwiftShader, ~8 s on a loaded 2-core
// machine, where 3 reps overran a 10 s budget and the runner was skipped.
const SHORT: HarnessOptions = { reps: 3, warmup: 1, minRepMs: 15, maxIters: 100, budgetMs: 120_000, minReps: 3, log: () => {} };

/** " (tfjs-webgpu takes 1.20 s per call)" for every runner slower than half a second a call, else "". */
function slowNote(r: CaseResult): string {
  const slow = Object.entries(r.runners).flatMap(([id, res]) => (res.status === 'ok' && res.ms.median > 500 ? [`${id} takes ${(res.ms.median / 1000).toFixed(2)} s per call`] : []));
  return slow.length ? ` (${slow.join(', ')})` : '';
}

const isPeer = (p: (typeof PEERS)[string] | undefined): p is Peer => Boolean(p && !('none' in p));

function checkCell(c: BenchCase, res: RunnerResult): string | [string, string] {
  if (res.status !== 'ok') return [res.reason, 'bad'];
  if (!res.check) return 'reference';
  const ok = res.check.ok;
  const what = c.compare ? `same statistics: max |z| ${res.check.relErr.toFixed(2)} ≤ ${c.tolerance}` : `same math: rel. err ${res.check.relErr.toExponential(2)} ≤ ${(c.tolerance ?? 1e-3).toExponential(1)}`;
  return [`${ok ? '' : 'MISMATCH: '}${what} vs ${res.check.against}`, ok ? 'ok' : 'bad'];
}

const rate = (work: number | undefined, ms: number) => (work ? (work / (ms * 1e-3) / 1e9).toFixed(2) : '–');

export function kernelsPanel(devicePromise: Promise<Device>, short = false): KernelsPanelState {
  let device: Device | null = null;
  const names = Object.keys(KERNELS);
  const state: KernelsPanelState = {
    results: [],
    timing: false,
    catalog: names.map((kernel) => {
      const p = PEERS[kernel];
      return isPeer(p) ? { kernel, small: p.small.map((c) => c.label), large: p.large.map((c) => c.label) } : { kernel, small: [], large: [], none: p?.none ?? 'no peer listed' };
    }),
  };
  const pick = options($<HTMLSelectElement>('kernel-pick'), names, 'matmul');
  const casePick = $<HTMLSelectElement>('kernel-case');
  const status = $('kernel-status');
  const button = $<HTMLButtonElement>('kernel-time');
  const peerLine = $('kernel-peer');
  const progress = new Progress($('kernel-progress'));
  const harness = short ? SHORT : HARNESS;

  const casesOf = (kernel: string): BenchCase[] => {
    const p = PEERS[kernel];
    return isPeer(p) ? [...p.small, ...p.large] : [];
  };

  function show(): void {
    const kernel = pick.value;
    const p = PEERS[kernel];
    const labels = casesOf(kernel).map((c) => c.label);
    if (casePick.dataset.kernel !== kernel) {
      options(casePick, labels.length ? labels : ['(no peer)'], labels[0]);
      casePick.dataset.kernel = kernel;
      // Another kernel: the last table was for the previous one.
      $<HTMLTableElement>('kernel-result').replaceChildren();
    }
    const k = KERNELS[kernel]!;
    $('kernel-header').textContent = header(k.file);
    const { wgsl, config } = device ? k.source(device, casePick.value) : { wgsl: '(the WGSL is generated once the page has chosen its device)', config: '' };
    $('kernel-source').textContent = wgsl.trim();
    $('kernel-config').textContent = config;
    // No peer: the page says why, and offers no button.
    button.hidden = !isPeer(p);
    peerLine.textContent = isPeer(p) ? `tfjs peer: ${p.tfjs}. Check: ${p.check}.` : `No timing: ${p?.none ?? 'no peer listed'}.`;
    button.disabled = !device || !isWebGpu(device) || !isPeer(p);
    status.textContent = !device ? 'waiting for the device' : isWebGpu(device) ? '' : 'timing needs WebGPU (this page runs on ' + device.kind + ')';
    status.className = '';
  }

  button.onclick = () =>
    void guarded(status, async () => {
      if (!device || !isWebGpu(device)) return;
      const gpu = device;
      const kernel = pick.value;
      const c = casesOf(kernel).find((x) => x.label === casePick.value);
      if (!c) return;
      state.timing = true;
      button.disabled = true;
      status.textContent = `timing ${kernel}: ${c.label}…`;
      status.className = '';
      try {
        // Shown at once: the first click also loads tfjs (seconds of script on the page's thread).
        const r = await progress.during(
          `timing ${kernel}: ${c.label}${tfLoaded ? '' : ' (loading tfjs-webgpu first)'}`,
          async () => {
            const tf = await loadTf(gpu);
            const runners = [saddleRunner('saddle-webgpu', gpu, `saddle on ${gpu.name}`), tfjsRunner(tf, 'webgpu')];
            return runCase(c, runners, harness, new Map(), [['saddle-webgpu', 'tfjs-webgpu']]);
          },
          0,
        );
        state.results.push({ kernel, ...r });
        const rows = Object.entries(r.runners).map(([id, res]) =>
          res.status !== 'ok'
            ? [id, res.status, '', '', '', checkCell(c, res)]
            : [id, res.ms.median.toFixed(4), rate(c.flops, res.ms.median), rate(c.bytes, res.ms.median), `${res.reps}x${res.iters}`, checkCell(c, res)],
        );
        table($<HTMLTableElement>('kernel-result'), ['runner', 'ms / call (median)', 'GFLOP/s', 'GB/s', 'reps x calls', 'check'], rows);
        const ratio = r.ratios[0];
        const missing = Object.entries(r.runners).filter(([, res]) => res.status !== 'ok');
        // Never a bare "done": a ratio, or why there is none.
        status.textContent = ratio
          ? `${kernel}, ${c.label}: saddle is ${ratio.value.toFixed(2)}x tfjs-webgpu's speed (median of paired reps)${slowNote(r)}`
          : `${kernel}, ${c.label}: no ratio: ${missing.map(([id, res]) => `${id} ${res.status}: ${res.status === 'ok' ? '' : res.reason}`).join('; ') || 'the harness paired no reps'}`;
        status.className = ratio ? '' : 'bad';
      } finally {
        state.timing = false;
        button.disabled = false;
      }
    });
  pick.onchange = show;
  casePick.onchange = show;
  show();
  void devicePromise.then((d) => {
    device = d;
    show();
  });
  return state;
}
