/**
 * The matmul ladder in the page (docs/kernels.md, "The matmul ladder"): every step of the WGSL
 * ladder and of the wasm ladder can be picked (its code and teaching header shown) and timed, one
 * step or all, on a size³ product, with the harness `pnpm bench ladder` uses
 * (benchmarks/src/roofline.ts: one call to compile, then reps of ~0.2 s, the best rep). The table
 * holds every step timed so far side by side: GFLOP/s, % of the measured peak (./roofline.ts: the
 * one-thread peak for the wasm steps that run on one thread, every thread's for the rest) and the
 * speed-up over the step before it. The WGSL steps need WebGPU; the wasm steps run anywhere but
 * `fma`, which needs the relaxed-SIMD build (where the engine lacks it the page says so). The page's
 * wasm device runs the relaxed build where the engine has it, so there every wasm step runs that
 * build (the rows say which); `pnpm bench ladder` runs the earlier ones on SIMD128.
 */
import { isWebGpu, type Device, type WasmDevice, type WebGpuDevice } from '@saddle/autograd';
import * as K from '@saddle/ops';
import { timeLadder } from '@saddle/benchmarks';
import { $, guarded, options, table } from '../dom.js';
import { Progress } from '../progress.js';
import { header } from './catalog.js';
import { fmtRate, rooflineOf, type DeviceRoofline } from './roofline.js';
import { wasmHeader, wasmSource } from './wasm-catalog.js';

export interface LadderTiming {
  device: 'webgpu' | 'wasm';
  step: string;
  size: number;
  ms: number;
  gflops: number;
  /** % of the peak of the threads the step runs on. */
  pctPeak: number;
  peak: number;
  /** wasm: the build of the kernels that ran (the page's wasm device's: relaxed-simd where the engine has it). */
  build?: string;
}

export interface LadderPanelState {
  /** "webgpu naive", …, "wasm threads", "wasm fma". */
  steps: string[];
  /** The latest timing of each step timed, in ladder order. */
  rows: LadderTiming[];
  timing: boolean;
}

const STEPS = K.MATMUL_LADDER;
const keyOf = (s: K.LadderStep) => `${s.device} ${s.name}`;

/** The code and header of a step. */
function stepCode(s: K.LadderStep): { code: string; header: string } {
  if (s.device === 'wasm') {
    const file = s.name === 'kblocks' || s.name === 'threads' || s.name === 'fma' ? 'matmul/matmul.ts' : 'ladder/ladder.ts';
    return { code: wasmSource(file), header: wasmHeader(file) };
  }
  const plain = { transA: false, transB: false };
  if (s.name === 'vec4') return { code: K.matmulWgsl({ config: K.LADDER_VEC4_CONFIG, ...plain }), header: header('matmul/matmul.wgsl.ts') };
  if (s.name === 'final') return { code: K.matmulWgsl({ config: K.MATMUL_CONFIGS.large, ...plain }), header: header('matmul/matmul.wgsl.ts') };
  const code = s.name === 'naive' ? K.ladderNaiveWgsl() : s.name === 'tiled' ? K.ladderTiledWgsl() : K.ladderRegisterWgsl();
  return { code, header: header('ladder/ladder.wgsl.ts') };
}

