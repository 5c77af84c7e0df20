/**
 * The benchmark harness's arithmetic and bookkeeping (not timings): order statistics, the
 * interleaved rep schedule and the time budget (driven by a synthetic clock, so every number is
 * exact), the cross-runner output check, and the result files.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SaddleError } from '@saddle/tensor';
import fc from 'fast-check';
import { quantileSorted, summarize, median, pairedRatios } from '../../benchmarks/src/stats.js';
import { isNotPorted, relativeError, runCase, type BenchCase, type HarnessOptions, type Runner, type RunnerId } from '../../benchmarks/src/harness.js';
import { fileStem, renderSvg, renderTable, updateDocs, writeResultFiles, readResult, type BenchResult } from '../../benchmarks/src/report.js';
import { deviceSlug } from '../../benchmarks/src/runners.js';

describe('stats', () => {
  it('quantiles interpolate linearly between order statistics', () => {
    const s = [1, 2, 3, 4];
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(4);
    expect(quantileSorted(s, 0.5)).toBe(2.5);
    expect(quantileSorted(s, 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileSorted([7], 0.3)).toBe(7);
    expect(median([5, 1, 3])).toBe(3);
    expect(() => summarize([])).toThrow();
    expect(() => summarize([1, NaN])).toThrow();
  });

  it('a summary is ordered and does not depend on the order of the samples', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.nat(), (xs, seed) => {
        const s = summarize(xs);
        expect(s.n).toBe(xs.length);
        expect(s.min).toBeLessThanOrEqual(s.q1);
        expect(s.q1).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.q3);
        expect(s.q3).toBeLessThanOrEqual(s.max);
        expect(s.min).toBe(Math.min(...xs));
        expect(s.max).toBe(Math.max(...xs));
        const shuffled = [...xs];
        let r = seed;
        for (let i = shuffled.length - 1; i > 0; i--) {
          r = (r * 1103515245 + 12345) % 2147483648;
          const j = r % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]; // 0 <= j <= i < length
        }
        expect(summarize(shuffled)).toEqual(s);
      }),
      { numRuns: 50 },
    );
  });

  it('paired ratios pair rep i with rep i', () => {
    expect(pairedRatios([2, 4, 9], [1, 2, 3, 4])).toEqual([2, 2, 3]);
  });
});

describe('relativeError', () => {
  it('is max |x - ref| over max(1, max |ref|)', () => {
    expect(relativeError(new Float32Array([1, 2, 3]), new Float32Array([1, 2, 3]))).toBe(0);
    expect(relativeError(new Float32Array([1, 2, 5]), new Float32Array([1, 2, 4]))).toBe(0.25);
    expect(relativeError(new Float32Array([0.5]), new Float32Array([0.25]))).toBe(0.25);
    expect(relativeError(new Float32Array([1, 2]), new Float32Array([1, 2, 3]))).toBe(Infinity);
    expect(relativeError(new Float32Array([NaN]), new Float32Array([1]))).toBe(Infinity);
    expect(relativeError(new Float32Array([NaN, 1]), new Float32Array([NaN, 1]))).toBe(0);
  });
});

/**
 * A synthetic runner on a synthetic clock: each run() advances the clock by `costMs`, sync() by
 * `syncMs`; the log records the order in which reps ran.
 */
function synthetic(id: RunnerId, clock: { t: number }, costMs: number | number[], log: string[], opts: { syncMs?: number; output?: number[] } = {}): Runner {
  return {
    id,
    library: id.startsWith('saddle') ? 'saddle' : 'tfjs',
    where: id.endsWith('cpu') || id.endsWith('wasm') ? 'cpu' : 'gpu',
    description: `synthetic ${id}`,
    activate: async () => {
      log.push(id);
    },
    setup: (): ReturnType<Runner['setup']> => {
      let calls = 0;
      return {
        run: () => {
          const ms = typeof costMs === 'number' ? costMs : costMs[calls++];
          if (ms === undefined) throw new Error(`synthetic runner: run ${calls} has no cost listed`);
          clock.t += ms;
        },
        output: opts.output ? async () => Float32Array.from(opts.output!) : undefined,
        dispose: () => {},
      };
    },
    sync: async () => {
      clock.t += opts.syncMs ?? 0;
    },
  };
}

const CASE: BenchCase = {
  label: 'c',
  params: {},
  flops: 2e9,
  saddle: () => {
    throw new Error('not used by synthetic runners');
  },
  tfjs: () => {
    throw new Error('not used by synthetic runners');
  },
};

