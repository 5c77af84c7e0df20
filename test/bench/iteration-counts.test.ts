/**
 * What one GAN training iteration asks of the WebGPU device, counted (WebGpuDevice.counters and
 * memory()), through the trainer's own step (`GanTrainer.iteration()`, which `runEpoch` calls):
 *
 * - exactly one submit (one command encoder for the whole iteration: k D steps, the G step, both
 *   optimizer updates and the on-device running statistics) and no readback;
 * - the same dispatches every iteration (no hidden per-iteration work: no lazy compilation, no
 *   growing bookkeeping);
 * - no new GPU memory after warm-up: every buffer an iteration needs comes back from the pool;
 * - statistics are read back only when asked: in `runEpoch`, only at the logging points.
 *
 * Small configurations on lavapipe (a few seconds), and the paper's configuration for a couple of
 * iterations, since its kernel count is what must fit one submit.
 */
import { describe, expect, it } from 'vitest';
import type { WebGpuDevice } from '@saddle/tensor';
import { GanTrainer, preset, type GanConfig } from '@saddle/gan';
import { steadyIteration } from '../../benchmarks/src/benches/gan-iteration.js';
import { webgpu } from '../support/devices.js';

const D = 784;

function images(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * D);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}

interface IterationCounts {
  dispatches: number;
  submits: number;
  readbacks: number;
  allocatedBytes: number;
  liveBytes: number;
}

/** Runs `iters` iterations and returns what each one cost the device. */
function countIterations(trainer: GanTrainer, device: WebGpuDevice, iters: number): IterationCounts[] {
  const out: IterationCounts[] = [];
  for (let i = 0; i < iters; i++) {
    const c0 = { ...device.counters };
    steadyIteration(trainer);
    const m = device.memory();
    out.push({
      dispatches: device.counters.dispatches - c0.dispatches,
      submits: device.counters.submits - c0.submits,
      readbacks: device.counters.readbacks - c0.readbacks,
      allocatedBytes: m.allocatedBytes,
      liveBytes: m.liveBytes,
    });
  }
  return out;
}

function tinyConfig(over: Partial<GanConfig> = {}): GanConfig {
  return { ...preset('tiny'), valN: 0, trainN: null, seed: 7, ...over };
}

function expectSteadyIterations(counts: IterationCounts[], warmup: number, device: WebGpuDevice): void {
  for (const [i, c] of counts.entries()) {
    expect(c.submits, `iteration ${i}: submits`).toBe(1);
    expect(c.readbacks, `iteration ${i}: readbacks`).toBe(0);
  }
  const dispatches = counts[0]!.dispatches;
  expect(dispatches).toBeGreaterThan(0);
  // Structural: the whole iteration fits in one encoder, below the device's own flush bound.
  expect(dispatches).toBeLessThan(device.maxDispatchesPerSubmit);
  expect(counts.map((c) => c.dispatches)).toEqual(counts.map(() => dispatches));
  const steady = counts.slice(warmup);
  expect(steady.map((c) => c.allocatedBytes)).toEqual(steady.map(() => steady[0]!.allocatedBytes));
  expect(steady.map((c) => c.liveBytes)).toEqual(steady.map(() => steady[0]!.liveBytes));
}

describe('one GAN training iteration on WebGPU', () => {
  for (const [name, over] of [
    ['alternating, k = 1 (Algorithm 1 as the paper ran it)', {}],
    ['alternating, k = 2', { k: 2 }],
    ['simultaneous update', { update: 'simultaneous' }],
  ] as [string, Partial<GanConfig>][]) {
    it(`${name}: one submit, no readback, constant dispatches, flat memory after warm-up`, async () => {
      const device = await webgpu();
      const trainer = new GanTrainer(tinyConfig(over), { images: images(100, 1), n: 100, d: D }, device);
      try {
        trainer.startEpoch();
        const counts = countIterations(trainer, device, 12);
        expectSteadyIterations(counts, 2, device);
        // The work is real: the statistics come back finite once asked for (two readbacks, one submit each).
        const before = { ...device.counters };
        const stats = await trainer.runningStats();
        expect(Number.isFinite(stats.dLoss) && Number.isFinite(stats.gLoss)).toBe(true);
        expect(stats.dSteps).toBe(12 * (over.update === 'simultaneous' ? 1 : (over.k ?? 1)));
        expect(device.counters.readbacks - before.readbacks).toBeGreaterThan(0);
        expect(device.counters.dispatches - before.dispatches).toBe(0);
      } finally {
        trainer.dispose();
      }
    });
  }

  it('each extra D step (k = 1, 2, 3) adds the same dispatches: the count follows Algorithm 1', async () => {
    // A k = 1 iteration is one D step and one G step; a k = 2 iteration adds one more D step. The
    // per-iteration dispatch counts must differ by exactly one D step's dispatches, whatever the
    // trainer's bookkeeping is: that ties the counts above to the algorithm, not to a constant.
    const device = await webgpu();
    const per = async (k: number) => {
      const t = new GanTrainer(tinyConfig({ k }), { images: images(100, 2), n: 100, d: D }, device);
      try {
        t.startEpoch();
        return countIterations(t, device, 3)[2]!.dispatches;
      } finally {
        t.dispose();
      }
    };
    const one = await per(1);
    const two = await per(2);
    const three = await per(3);
    expect(two - one).toBeGreaterThan(0);
    expect(three - two).toBe(two - one);
  });

  it("the paper's configuration (G 100-1200-1200-784, D maxout 240x5 x2, batch 100) also submits once per iteration", async () => {
    const device = await webgpu();
    const trainer = new GanTrainer({ ...preset('paper'), valN: 0, trainN: null, seed: 7 }, { images: images(200, 3), n: 200, d: D }, device);
    try {
      trainer.startEpoch();
      const counts = countIterations(trainer, device, 3);
      expectSteadyIterations(counts, 1, device);
    } finally {
      trainer.dispose();
    }
  });

  it('runEpoch reads the statistics back only every logEvery iterations', async () => {
    const device = await webgpu();
    const logEvery = 4;
    const trainer = new GanTrainer(tinyConfig({ logEvery }), { images: images(120, 4), n: 120, d: D }, device);
    try {
      const total = trainer.iterationsPerEpoch;
      expect(total).toBe(12);
      const marks: { iter: number; submits: number; readbacks: number; dispatches: number }[] = [];
      const rec = await trainer.runEpoch({
        onProgress: (p) => marks.push({ iter: p.iterInEpoch, ...device.counters }),
      });
      expect(rec).not.toBeNull();
      expect(marks.map((m) => m.iter)).toEqual([4, 8, 12]);
      // Between two progress reports: logEvery iterations (one submit each) and one read of the
      // statistics (each readback submits its copy); nothing else reaches the queue.
      for (let i = 1; i < marks.length; i++) {
        const readbacks = marks[i]!.readbacks - marks[i - 1]!.readbacks;
        const submits = marks[i]!.submits - marks[i - 1]!.submits;
        expect(readbacks, `window ${i}`).toBeGreaterThan(0);
        expect(readbacks, `window ${i}`).toBeLessThanOrEqual(2);
        expect(submits - readbacks, `window ${i}`).toBe(logEvery);
      }
    } finally {
      trainer.dispose();
    }
  });
});
