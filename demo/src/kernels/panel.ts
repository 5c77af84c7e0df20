/**
 * The kernel reader. Two sets of kernels: the WGSL kernels (./catalog.ts: the teaching header of
 * each .wgsl.ts file and the WGSL it generates for the case picked) and the AssemblyScript kernels
 * of the wasm device (./wasm-catalog.ts: header and source), so a visitor without WebGPU can read
 * and time too. Where tfjs has a peer doing the same math (./peers.ts), a button times both, saddle
 * on WebGPU against tfjs-webgpu on the same GPUDevice, or saddle's wasm device against tfjs-wasm,
 * with the benchmarks' own harness (benchmarks/src/harness.ts: first call, calibrated iterations,
 * warm-up, timed reps interleaved between the runners, the median; each rep ends when the GPU queue
 * is idle) and runs the same-math check on both outputs.
 *
 * Each timing shows GFLOP/s and GB/s of both runners as a % of the device's roofline, measured on
 * this page before the first timing (./roofline.ts), and the case's arithmetic intensity and roof.
 * For matmul the configuration is picked: the WGSL tiling (MATMUL_CONFIGS) and split-K parts, or
 * the wasm macro tile. Below, the matmul ladder of both devices (./ladder-panel.ts).
 * `?timing=short` shortens the reps (the end-to-end test on a software GPU).
 */
import { createWasmDevice, isWebGpu, type Device, type WasmDevice, type WebGpuDevice } from '@saddle/autograd';
import * as K from '@saddle/ops';
import { runCase, type BenchCase, type CaseResult, type HarnessOptions, type RunnerId, type RunnerResult, saddleRunner, tfjsRunner } from '@saddle/benchmarks';
import { $, guarded, options, table } from '../dom.js';
import { Progress } from '../progress.js';
import { KERNELS, header, type MatmulChoice } from './catalog.js';
import { ladderPanel, type LadderPanelState } from './ladder-panel.js';
import { configuredMatmulCases, PEERS, type Peer } from './peers.js';
import { describeRoofline, fmtRate, pct, roofAt, rooflineOf, type DeviceRoofline } from './roofline.js';
import { TFJS_WASM_THREADS, tfLoaded, tfWasm, tfWebGpu } from './tfjs.js';
import { WASM_KERNELS, wasmHeader, wasmSource } from './wasm-catalog.js';

type KernelSet = 'webgpu' | 'wasm';

export interface KernelTiming extends CaseResult {
  kernel: string;
  set: KernelSet;
  /** The configuration timed ('auto' unless picked: matmul's tiling, split-K, wasm macro tile). */
  config: string;
  roofline: DeviceRoofline;
  /** flops / bytes of the case (null for pure data movement). */
  intensity: number | null;
  /** Per runner, its GFLOP/s and GB/s as a % of the roofline's peak and bandwidth. */
  pctOfPeak: Partial<Record<RunnerId, { flops?: number; bytes?: number }>>;
}

export interface CatalogEntry {
  kernel: string;
  small: string[];
  large: string[];
  none?: string;
}

export interface KernelsPanelState {
  results: KernelTiming[];
  timing: boolean;
  /** The set shown: WGSL ('webgpu') or AssemblyScript ('wasm'). */
  set: KernelSet;
  /** Every WGSL kernel listed, its cases (the small ones first) or why it has no peer. */
  catalog: CatalogEntry[];
  /** The same for the wasm kernels. */
  wasmCatalog: CatalogEntry[];
  /** The rooflines measured so far. */
  rooflines: Partial<Record<KernelSet, DeviceRoofline>>;
  ladder: LadderPanelState;
}