const OPTS: HarnessOptions = { reps: 5, warmup: 2, minRepMs: 10, maxIters: 1000, budgetMs: 10_000, minReps: 3 };

describe('runCase', () => {
  it('times per iteration, calibrates iterations to minRepMs, interleaves with a rotating order, and pairs ratios', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const fast = synthetic('saddle-webgpu', clock, 1, log, { output: [1, 2, 3] });
    const slow = synthetic('tfjs-webgpu', clock, 4, log, { output: [1, 2, 3.001] });
    const r = await runCase(CASE, [fast, slow], { ...OPTS, now: () => clock.t }, new Map(), [['saddle-webgpu', 'tfjs-webgpu']]);
    const a = r.runners['saddle-webgpu']!;
    const b = r.runners['tfjs-webgpu']!;
    if (a.status !== 'ok' || b.status !== 'ok') throw new Error('both runners should have run');
    expect(a.samplesMs).toEqual([1, 1, 1, 1, 1]);
    expect(b.samplesMs).toEqual([4, 4, 4, 4, 4]);
    expect(a.iters).toBe(10);
    expect(b.iters).toBe(3);
    expect(a.reps).toBe(5);
    expect(a.rate!.median).toBeCloseTo(2e9 / 1e-3 / 1e9, 9); // 2 GFLOP in 1 ms: 2000 GFLOP/s
    expect(r.ratios).toHaveLength(1);
    const ratio = r.ratios[0]!;
    expect(ratio.value).toBe(4);
    expect(ratio.ofMedians).toBe(4);
    expect(ratio.paired.min).toBe(4);
    expect(ratio.paired.max).toBe(4);
    // The cross-check compares the second runner's output with the first's.
    expect(b.check).toEqual({ against: 'saddle-webgpu', relErr: expect.closeTo(0.001 / 3, 6), ok: true });
    // Setup activations, then 2 warm-up + 5 measured reps, the starting runner alternating.
    const reps = log.slice(2);
    expect(reps).toHaveLength(14);
    for (let i = 0; i < 7; i++) expect(new Set(reps.slice(2 * i, 2 * i + 2)).size).toBe(2);
    expect(reps[0]).not.toBe(reps[2]);
  });

  it('the headline ratio is the median of the paired per-rep ratios', async () => {
    const clock = { t: 0 };
    // One iteration per rep (minRepMs 0); calls: first, calibration, 2 warm-up, then the 5 measured reps.
    const a = synthetic('saddle-webgpu', clock, [1, 1, 1, 1, 1, 1, 1, 2, 2], []);
    const b = synthetic('tfjs-webgpu', clock, [1, 1, 1, 1, 1, 1, 3, 4, 4], []);
    const r = await runCase(CASE, [a, b], { ...OPTS, minRepMs: 0, now: () => clock.t }, new Map(), [['saddle-webgpu', 'tfjs-webgpu']]);
    expect((r.runners['saddle-webgpu'] as { samplesMs: number[] }).samplesMs).toEqual([1, 1, 1, 2, 2]);
    expect((r.runners['tfjs-webgpu'] as { samplesMs: number[] }).samplesMs).toEqual([1, 1, 3, 4, 4]);
    // Per-rep ratios 1, 1, 3, 2, 2: median 2; the ratio of the medians (3 / 1) would say 3.
    expect(r.ratios).toHaveLength(1);
    const ratio = r.ratios[0]!;
    expect(ratio.value).toBe(2);
    expect(ratio.ofMedians).toBe(3);
    expect(ratio.paired.min).toBe(1);
    expect(ratio.paired.max).toBe(3);
  });

  it('the sync latency is amortized over the calibrated iterations', async () => {
    const clock = { t: 0 };
    const r = await runCase(CASE, [synthetic('saddle-webgpu', clock, 0.5, [], { syncMs: 5 })], { ...OPTS, minRepMs: 100, now: () => clock.t });
    const a = r.runners['saddle-webgpu']!;
    if (a.status !== 'ok') throw new Error('should have run');
    // Calibration: 1 iteration takes 5.5 ms -> 19 iterations -> 0.763 ms each -> 132 iterations.
    expect(a.iters).toBe(132);
    expect(a.ms.median).toBeCloseTo(0.5 + 5 / 132, 9);
  });

  it('skips a runner whose reps do not fit the budget, and predicts from earlier cases', async () => {
    const clock = { t: 0 };
    const rates = new Map<RunnerId, number>();
    const opts = { ...OPTS, budgetMs: 100, now: () => clock.t };
    const slow = synthetic('tfjs-cpu', clock, 30, []);
    const first = await runCase(CASE, [slow], opts, rates);
    expect(first.runners['tfjs-cpu']).toMatchObject({ status: 'skipped' });
    expect((first.runners['tfjs-cpu'] as { reason: string }).reason).toMatch(/budget/);
    // The measured rate is remembered: a case with twice the work is skipped without running it.
    const before = clock.t;
    const bigger = await runCase({ ...CASE, flops: 4e9 }, [slow], opts, rates);
    expect(bigger.runners['tfjs-cpu']).toMatchObject({ status: 'skipped' });
    expect((bigger.runners['tfjs-cpu'] as { reason: string }).reason).toMatch(/predicted/);
    expect(clock.t).toBe(before);
  });

  it('cuts reps and warm-up to the budget before skipping', async () => {
    const clock = { t: 0 };
    const r = await runCase(CASE, [synthetic('saddle-webgpu', clock, 20, [])], { ...OPTS, budgetMs: 100, now: () => clock.t });
    const a = r.runners['saddle-webgpu']!;
    if (a.status !== 'ok') throw new Error('should have run');
    // A rep is one 20 ms iteration; 100 ms fit 5 reps: no room for 2 warm-up reps and 5 measured ones.
    expect(a.iters).toBe(1);
    expect(a.warmup).toBe(2);
    expect(a.reps).toBe(3);
  });

  it("a case's compare replaces the relative error in the check, and its tolerance bounds it", async () => {
    const clock = { t: 0 };
    const runners = () => [synthetic('saddle-webgpu', clock, 1, [], { output: [0.5, 0.1] }), synthetic('tfjs-webgpu', clock, 1, [], { output: [0.53, 0.1] })];
    // A measure in which 0.03 is 3 units: within a bound of 5, outside a bound of 2.
    const compare = (x: Float32Array, ref: Float32Array) => Math.abs(x[0]! - ref[0]!) / 0.01;
    for (const [tolerance, ok] of [
      [5, true],
      [2, false],
    ] as const) {
      const r = await runCase({ ...CASE, compare, tolerance }, runners(), { ...OPTS, now: () => clock.t });
      const b = r.runners['tfjs-webgpu']!;
      if (b.status !== 'ok') throw new Error('tfjs should have run');
      expect(b.check).toEqual({ against: 'saddle-webgpu', relErr: expect.closeTo(3, 4), ok });
    }
  });

  it('records a runner that throws as failed, and a case it lacks as skipped', async () => {
    const clock = { t: 0 };
    const broken: Runner = {
      ...synthetic('tfjs-webgpu', clock, 1, []),
      setup: () => {
        throw new Error('no kernel');
      },
    };
    const r = await runCase({ ...CASE, saddle: undefined }, [synthetic('saddle-cpu', clock, 1, []), broken], { ...OPTS, now: () => clock.t });
    expect(r.runners['saddle-cpu']).toMatchObject({ status: 'skipped' });
    expect(r.runners['tfjs-webgpu']).toEqual({ status: 'failed', reason: 'no kernel' });
  });

  it("skips, with the reason, a case whose op has no kernel on the runner's device yet; a profile is recorded", async () => {
    const clock = { t: 0 };
    const unported: Runner = {
      ...synthetic('saddle-wasm', clock, 1, []),
      setup: () => {
        throw new SaddleError('maxout', 'maxout has no wasm kernel yet (device wasm (2 threads, simd128)); expected a webgpu or cpu tensor');
      },
    };
    const base = synthetic('tfjs-wasm', clock, 2, []);
    const profiled: Runner = { ...base, setup: (c) => ({ ...base.setup(c), profile: () => ({ packShare: 0.25 }) }) };
    const r = await runCase(CASE, [unported, profiled], { ...OPTS, now: () => clock.t });
    expect(r.runners['saddle-wasm']).toEqual({
      status: 'skipped',
      reason: expect.stringMatching(/^not ported to this device yet \(maxout: maxout has no wasm kernel yet/),
    });
    expect(r.runners['tfjs-wasm']).toMatchObject({ status: 'ok', profile: { packShare: 0.25 } });
    expect(isNotPorted(new Error('no kernel'))).toBe(false);
  });
});

