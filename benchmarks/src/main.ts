/**
 * The bench command: `pnpm bench [NAME...] [options]`, `pnpm bench list`, `pnpm bench report FILE.json...`.
 * Shared by the tsx entry (cli.ts) and the GPU host's bundle (gpu-entry.ts); the host tells it
 * what it can load (the wasm backend) and where results go.
 */
import { cpus, platform, release, arch, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gitInfo, repoRoot } from './git.js';
import { ALL_RUNNERS, DEFAULT_OPTIONS, DEFAULT_RUNNERS, runBench, type HarnessOptions, type RunnerId } from './harness.js';
import { BENCHES } from './benches/index.js';
import {
  deviceSlug,
  slug as slugify,
  loadTfjs,
  makeRunners,
  openGpu,
  openTorch,
  openWasm,
  type GpuEnv,
  type TfEnv,
  type TorchEnv,
  type WasmEnv,
  type WasmModule,
} from './runners.js';
import { readResult, renderTable, updateDocs, writeResultFiles, type BenchResult } from './report.js';

export interface Host {
  /** Imports @tensorflow/tfjs-backend-wasm; absent where it is not bundled. */
  loadWasm?: () => Promise<WasmModule>;
  /** Where results go when --out is not given (default: <repo>/benchmarks/results). */
  defaultOut?: string;
  /** Whether docs/performance.md is updated by default (not on the GPU host). */
  docs: boolean;
}

const USAGE = `usage: pnpm bench [NAME...] [options]     run benches (all when no NAME is given)
       pnpm bench list                      list the benches
       pnpm bench ladder [--device webgpu|wasm|both] [--size N] [--reps N] [--no-write]
                                            the matmul ladder: GFLOP/s and % of peak per step
       pnpm bench report FILE.json...       re-render the .md/.svg (and the docs table) of saved results

options:
  --sizes 256,512,...   the bench's main sizes (matmul: square M = K = N)
  --skip-gan            leave out the GAN's shapes
  --filter REGEX        only cases whose label matches
  --runners a,b,...     of ${ALL_RUNNERS.join(', ')} (default: all but the -1t ones; torch-cpu where python3 imports torch)
  --reps N              measured reps per runner and case (default ${DEFAULT_OPTIONS.reps})
  --warmup N            warm-up reps (default ${DEFAULT_OPTIONS.warmup})
  --budget SECONDS      time a runner may spend on one case (default ${DEFAULT_OPTIONS.budgetMs / 1000}); bigger cases are skipped
  --min-rep-ms MS       a rep lasts at least this long (default ${DEFAULT_OPTIONS.minRepMs})
  --max-iters N         at most N iterations per rep (default ${DEFAULT_OPTIONS.maxIters})
  --min-reps N          fewest reps before a runner is skipped (default ${DEFAULT_OPTIONS.minReps})
  --out DIR             where the JSON/MD/SVG go (default benchmarks/results)
  --docs FILE           the docs page whose table is regenerated (default docs/performance.md)
  --no-docs             leave the docs alone
  --json-only           write only the .json (render the .md/.svg later with \`bench report\`)
  --commit SHA          record this commit (default: git rev-parse HEAD, else 'unknown')
  --dawn-flag FLAG      passed to Dawn's create() (repeatable)
  --note TEXT           a note for the results (repeatable)
  --tag NAME            appended to the file names (and the docs block) to keep runs of one day apart
`;

export { repoRoot };

function parseList(s: string | undefined, name: string): number[] | undefined {
  if (s === undefined) return undefined;
  const xs = s.split(',').filter(Boolean).map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`--${name} wants positive integers separated by commas, got '${s}'`);
  return xs;
}

