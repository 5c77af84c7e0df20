/**
 * The training run's control without the console: stop requests (by hand, a deadline, signals),
 * the checkpoint and files they leave, and a resumed run finishing exactly as a straight one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpu } from '@saddle/autograd';
import { preset, type GanConfig } from '../src/presets.js';
import { RUN_FILES, loadCheckpoint, readMetrics } from '../src/run/run-folder.js';
import type { EpochRecord } from '../src/train/records.js';
import { StopRequest } from '../src/run/stop-request.js';
import { GanTrainer } from '../src/train/trainer.js';
import { runTraining } from '../src/run/training-run.js';
import { bars } from './fixtures/bars.js';

const DATA = bars(60);
const VALID = bars(20);
const config = (over: Partial<GanConfig> = {}): GanConfig => ({ ...preset('tiny'), trainN: 60, valN: 20, batch: 10, logEvery: 2, epochs: 3, ...over });

const root = mkdtempSync(join(tmpdir(), 'gan-training-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => mkdtempSync(join(root, `run${n++}-`));

async function parameters(trainer: GanTrainer): Promise<Record<string, number[]>> {
  const { tensors } = await trainer.state();
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Array.from(t.data)]));
}

const losses = (h: readonly EpochRecord[]) => h.map((r) => [r.epoch, r.iterations, r.dLoss, r.gLoss, r.dReal, r.dFake, r.value, r.partial ?? false]);

describe('runTraining', () => {
  it('runs the configured epochs, writing a checkpoint, metrics and every figure', async () => {
    const dir = freshDir();
    const trainer = new GanTrainer(config(), DATA, cpu, VALID);
    const epochs: number[] = [];
    try {
      const out = await runTraining({ trainer, dir, train: DATA, onEpoch: (r) => epochs.push(r.epoch) });
      expect(out.reason).toBe('done');
      expect(out.stopReason).toBeNull();
      expect(out.stoppedInEpoch).toBe(false);
      expect(epochs).toEqual([1, 2, 3]);
      for (const f of Object.values(RUN_FILES).filter((f) => f !== RUN_FILES.config)) expect(existsSync(join(dir, f)), f).toBe(true);
      expect((await readMetrics(dir)).map((r) => r.epoch)).toEqual([1, 2, 3]);
      expect((await loadCheckpoint(dir)).meta.epoch).toBe(3);
    } finally {
      trainer.dispose();
    }
  });

  it('a stop request inside an epoch stops after the current iteration, checkpoints there, and the resumed run ends exactly as a straight one', async () => {
    const straight = new GanTrainer(config(), DATA, cpu, VALID);
    await runTraining({ trainer: straight, dir: freshDir(), train: DATA });
    const want = await parameters(straight);
    const wantHistory = losses(straight.history);
    straight.dispose();

    const dir = freshDir();
    const first = new GanTrainer(config(), DATA, cpu, VALID);
    const stop = new StopRequest();
    let seen = 0;
    const out = await runTraining({
      trainer: first,
      dir,
      train: DATA,
      stop,
      // Asked at the second read of epoch 2 (iteration 4 of it): the loop stops before iteration 5.
      onProgress: (p) => {
        if (p.epoch === 1 && ++seen === 2) stop.request('test');
      },
    });
    expect(out.reason).toBe('stopped');
    expect(out.stopReason).toBe('test');
    expect(out.stoppedInEpoch).toBe(true);
    expect(out.history.map((r) => [r.epoch, r.iterations, r.partial ?? false])).toEqual([
      [1, 6, false],
      [2, 4, true],
    ]);
    first.dispose();
    const { tensors, meta } = await loadCheckpoint(dir);
    expect([meta.epoch, meta.iterInEpoch]).toEqual([1, 4]);
    // metrics.jsonl shows the partial epoch too; the checkpoint's history has only whole epochs.
    expect((await readMetrics(dir)).map((r) => r.partial ?? false)).toEqual([false, true]);
    expect(meta.history).toHaveLength(1);

    const second = new GanTrainer(meta.config, DATA, cpu, VALID);
    second.restore(tensors, meta);
    const rest = await runTraining({ trainer: second, dir, train: DATA });
    expect(rest.reason).toBe('done');
    expect(await parameters(second)).toEqual(want);
    expect(losses(second.history)).toEqual(wantHistory);
    second.dispose();
  });

  it('a deadline already passed stops before the first iteration, with a checkpoint of the untouched trainer', async () => {
    const dir = freshDir();
    const trainer = new GanTrainer(config(), DATA, cpu, VALID);
    try {
      const out = await runTraining({ trainer, dir, train: DATA, stop: new StopRequest().stopAt(performance.now()) });
      expect(out.reason).toBe('stopped');
      expect(out.stopReason).toBe('deadline');
      expect(out.history).toEqual([]);
      expect(trainer.totalIterations).toBe(0);
      expect(readFileSync(join(dir, RUN_FILES.metrics), 'utf8')).toBe('');
      expect(existsSync(join(dir, RUN_FILES.samples))).toBe(true);
    } finally {
      trainer.dispose();
    }
  });
});

describe('the epoch loop and the event loop', () => {
  it('on the cpu device, timers and signal handlers run during an epoch: a stop asked from a timer lands mid-epoch', async () => {
    const data = bars(2000);
    const trainer = new GanTrainer(config({ trainN: 2000, logEvery: 1000 }), data, cpu);
    try {
      const total = trainer.iterationsPerEpoch;
      expect(total).toBe(200);
      const stop = new StopRequest();
      setTimeout(() => stop.request('timer'), 0);
      expect(await trainer.runEpoch({ shouldStop: () => stop.requested })).toBeNull();
      expect(trainer.iterInEpoch).toBeGreaterThan(0);
      expect(trainer.iterInEpoch).toBeLessThan(total);
    } finally {
      trainer.dispose();
    }
  });
});

describe('StopRequest', () => {
  it('turns a signal into a stop request, a second one into onRepeat, and removes its handlers on dispose', () => {
    const before = process.listenerCount('SIGTERM');
    const first: string[] = [];
    const repeat: string[] = [];
    const stop = new StopRequest().listen(['SIGTERM'], { onFirst: (s) => first.push(s), onRepeat: (s) => repeat.push(s) });
    try {
      expect(stop.requested).toBe(false);
      process.emit('SIGTERM', 'SIGTERM');
      expect(stop.requested).toBe(true);
      expect(stop.reason).toBe('SIGTERM');
      process.emit('SIGTERM', 'SIGTERM');
      expect(first).toEqual(['SIGTERM']);
      expect(repeat).toEqual(['SIGTERM']);
    } finally {
      stop.dispose();
    }
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('a deadline is a stop request once it has passed, and the first reason is kept', () => {
    const stop = new StopRequest().stopAt(performance.now() + 60_000);
    expect(stop.requested).toBe(false);
    stop.request('by hand');
    stop.stopAt(0);
    expect(stop.requested).toBe(true);
    expect(stop.reason).toBe('by hand');
  });
});