function sampleResult(): Promise<BenchResult> {
  const clock = { t: 0 };
  const runners = [synthetic('saddle-webgpu', clock, 2, []), synthetic('tfjs-webgpu', clock, 3, [])];
  return runCase({ ...CASE, label: '64x64x64 | odd' }, runners, { ...OPTS, now: () => clock.t }, new Map(), [
    ['saddle-webgpu', 'tfjs-webgpu'],
    ['saddle-webgpu', 'tfjs-wasm'],
  ]).then((c) => ({
    schema: 1,
    bench: 'matmul',
    title: 'matmul test',
    description: 'd',
    date: '2026-01-02T03:04:05.000Z',
    commit: 'abc123',
    dirty: false,
    node: 'v20',
    platform: 'linux',
    cpu: { model: 'cpu', cores: 2 },
    device: { slug: 'lavapipe', adapter: null },
    runners: runners.map((r) => ({ id: r.id, where: r.where, description: r.description })),
    missing: [],
    options: { ...OPTS },
    ratios: [
      ['saddle-webgpu', 'tfjs-webgpu'],
      ['saddle-webgpu', 'tfjs-wasm'],
    ],
    notes: ['a note'],
    cases: [c],
  }));
}

describe('result files', () => {
  it('writes JSON, markdown and SVG named <bench>-<device>-<date>, and the JSON reads back', async () => {
    const r = await sampleResult();
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    const files = writeResultFiles(r, dir);
    expect(fileStem(r)).toBe('matmul-lavapipe-2026-01-02');
    expect(fileStem({ ...r, tag: 'big' })).toBe('matmul-lavapipe-2026-01-02-big');
    expect(files.json).toBe(join(dir, 'matmul-lavapipe-2026-01-02.json'));
    expect(readResult(files.json)).toEqual(r);
    const md = readFileSync(files.md, 'utf8');
    expect(md).toContain('| case | saddle-webgpu GFLOP/s | tfjs-webgpu GFLOP/s | saddle-webgpu ÷ tfjs-webgpu |');
    expect(md).toContain('64x64x64 \\| odd');
    expect(md).toContain('**1.50×** [1.50–1.50]');
    expect(md).toContain('a note');
    const svg = readFileSync(files.svg, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('1.50×');
    expect(svg).not.toContain('tfjs-wasm'); // a ratio with no data gets no legend entry
  });

  it('the table has one row per case and the ratio column only where a ratio exists', async () => {
    const r = await sampleResult();
    const lines = renderTable(r).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).not.toContain('tfjs-wasm');
    expect(renderSvg(r)).toContain('</svg>');
  });

  it('updateDocs replaces its own block and keeps the rest of the page', async () => {
    const r = await sampleResult();
    const dir = mkdtempSync(join(tmpdir(), 'bench-docs-'));
    const docs = join(dir, 'performance.md');
    writeFileSync(docs, '# Performance\n\nprose\n\n## Latest results\n\n<!-- bench:results-end -->\n\nmore prose\n');
    const files = writeResultFiles(r, join(dir, 'results'));
    updateDocs(docs, r, files);
    const once = readFileSync(docs, 'utf8');
    expect(once).toContain('<!-- bench:matmul:lavapipe:start -->');
    expect(once).toContain('](results/matmul-lavapipe-2026-01-02.svg)');
    expect(once.indexOf('bench:matmul:lavapipe:start')).toBeLessThan(once.indexOf('bench:results-end'));
    expect(once).toContain('more prose');
    updateDocs(docs, { ...r, commit: 'def456' }, files);
    const twice = readFileSync(docs, 'utf8');
    expect(twice.match(/bench:matmul:lavapipe:start/g)).toHaveLength(1);
    expect(twice).toContain('def456');
    expect(twice).not.toContain('abc123');
    expect(existsSync(files.md)).toBe(true);
  });
});

describe('deviceSlug', () => {
  it('names lavapipe, NVIDIA datacenter parts, and anything else by a slug', () => {
    expect(deviceSlug({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15', description: 'llvmpipe: Mesa 25' })).toBe('lavapipe');
    expect(deviceSlug({ vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3' })).toBe('nvidia-h100');
    expect(deviceSlug({ vendor: 'amd', architecture: 'rdna-3', device: '', description: 'AMD Radeon RX 7900 XTX' })).toBe('amd-radeon-rx-7900-xtx');
    expect(deviceSlug(null)).toBe('cpu');
  });
});