// The budget only cuts reps: a fast case runs `reps` reps of `minRepMs` whatever it is. It is large so
// that a slow runner on a large case (tfjs-webgpu's matmul 512³ on a software GPU: ~1.2 s a call)
// still gets its 3 reps, a ratio and a check, while the status line counts the seconds.
const HARNESS: HarnessOptions = { reps: 6, warmup: 1, minRepMs: 60, maxIters: 500, budgetMs: 120_000, minReps: 3, log: () => {} };
// Short reps, but a larger budget: a software GPU may stall for seconds (a late shader compile), and
// tfjs-webgpu's maxout (reshape + max) takes ~3 s a call on SwiftShader, ~8 s on a loaded 2-core
// machine, where 3 reps overran a 10 s budget and the runner was skipped.
const SHORT: HarnessOptions = { reps: 3, warmup: 1, minRepMs: 15, maxIters: 100, budgetMs: 120_000, minReps: 3, log: () => {} };

/** The wasm macro tiles offered, in register tiles (rows x columns of 4x8 tiles: the kernel's MATMUL_MR x MATMUL_NR). */
const WASM_TILES = ['auto', '16x16', '8x8', '4x4', '1x1'];
const SPLIT_K = ['auto', '1', '2', '4', '8'];

/** " (tfjs-webgpu takes 1.20 s per call)" for every runner slower than half a second a call, else "". */
function slowNote(r: CaseResult): string {
  const slow = Object.entries(r.runners).flatMap(([id, res]) =>
    res.status === 'ok' && res.ms.median > 500 ? [`${id} takes ${(res.ms.median / 1000).toFixed(2)} s per call`] : [],
  );
  return slow.length ? ` (${slow.join(', ')})` : '';
}

const isPeer = (p: (typeof PEERS)[string] | undefined): p is Peer => Boolean(p && !('none' in p));

function checkCell(c: BenchCase, res: RunnerResult): string | [string, string] {
  if (res.status !== 'ok') return [res.reason, 'bad'];
  if (!res.check) return 'reference';
  const ok = res.check.ok;
  const what = c.compare
    ? `same statistics: max |z| ${res.check.relErr.toFixed(2)} ≤ ${c.tolerance}`
    : `same math: rel. err ${res.check.relErr.toExponential(2)} ≤ ${(c.tolerance ?? 1e-3).toExponential(1)}`;
  return [`${ok ? '' : 'MISMATCH: '}${what} vs ${res.check.against}`, ok ? 'ok' : 'bad'];
}

/** GFLOP/s or GB/s for `work` per call at `ms` per call. */
const rateOf = (work: number | undefined, ms: number) => (work ? work / (ms * 1e-3) / 1e9 : undefined);
const cell = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(2));

/** The peer table's entry for a kernel of a set. */
function peerOf(set: KernelSet, kernel: string): Peer | { none: string } {
  if (set === 'webgpu') return PEERS[kernel] ?? { none: 'no peer listed' };
  const p = WASM_KERNELS[kernel]?.peer;
  if (p === undefined) return { none: 'no peer listed' };
  return typeof p === 'string' ? (PEERS[p] ?? { none: `no peer '${p}' in the peer table` }) : p;
}

function catalogOf(set: KernelSet, names: string[]): CatalogEntry[] {
  return names.map((kernel) => {
    const p = peerOf(set, kernel);
    return isPeer(p) ? { kernel, small: p.small.map((c) => c.label), large: p.large.map((c) => c.label) } : { kernel, small: [], large: [], none: p.none };
  });
}

