/**
 * Where the time of one GAN training iteration goes (docs/performance.md, "Profile").
 *
 *   pnpm exec tsx benchmarks/src/gan-profile.ts [--preset paper|quick] [--iters 3] [--replays 4] [--rounds 3] [--sleep-probe] [--json FILE]
 *   pnpm exec tsx benchmarks/src/gan-profile.ts --iters 10 --replays 0 --cpu-prof FILE.cpuprofile   (JavaScript profile
 *        of the recording of `iters` iterations, by V8's sampling profiler through node:inspector)
 *   pnpm exec tsx benchmarks/src/gan-profile.ts --summarize FILE.cpuprofile...   (top functions by self time)
 *
 * 1. The first iteration, split into recording (JavaScript: ops, checks, pipeline compilation,
 *    bind groups; the device only records) and execution (from the submit to the queue being idle).
 * 2. Steady iterations, split the same way. The trainer submits once, at the end of the iteration,
 *    so recording and execution do not overlap: iteration = record + execute.
 *    With `--sleep-probe`: the same iteration waited for without dawn.node's polling (below).
 * 3. Every dispatch of one iteration, captured as the trainer issues it (kernel, parameters,
 *    buffers, workgroups, and from the JavaScript stack: the D or G step, and forward / backward /
 *    optimizer / statistics), then replayed alone on the same buffers: once, and `--replays` times
 *    in one submit; the difference over `replays − 1` is its execution time by itself, without the
 *    fixed cost of a submit (median of `--rounds`). Summed by kernel and by part of the step, and
 *    compared with the measured execution time of a whole iteration.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '@saddle/nn';
import { Storage, type DispatchSpec } from '@saddle/tensor';
import { GanTrainer, type PresetName } from '@saddle/gan';
import { BENCH_IMAGES, benchConfig, describeConfig, iterationMacs, steadyIteration, syntheticImages } from './benches/gan-iteration.js';
import { openGpu } from './runners.js';
import { median } from './stats.js';

interface Captured {
  index: number;
  label: string;
  step: 'D step' | 'G step' | 'other';
  part: 'forward' | 'backward' | 'optimizer' | 'statistics' | 'noise' | 'other';
  workgroups: number;
  spec: DispatchSpec;
  ms?: number;
}

function classify(stack: string): Pick<Captured, 'step' | 'part'> {
  const step = /\bdStep\b/.test(stack) ? 'D step' : /\bgStep\b/.test(stack) ? 'G step' : 'other';
  let part: Captured['part'] = 'forward';
  if (/runBackward|\bbackward\b/.test(stack)) part = 'backward';
  else if (/SGD\.step|sgdMomentum/.test(stack)) part = 'optimizer';
  else if (/accumulate[DG]/.test(stack)) part = 'statistics';
  else if (/sampleZ|sampleNoise/.test(stack)) part = 'noise';
  else if (step === 'other') part = 'other';
  return { step, part };
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** Top self-time functions of V8 .cpuprofile files (node --cpu-prof). */
function summarizeProfiles(files: string[]): void {
  for (const f of files) {
    const p = JSON.parse(readFileSync(f, 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
      samples: number[];
      timeDeltas: number[];
      startTime: number;
      endTime: number;
    };
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let total = 0;
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
      total += dt;
      const n = byId.get(id)!;
      const url = n.callFrame.url.replace(/^.*\/(packages|benchmarks|node_modules)\//, '$1/');
      const key = `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
      self.set(key, (self.get(key) ?? 0) + dt);
    });
    const idle = self.get('(idle)') ?? 0;
    const busy = total - idle;
    process.stdout.write(`${f}: ${fmt(total)} ms sampled, ${fmt(idle)} ms idle (waiting for the device), ${fmt(busy)} ms busy; by self time, % of busy:\n`);
    for (const [k, ms] of [...self.entries()]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)) {
      process.stdout.write(`  ${fmt(ms).padStart(9)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${k}\n`);
    }
    // And by file (packages/*, node_modules/*, natives).
    const byFile = new Map<string, number>();
    for (const [k, ms] of self) {
      if (k === '(idle)') continue;
      const m = k.match(/ ((?:packages|benchmarks|node_modules)\/[^:]+):\d+$/);
      const file = m ? m[1]!.replace(/^node_modules\/(\.pnpm\/)?([^/]+).*$/, 'node_modules/$2') : k.startsWith('(') ? k : '(native / Dawn bindings)';
      byFile.set(file, (byFile.get(file) ?? 0) + ms);
    }
    process.stdout.write('  by file:\n');
    for (const [k, ms] of [...byFile.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
      process.stdout.write(`  ${fmt(ms).padStart(9)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${k}\n`);
    }
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      preset: { type: 'string', default: 'paper' },
      iters: { type: 'string', default: '3' },
      replays: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'string' },
      summarize: { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      'sleep-probe': { type: 'boolean' },
    },
  });
  if (values.summarize) {
    summarizeProfiles(positionals);
    return;
  }
  const name = values.preset as PresetName;
  const iters = Number(values.iters);
  const replays = Number(values.replays);
  const rounds = Math.max(1, Number(values.rounds));
  const config = benchConfig(name);
  const gpu = await openGpu();
  const device = gpu.saddle;
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`${name}: ${describeConfig(config)}; ${((2 * iterationMacs(config)) / 1e9).toFixed(2)} GFLOP of matmul per iteration`);
  out(`adapter: ${gpu.info.description || gpu.info.device}`);

  const trainer = new GanTrainer(config, { images: syntheticImages(BENCH_IMAGES), n: BENCH_IMAGES, d: 784 }, device);
  trainer.startEpoch();
  await device.sync();
  const next = () => steadyIteration(trainer);

  // 1. The first iteration.
  const p0 = device.counters.pipelines;
  let t0 = performance.now();
  next();
  let t1 = performance.now();
  await device.sync();
  let t2 = performance.now();
  const first = { recordMs: t1 - t0, executeMs: t2 - t1, pipelines: device.counters.pipelines - p0 };
  out(`first iteration: record ${fmt(first.recordMs)} ms (${first.pipelines} pipelines compiled), execute ${fmt(first.executeMs)} ms`);

  // 2. Steady iterations.
  const steady: { recordMs: number; executeMs: number; dispatches: number; submits: number }[] = [];
  for (let i = 0; i < iters; i++) {
    const c0 = { ...device.counters };
    t0 = performance.now();
    next();
    t1 = performance.now();
    await device.sync();
    t2 = performance.now();
    steady.push({
      recordMs: t1 - t0,
      executeMs: t2 - t1,
      dispatches: device.counters.dispatches - c0.dispatches,
      submits: device.counters.submits - c0.submits,
    });
  }
  if (values['cpu-prof']) {
    // The recording alone under V8's sampling profiler: `iters` iterations issued back to back
    // (each submits; nothing waits), then one sync outside the profile. Waiting is left out on
    // purpose: dawn.node's polling would fill the profile (see the sleep probe).
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    t0 = performance.now();
    for (let i = 0; i < iters; i++) next();
    t1 = performance.now();
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await device.sync();
    writeFileSync(values['cpu-prof'], JSON.stringify(profile));
    out(`JavaScript profile of ${iters} iterations recorded back to back (${fmt((t1 - t0) / iters)} ms each): ${values['cpu-prof']}`);
  }
  const rec = median(steady.map((s) => s.recordMs));
  const exe = median(steady.map((s) => s.executeMs));
  out(
    `steady iteration (median of ${iters}): record ${fmt(rec)} ms, execute ${fmt(exe)} ms, total ${fmt(rec + exe)} ms; ` +
      `${steady[0]!.dispatches} dispatches, ${steady[0]!.submits} submit(s)`,
  );

  // 2b. The cost of waiting. dawn.node resolves onSubmittedWorkDone / mapAsync by polling its
  // instance from a setImmediate loop on the main thread for as long as a promise is pending, so
  // awaiting the device keeps one CPU core busy, which on a CPU adapter is taken from the driver's
  // own worker threads. Here: submit an iteration, let the event loop sleep (setTimeout: nothing
  // polls) for a fraction T of the polled execution time, then sync. Once T covers the execution,
  // the sync returns at once: the smallest such T bounds the execution time without a poller.
  const sleepProbe: { fraction: number; sleepMs: number; residualMs: number }[] = [];
  if (values['sleep-probe']) {
    for (const fraction of [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) {
      const sleepMs = fraction * exe;
      next();
      device.flush();
      await new Promise((r) => setTimeout(r, sleepMs));
      t0 = performance.now();
      await device.sync();
      sleepProbe.push({ fraction, sleepMs, residualMs: performance.now() - t0 });
    }
    out(`wait without polling: ${sleepProbe.map((p) => `sleep ${fmt(p.sleepMs)} ms → ${fmt(p.residualMs)} ms left`).join('; ')}`);
    const done = sleepProbe.find((p) => p.residualMs < 5);
    if (done) out(`  → an iteration executes in ≤ ${fmt(done.sleepMs)} ms while nothing polls, vs. ${fmt(exe)} ms while the main thread polls`);
  }

  if (replays < 2) {
    // --replays 0: iterations only (for a JavaScript profile of the recording).
    trainer.dispose();
    gpu.saddle.destroy();
    gpu.device.destroy();
    return;
  }

  // 3. Capture one iteration's dispatches, then replay each alone.
  const captured: Captured[] = [];
  Error.stackTraceLimit = 64;
  const original = device.dispatch.bind(device);
  device.dispatch = (spec: DispatchSpec) => {
    const stack = new Error().stack ?? '';
    const buffers = spec.buffers.map((b) => (b instanceof Storage ? b.buffer! : b));
    const [x, y = 1, z = 1] = spec.workgroups;
    captured.push({
      index: captured.length,
      label: spec.label,
      ...classify(stack),
      workgroups: x * y * z,
      spec: { ...spec, params: spec.params.slice(), buffers },
    });
    original(spec);
  };
  next();
  device.dispatch = original;
  await device.sync();
  // Each dispatch alone: a submit of 1 copy and a submit of `replays` copies, timed to the queue
  // being idle; (T(replays) − T(1)) / (replays − 1) is one dispatch's time without the submit's
  // fixed cost (which T(1) − that estimates). The median of `rounds` such pairs.
  const timeSubmit = async (c: Captured, copies: number) => {
    const t = performance.now();
    for (let r = 0; r < copies; r++) device.dispatch(c.spec);
    await device.sync();
    return performance.now() - t;
  };
  const overheads: number[] = [];
  for (const c of captured) {
    await timeSubmit(c, 1); // warm
    const per: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const one = await timeSubmit(c, 1);
      const many = await timeSubmit(c, replays);
      const d = Math.max(0, (many - one) / (replays - 1));
      per.push(d);
      overheads.push(one - d);
    }
    c.ms = median(per);
  }
  const empty = median(overheads);
  const sum = captured.reduce((s, c) => s + c.ms!, 0);
  out(
    `replayed ${captured.length} dispatches alone (median of ${rounds} × (${replays} copies − 1 copy)): sum ${fmt(sum)} ms vs. ${fmt(exe)} ms ` +
      `measured execution; a submit's fixed cost (submit to idle, one small dispatch) ≈ ${fmt(empty)} ms`,
  );

  const group = (key: (c: Captured) => string) => {
    const m = new Map<string, { n: number; ms: number }>();
    for (const c of captured) {
      const k = key(c);
      const g = m.get(k) ?? { n: 0, ms: 0 };
      g.n++;
      g.ms += c.ms!;
      m.set(k, g);
    }
    return [...m.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([k, g]) => ({ key: k, dispatches: g.n, ms: g.ms, share: g.ms / sum }));
  };
  const byKernel = group((c) => c.label);
  const byPart = group((c) => `${c.step} · ${c.part}`);
  const table = (title: string, rows: { key: string; dispatches: number; ms: number; share: number }[]) => {
    out(`\n| ${title} | dispatches | ms | share |\n| --- | ---: | ---: | ---: |`);
    for (const r of rows) out(`| ${r.key} | ${r.dispatches} | ${fmt(r.ms)} | ${(100 * r.share).toFixed(1)}% |`);
  };
  table('kernel', byKernel);
  table('step · part', byPart);
  out('\nslowest dispatches:');
  for (const c of [...captured].sort((a, b) => b.ms! - a.ms!).slice(0, 15)) {
    out(
      `  #${c.index} ${c.label} (${c.step}, ${c.part}, ${c.workgroups} workgroups, buffers ${c.spec.buffers.map((b) => (b as GPUBuffer).size).join('/')} B): ${fmt(c.ms!)} ms`,
    );
  }

  if (values.json) {
    await writeJsonAtomic(values.json, {
      preset: name,
      config: describeConfig(config),
      adapter: gpu.info,
      date: new Date().toISOString(),
      first,
      steady,
      sleepProbe,
      submitOverheadMs: empty,
      replays,
      rounds,
      dispatches: captured.map((c) => ({ index: c.index, label: c.label, step: c.step, part: c.part, workgroups: c.workgroups, ms: c.ms })),
      byKernel,
      byPart,
    });
    out(`\n${values.json}`);
  }
  trainer.dispose();
  gpu.saddle.destroy();
  gpu.device.destroy();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`gan-profile: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