export function ladderPanel(
  device: Promise<Device>,
  wasmDevice: () => Promise<WasmDevice>,
  short: boolean,
  noteRoofline: (r: DeviceRoofline) => void,
): LadderPanelState {
  const state: LadderPanelState = { steps: STEPS.map(keyOf), rows: [], timing: false };
  let gpu: WebGpuDevice | null = null;
  const pick = options($<HTMLSelectElement>('ladder-step'), state.steps, 'wasm scalar');
  const size = options($<HTMLSelectElement>('ladder-size'), ['128', '256', '512'], short ? '128' : '256');
  const one = $<HTMLButtonElement>('ladder-time');
  const all = $<HTMLButtonElement>('ladder-time-all');
  const status = $('ladder-status');
  const progress = new Progress($('ladder-progress'));
  const reps = short ? 2 : 4;

  const stepOf = (key: string) => STEPS.find((s) => keyOf(s) === key)!;
  /** Why the page cannot run step `s`, or null: the WGSL steps need WebGPU, `fma` a wasm device of the relaxed-SIMD build. */
  async function whyNot(s: K.LadderStep): Promise<string | null> {
    if (s.device === 'webgpu') return gpu !== null ? null : `the WGSL steps need WebGPU (this page runs on ${(await device).kind}); the wasm steps run here`;
    const build = s.build === undefined ? null : (await wasmDevice()).build;
    return build === null || build === s.build
      ? null
      : `wasm step '${s.name}' needs the ${s.build} build of the kernels, and this engine runs ${build} (this engine has no relaxed SIMD; Chrome 114+ has it)`;
  }

  function show(): void {
    const s = stepOf(pick.value);
    const { code, header: h } = stepCode(s);
    $('ladder-idea').textContent = `${s.device} step '${s.name}': ${s.idea}; ${fmtRate(s.intensity)} flop/byte as planned; code in ${s.source}`;
    $('ladder-header').textContent = h;
    $('ladder-source').textContent = code.trim();
  }

  function render(): void {
    const rows = state.rows.map((r, i) => {
      const s = stepOf(`${r.device} ${r.step}`);
      const prev = state.rows[i - 1];
      const speedup = prev && prev.device === r.device && prev.size === r.size ? `${(r.gflops / prev.gflops).toFixed(1)}×` : '';
      return [
        r.build ? `${r.device} (${r.build})` : r.device,
        r.step,
        s.idea,
        fmtRate(s.intensity),
        `${r.size}³`,
        r.ms.toFixed(2),
        r.gflops.toFixed(2),
        `${r.pctPeak.toFixed(1)}%`,
        speedup,
      ];
    });
    table(
      $<HTMLTableElement>('ladder-result'),
      ['device', 'step', 'what it adds', 'flop/byte', 'product', 'ms', 'GFLOP/s', '% of peak', '× step before'],
      rows,
    );
  }

  async function timeStep(s: K.LadderStep, n: number): Promise<void> {
    const d: Device = s.device === 'webgpu' ? gpu! : await wasmDevice();
    const roof = await rooflineOf(d, short);
    noteRoofline(roof);
    // The wasm steps before `threads` run on the calling thread alone: against one thread's peak.
    const peak = s.device === 'wasm' && s.name !== 'threads' && s.name !== 'fma' ? roof.oneThread! : roof.peak;
    const sync = isWebGpu(d) ? () => d.sync() : async () => {};
    const [row] = await timeLadder(d, [s], n, reps, () => peak, sync);
    const timing: LadderTiming = {
      device: s.device,
      step: s.name,
      size: n,
      ms: row!.ms,
      gflops: row!.gflops,
      pctPeak: row!.pctPeak,
      peak,
      build: isWebGpu(d) ? undefined : (d as WasmDevice).build,
    };
    state.rows = [...state.rows.filter((r) => !(r.device === s.device && r.step === s.name)), timing].sort(
      (a, b) => STEPS.findIndex((x) => x.device === a.device && x.name === a.step) - STEPS.findIndex((x) => x.device === b.device && x.name === b.step),
    );
    render();
  }

  async function run(steps: K.LadderStep[], notes: string[]): Promise<void> {
    const n = Number(size.value);
    state.timing = true;
    one.disabled = all.disabled = true;
    status.className = '';
    try {
      for (const s of steps) {
        status.textContent = `timing ${s.device} ${s.name} on ${n}³…`;
        // Shown at once: a wasm step holds the page's thread while it runs.
        await progress.during(
          `timing ${s.device} ${s.name} (${n}³)`,
          async () => {
            await new Promise((r) => setTimeout(r, 0));
            await timeStep(s, n);
          },
          0,
        );
      }
      status.textContent = `timed ${steps.length} step${steps.length === 1 ? '' : 's'} on ${n}³${notes.length ? ` (not run: ${notes.join('; ')})` : ''}`;
    } finally {
      state.timing = false;
      one.disabled = all.disabled = false;
    }
  }

  one.onclick = () =>
    void guarded(status, async () => {
      const s = stepOf(pick.value);
      const why = await whyNot(s);
      if (why !== null) {
        status.textContent = why;
        status.className = 'bad';
        return;
      }
      await run([s], []);
    });
  all.onclick = () =>
    void guarded(status, async () => {
      const reasons = await Promise.all(STEPS.map(whyNot));
      const gpuSkipped = reasons.filter((r, i) => r !== null && STEPS[i]!.device === 'webgpu').length;
      const notes = [
        ...(gpuSkipped ? [`the ${gpuSkipped} WGSL steps need WebGPU`] : []),
        ...reasons.filter((r, i): r is string => r !== null && STEPS[i]!.device === 'wasm'),
      ];
      await run(
        STEPS.filter((_, i) => reasons[i] === null),
        notes,
      );
    });
  pick.onchange = show;
  show();
  void device.then((d) => {
    if (isWebGpu(d)) gpu = d;
  });
  return state;
}