export function kernelsPanel(devicePromise: Promise<Device>, short = false): KernelsPanelState {
  let device: Device | null = null;
  let wasm: Promise<WasmDevice> | null = null;
  /** The wasm device the wasm kernels run on: the page's, or one started for them on a WebGPU page. */
  const wasmDevice = (): Promise<WasmDevice> => (wasm ??= devicePromise.then((d) => (d.kind === 'wasm' ? (d as WasmDevice) : createWasmDevice())));
  const setPick = $<HTMLSelectElement>('kernel-set');
  setPick.replaceChildren(new Option('WGSL kernels (WebGPU)', 'webgpu'), new Option('AssemblyScript kernels (wasm)', 'wasm'));
  const pick = $<HTMLSelectElement>('kernel-pick');
  const casePick = $<HTMLSelectElement>('kernel-case');
  const tiling = options($<HTMLSelectElement>('kernel-tiling'), ['auto', ...Object.keys(K.MATMUL_CONFIGS)], 'auto');
  const splitK = options($<HTMLSelectElement>('kernel-splitk'), SPLIT_K, 'auto');
  const wasmTile = $<HTMLSelectElement>('kernel-wasm-tile');
  wasmTile.replaceChildren(
    ...WASM_TILES.map((t) => new Option(t === 'auto' ? 'auto' : `${t} register tiles (${Number(t.split('x')[0]) * 4} x ${Number(t.split('x')[1]) * 8})`, t)),
  );
  const status = $('kernel-status');
  const button = $<HTMLButtonElement>('kernel-time');
  const peerLine = $('kernel-peer');
  const progress = new Progress($('kernel-progress'));
  const harness = short ? SHORT : HARNESS;

  const state: KernelsPanelState = {
    results: [],
    timing: false,
    set: 'webgpu',
    catalog: catalogOf('webgpu', Object.keys(KERNELS)),
    wasmCatalog: catalogOf('wasm', Object.keys(WASM_KERNELS)),
    rooflines: {},
    ladder: undefined as unknown as LadderPanelState,
  };
  const noteRoofline = (r: DeviceRoofline) => {
    state.rooflines[r.device] = r;
    $('kernel-peaks').textContent = Object.values(state.rooflines).map(describeRoofline).join('. ');
  };

  const choice = (): MatmulChoice => ({ tiling: tiling.value as MatmulChoice['tiling'], splitK: splitK.value === 'auto' ? 'auto' : Number(splitK.value) });
  /** The configuration a matmul timing forces, in words ('auto' for none). */
  const configOf = (set: KernelSet, kernel: string): string => {
    if (kernel !== 'matmul') return 'auto';
    if (set === 'wasm') return wasmTile.value === 'auto' ? 'auto' : `macro tile ${wasmTile.value} register tiles`;
    const c = choice();
    return c.tiling === 'auto' && c.splitK === 'auto' ? 'auto' : `tiling ${c.tiling}, split-K ${c.splitK}`;
  };

  const casesOf = async (set: KernelSet, kernel: string): Promise<BenchCase[]> => {
    const p = peerOf(set, kernel);
    if (!isPeer(p)) return [];
    if (configOf(set, kernel) === 'auto') return [...p.small, ...p.large];
    if (set === 'webgpu') {
      const c = choice();
      return configuredMatmulCases({ ...(c.tiling !== 'auto' ? { config: c.tiling } : {}), ...(c.splitK !== 'auto' ? { splitK: c.splitK } : {}) });
    }
    const d = await wasmDevice();
    const [rows, cols] = wasmTile.value.split('x').map(Number) as [number, number];
    return configuredMatmulCases({ wasmTiles: { mc: rows * d.constant('MATMUL_MR'), nc: cols * d.constant('MATMUL_NR') } });
  };
  const labelsOf = (set: KernelSet, kernel: string): string[] => {
    const p = peerOf(set, kernel);
    return isPeer(p) ? [...p.small, ...p.large].map((c) => c.label) : [];
  };

  function showSet(): void {
    state.set = setPick.value as KernelSet;
    const names = Object.keys(state.set === 'webgpu' ? KERNELS : WASM_KERNELS);
    options(pick, names, names.includes(pick.value) ? pick.value : 'matmul');
    button.textContent = `time against tfjs-${state.set}`;
    show();
  }

  function show(): void {
    const set = state.set;
    const kernel = pick.value;
    const p = peerOf(set, kernel);
    const labels = labelsOf(set, kernel);
    const key = `${set} ${kernel}`;
    if (casePick.dataset.kernel !== key) {
      options(casePick, labels.length ? labels : ['(no peer)'], labels[0]);
      casePick.dataset.kernel = key;
      // Another kernel: the last table was for the previous one.
      $<HTMLTableElement>('kernel-result').replaceChildren();
      $('kernel-roofline').textContent = '';
    }
    $('kernel-choice-tiling').hidden = $('kernel-choice-splitk').hidden = !(set === 'webgpu' && kernel === 'matmul');
    $('kernel-choice-wasm-tile').hidden = !(set === 'wasm' && kernel === 'matmul');
    if (set === 'webgpu') {
      const k = KERNELS[kernel]!;
      $('kernel-header').textContent = header(k.file);
      const { wgsl, config } = device
        ? k.source(device, casePick.value, choice())
        : { wgsl: '(the WGSL is generated once the page has chosen its device)', config: '' };
      $('kernel-source').textContent = wgsl.trim();
      $('kernel-config').textContent = config;
    } else {
      const k = WASM_KERNELS[kernel]!;
      $('kernel-header').textContent = wasmHeader(k.file);
      $('kernel-source').textContent = wasmSource(k.file).trim();
      const tile =
        kernel === 'matmul'
          ? `; macro tile ${wasmTile.value === 'auto' ? 'as chooseWasmMatmulTiles picks it for the shape and the threads' : `${wasmTile.value} register tiles (picked above)`}`
          : '';
      $('kernel-config').textContent = `kernels-wasm assembly/${k.file}: ${k.about}${tile}`;
    }
    $('kernel-source-kind').textContent = set === 'webgpu' ? 'the generated WGSL' : 'the AssemblyScript source';
    // No peer: the page says why, and offers no button.
    button.hidden = !isPeer(p);
    const oneThread =
      set === 'wasm' && !TFJS_WASM_THREADS ? ', one thread in this static build: its threaded workers do not survive minification; saddle on every thread' : '';
    peerLine.textContent = isPeer(p) ? `tfjs peer: ${p.tfjs} (on tfjs-${set}${oneThread}). Check: ${p.check}.` : `No timing: ${p.none}.`;
    const canTime = set === 'wasm' || (device !== null && isWebGpu(device));
    button.disabled = !device || !canTime || !isPeer(p) || state.timing;
    status.textContent = !device
      ? 'waiting for the device'
      : canTime
        ? ''
        : `timing the WGSL kernels needs WebGPU (this page runs on ${device.kind}): pick the AssemblyScript kernels to time on wasm`;
    status.className = '';
  }

  async function time(set: KernelSet, kernel: string, label: string): Promise<void> {
    const c = (await casesOf(set, kernel)).find((x) => x.label === label);
    if (!c) return;
    const config = configOf(set, kernel);
    const d: Device = set === 'webgpu' ? (device as WebGpuDevice) : await wasmDevice();
    const roofline = await progress.during(
      `measuring the roofline of ${d.name} (peak and copy probes)`,
      async () => {
        await new Promise((r) => setTimeout(r, 0)); // paint the words: the wasm probes hold the page's thread
        return rooflineOf(d, short);
      },
      0,
    );
    noteRoofline(roofline);
    const ids: [RunnerId, RunnerId] = set === 'webgpu' ? ['saddle-webgpu', 'tfjs-webgpu'] : ['saddle-wasm', 'tfjs-wasm'];
    // Shown at once: the first click also loads tfjs (seconds of script on the page's thread).
    const r = await progress.during(
      `timing ${kernel}: ${c.label}${config === 'auto' ? '' : ` (${config})`}${tfLoaded(set) ? '' : ` (loading tfjs-${set} first)`}`,
      async () => {
        const tf = set === 'webgpu' ? await tfWebGpu(d as WebGpuDevice) : await tfWasm();
        return runCase(c, [saddleRunner(ids[0], d, `saddle on ${d.name}`), tfjsRunner(tf, set)], harness, new Map(), [ids]);
      },
      0,
    );
    const intensity = c.flops && c.bytes ? c.flops / c.bytes : null;
    const pctOfPeak: KernelTiming['pctOfPeak'] = {};
    const rows = Object.entries(r.runners).map(([id, res]) => {
      if (res.status !== 'ok') return [id, res.status, '', '', '', '', '', '', checkCell(c, res)];
      const gflops = rateOf(c.flops, res.ms.median);
      const gbs = rateOf(c.bytes, res.ms.median);
      pctOfPeak[id as RunnerId] = { flops: gflops && (100 * gflops) / roofline.peak, bytes: gbs && (100 * gbs) / roofline.bandwidth };
      // Of the roof over this case: min(peak, intensity × bandwidth), or the bandwidth for a pure copy.
      const ofRoof =
        gflops !== undefined && intensity !== null ? pct(gflops, roofAt(roofline, intensity).gflops) : gbs !== undefined ? pct(gbs, roofline.bandwidth) : '–';
      return [
        id,
        res.ms.median.toFixed(4),
        cell(gflops),
        gflops === undefined ? '–' : pct(gflops, roofline.peak),
        cell(gbs),
        gbs === undefined ? '–' : pct(gbs, roofline.bandwidth),
        ofRoof,
        `${res.reps}x${res.iters}`,
        checkCell(c, res),
      ];
    });
    state.results.push({ kernel, set, config, roofline, intensity, pctOfPeak, ...r });
    table(
      $<HTMLTableElement>('kernel-result'),
      ['runner', 'ms / call (median)', 'GFLOP/s', '% of peak', 'GB/s', '% of bandwidth', '% of roof', 'reps x calls', 'check'],
      rows,
    );
    const roof = intensity !== null ? roofAt(roofline, intensity) : null;
    $('kernel-roofline').textContent =
      (intensity !== null
        ? `Arithmetic intensity ${fmtRate(intensity)} flop/byte (${c.flops} flops, ${c.bytes} bytes at least): the roof is ${fmtRate(roof!.gflops)} GFLOP/s, ${roof!.bound}-bound`
        : `Data movement only (${c.bytes} bytes at least): the roof is the copy bandwidth, ${fmtRate(roofline.bandwidth)} GB/s`) +
      ` on ${roofline.device} (peak ${fmtRate(roofline.peak)} GFLOP/s, copy ${fmtRate(roofline.bandwidth)} GB/s, measured on this page)${config === 'auto' ? '' : `; configuration: ${config}`}.`;
    const ratio = r.ratios[0];
    const missing = Object.entries(r.runners).filter(([, res]) => res.status !== 'ok');
    // Never a bare "done": a ratio, or why there is none.
    status.textContent = ratio
      ? `${kernel}, ${c.label}: saddle is ${ratio.value.toFixed(2)}x tfjs-${set}'s speed (median of paired reps)${slowNote(r)}`
      : `${kernel}, ${c.label}: no ratio: ${missing.map(([id, res]) => `${id} ${res.status}: ${res.status === 'ok' ? '' : res.reason}`).join('; ') || 'the harness paired no reps'}`;
    status.className = ratio ? '' : 'bad';
  }

  button.onclick = () =>
    void guarded(status, async () => {
      const set = state.set;
      if (!device || (set === 'webgpu' && !isWebGpu(device))) return;
      state.timing = true;
      button.disabled = true;
      status.textContent = `timing ${pick.value}: ${casePick.value}…`;
      status.className = '';
      try {
        await time(set, pick.value, casePick.value);
      } finally {
        state.timing = false;
        button.disabled = false;
      }
    });
  setPick.onchange = showSet;
  pick.onchange = show;
  casePick.onchange = show;
  tiling.onchange = splitK.onchange = wasmTile.onchange = show;
  state.ladder = ladderPanel(devicePromise, wasmDevice, short, noteRoofline);
  showSet();
  void devicePromise.then((d) => {
    device = d;
    // A page without WebGPU opens on the kernels it can time.
    if (!isWebGpu(d) && setPick.value === 'webgpu') setPick.value = 'wasm';
    showSet();
  });
  return state;
}