function num(s: string | undefined, name: string, dflt: number, min = 0): number {
  if (s === undefined) return dflt;
  const x = Number(s);
  if (!Number.isFinite(x) || x < min) throw new Error(`--${name} wants a number ≥ ${min}, got '${s}'`);
  return x;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export async function main(argv: string[], host: Host): Promise<number> {
  // `pnpm bench ladder ...`: the matmul ladder, its own options (ladder.ts).
  const rest = argv[0] === 'bench' ? argv.slice(1) : argv;
  if (rest[0] === 'ladder') return (await import('./ladder.js')).runLadderBench(rest.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sizes: { type: 'string' },
      'skip-gan': { type: 'boolean' },
      filter: { type: 'string' },
      runners: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      budget: { type: 'string' },
      'min-rep-ms': { type: 'string' },
      'max-iters': { type: 'string' },
      'min-reps': { type: 'string' },
      out: { type: 'string' },
      docs: { type: 'string' },
      'no-docs': { type: 'boolean' },
      'json-only': { type: 'boolean' },
      commit: { type: 'string' },
      'dawn-flag': { type: 'string', multiple: true },
      note: { type: 'string', multiple: true },
      tag: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const root = repoRoot();
  const args = positionals[0] === 'bench' ? positionals.slice(1) : positionals;
  const outDir = resolve(values.out ?? host.defaultOut ?? join(root, 'benchmarks', 'results'));
  const docsPath = values['no-docs'] ? null : values.docs ? resolve(values.docs) : host.docs ? join(root, 'docs', 'performance.md') : null;

  if (args[0] === 'list') {
    for (const [name, e] of Object.entries(BENCHES)) process.stdout.write(`${name.padEnd(12)} ${e.summary}\n`);
    return 0;
  }
  if (args[0] === 'report') {
    if (args.length < 2) throw new Error('bench report wants one or more result .json files');
    for (const f of args.slice(1)) {
      const r = readResult(f);
      const files = writeResultFiles(r, values.out ? outDir : dirname(resolve(f)));
      if (docsPath) updateDocs(docsPath, r, files);
      process.stdout.write(`${files.md}\n${files.svg}\n`);
    }
    return 0;
  }

  const names = args.length ? args : Object.keys(BENCHES);
  const entries = names.map((n) => {
    const entry = BENCHES[n];
    if (!entry) throw new Error(`unknown bench '${n}'; known: ${Object.keys(BENCHES).join(', ')}`);
    return [n, entry] as const;
  });
  const wanted = (values.runners?.split(',').filter(Boolean) ?? [...DEFAULT_RUNNERS]) as RunnerId[];
  for (const id of wanted) if (!ALL_RUNNERS.includes(id)) throw new Error(`unknown runner '${id}'; known: ${ALL_RUNNERS.join(', ')}`);
  const opts: HarnessOptions = {
    reps: num(values.reps, 'reps', DEFAULT_OPTIONS.reps, 1),
    warmup: num(values.warmup, 'warmup', DEFAULT_OPTIONS.warmup),
    budgetMs: num(values.budget, 'budget', DEFAULT_OPTIONS.budgetMs / 1000, 0.001) * 1000,
    minRepMs: num(values['min-rep-ms'], 'min-rep-ms', DEFAULT_OPTIONS.minRepMs),
    maxIters: num(values['max-iters'], 'max-iters', DEFAULT_OPTIONS.maxIters, 1),
    minReps: num(values['min-reps'], 'min-reps', DEFAULT_OPTIONS.minReps, 1),
  };
  opts.minReps = Math.min(opts.minReps, opts.reps);
  const sizes = parseList(values.sizes, 'sizes');
  const filter = values.filter ? new RegExp(values.filter) : null;

  const want = new Set(wanted);
  const notes: string[] = [];
  let gpu: GpuEnv | null = null;
  const missing: string[] = [];
  if (want.has('saddle-webgpu') || want.has('tfjs-webgpu')) {
    try {
      gpu = await openGpu(values['dawn-flag'] ?? []);
    } catch (e) {
      missing.push(`WebGPU: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let tfe: TfEnv | null = null;
  if (wanted.some((id) => id.startsWith('tfjs-'))) {
    tfe = await loadTfjs(want, gpu, host.loadWasm);
    notes.push(...tfe.notes);
  }
  let wasm: WasmEnv | null = null;
  if (want.has('saddle-wasm') || want.has('saddle-wasm-1t') || want.has('saddle-wasm-simd128')) {
    try {
      wasm = await openWasm(want);
    } catch (e) {
      missing.push(`wasm: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let torch: TorchEnv | string | null = null;
  if (want.has('torch-cpu') || want.has('torch-cpu-1t')) {
    torch = await openTorch(want, cpus().length);
    if (typeof torch !== 'string') {
      for (const t of [torch.all, torch.one]) {
        if (!t) continue;
        notes.push(
          `PyTorch ${t.hello.torch} (${torch.python}) on ${t.hello.threads} thread${t.hello.threads === 1 ? '' : 's'}, OMP_WAIT_POLICY=${t.hello.ompWaitPolicy}; ` +
            `libraries loaded: ${t.hello.libraries.join(', ') || 'none found'}.`,
        );
      }
    }
  }
  const { runners, missing: miss } = makeRunners(wanted, gpu, tfe, wasm, torch);
  missing.push(...miss);
  if (runners.length === 0) throw new Error(`no runner could be opened: ${missing.join('; ')}`);

  const { commit, dirty } = gitInfo(root, ['packages', 'benchmarks/src'], values.commit);
  const cpuList = cpus();
  const slug = deviceSlug(gpu?.info ?? null);
  if (gpu?.info.software) {
    notes.unshift(
      `The WebGPU adapter is ${slug} (${gpu.info.description || gpu.info.device}): Mesa's software Vulkan driver, which compiles the WGSL ` +
        `kernels to CPU code and runs them on this machine's ${cpuList.length} CPU core(s). These figures compare the two libraries' ` +
        `kernels on the same (slow, CPU) adapter; they say nothing about GPU speed. The machine was shared with other work while it ran.`,
    );
  }
  if (wasm?.peak) {
    const p = wasm.peak;
    notes.push(
      `Peak f32x4 mul + add rate of this machine, measured in this run: ${p.oneThread.toFixed(1)} GFLOP/s on one thread, ` +
        `${p.allThreads.toFixed(1)} GFLOP/s on ${p.threads} threads (${p.method}).`,
    );
  }
  if (wasm?.peakSimd128) {
    const p = wasm.peakSimd128;
    notes.push(
      `The same on the SIMD128 build (no FMA): ${p.oneThread.toFixed(1)} GFLOP/s on one thread, ${p.allThreads.toFixed(1)} GFLOP/s on ${p.threads} threads.`,
    );
  }
  notes.push(...(values.note ?? []));
  notes.push(
    `Time budget: each runner may spend ${opts.budgetMs / 1000} s on a case; a runner that cannot fit ${opts.minReps} reps in it is skipped for that case (listed below the table).`,
  );

  let exit = 0;
  try {
    for (const [name, entry] of entries) {
      const bench = entry.build({ sizes, gan: !values['skip-gan'], hardwareGpu: Boolean(gpu && !gpu.info.software) });
      if (filter) bench.cases = bench.cases.filter((c) => filter.test(c.label));
      const date = new Date().toISOString();
      const loadStart = loadavg();
      process.stderr.write(`${name}: ${bench.cases.length} cases on ${runners.map((r) => r.id).join(', ')} (${slug})\n`);
      const cases = await runBench(bench, runners, opts);
      const result: BenchResult = {
        schema: 1,
        bench: bench.name,
        ...(values.tag ? { tag: slugify(values.tag) } : {}),
        title: bench.title,
        description: bench.description,
        date,
        commit,
        dirty,
        node: process.version,
        platform: `${platform()} ${release()} ${arch()}`,
        cpu: { model: cpuList[0]?.model ?? 'unknown', cores: cpuList.length },
        loadavg: { start: loadStart.map(round2), end: loadavg().map(round2) },
        device: { slug, adapter: gpu?.info ?? null },
        ...(wasm?.peak ? { wasmPeak: wasm.peak } : {}),
        ...(wasm?.peakSimd128 ? { wasmPeakSimd128: wasm.peakSimd128 } : {}),
        runners: runners.map((r) => ({ id: r.id, where: r.where, description: r.description })),
        missing,
        options: { ...opts, sizes: sizes ?? 'default', filter: values.filter ?? null, gan: !values['skip-gan'] },
        ratios: bench.ratios,
        notes,
        cases,
      };
      const files = writeResultFiles(result, outDir, { jsonOnly: values['json-only'] });
      if (docsPath) updateDocs(docsPath, result, files);
      process.stdout.write(`\n${renderTable(result)}\n\n${values['json-only'] ? files.json : `${files.json}\n${files.md}\n${files.svg}`}\n`);
      if (docsPath) process.stdout.write(`${docsPath} (table regenerated)\n`);
      const bad = cases.some((c) => Object.values(c.runners).some((x) => x?.status === 'failed' || (x?.status === 'ok' && x.check && !x.check.ok)));
      if (bad) {
        process.stderr.write(`${name}: some runners failed or disagreed with the reference output (see ${files.md})\n`);
        exit = 1;
      }
    }
  } finally {
    wasm?.all?.destroy();
    wasm?.one?.destroy();
    wasm?.simd128?.destroy();
    if (torch && typeof torch !== 'string') for (const t of [torch.all, torch.one]) t?.proc.destroy();
    gpu?.saddle.destroy();
    gpu?.device.destroy();
  }
  return exit;
}
