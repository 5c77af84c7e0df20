/**
 * Divergence: a NaN in the parameters is found at the next read of the statistics (no extra
 * read-back), named, and never checkpointed over the last finite state.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preset, type GanConfig } from '../src/presets.js';
import { RUN_FILES, loadCheckpoint, saveCheckpoint } from '../src/run/run-folder.js';
import { NonFiniteError } from '../src/train/non-finite.js';
import { GanTrainer } from '../src/train/trainer.js';
import { runTraining } from '../src/run/training-run.js';
import { bars } from './fixtures/bars.js';
import { allDevices, cpu } from '../../../test/support/devices.js';

const DATA = bars(60);
const config = (over: Partial<GanConfig> = {}): GanConfig => ({ ...preset('tiny'), trainN: 60, valN: 0, batch: 10, logEvery: 2, epochs: 3, ...over });
const root = mkdtempSync(join(tmpdir(), 'gan-non-finite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Puts a NaN into G's first weight (through a checkpoint round trip, so on any device). */
async function poison(trainer: GanTrainer, name = 'G.l0.weight'): Promise<void> {
  const { tensors, meta } = await trainer.state();
  tensors[name]!.data[3] = NaN;
  trainer.restore(tensors, meta);
}

const files = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

describe('non-finite values', () => {
  it('runEpoch stops at the next read with a NonFiniteError naming the parameter and the iterations, on every device', async () => {
    for (const device of await allDevices()) {
      const trainer = new GanTrainer(config(), DATA, device);
      try {
        await trainer.runEpoch();
        await poison(trainer, 'D.h0.bias');
        const err = await trainer.runEpoch().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, device.name).toBeInstanceOf(NonFiniteError);
        const r = (err as NonFiniteError).report;
        expect(r.what).toContain('D.h0.bias');
        expect(r.what).toContain('D loss');
        // Found at the first read of epoch 2 (logEvery 2): iterations 7-8 of the run.
        expect([r.epoch, r.iterInEpoch, r.since, r.iteration]).toEqual([1, 2, 6, 8]);
        expect((err as Error).message).toMatch(/training diverged: non-finite D loss.* in iterations 7-8 of the run \(epoch 2, iteration 2 of the epoch\)/);
      } finally {
        trainer.dispose();
      }
    }
  });

  it('a NaN that appears in the last iterations before a stop is found before the stop returns', async () => {
    const trainer = new GanTrainer(config({ logEvery: 100 }), DATA, cpu);
    try {
      trainer.startEpoch();
      trainer.iteration();
      await poison(trainer);
      let calls = 0;
      await expect(trainer.runEpoch({ shouldStop: () => calls++ === 1 })).rejects.toThrow(/non-finite .*G\.l0\.weight/);
    } finally {
      trainer.dispose();
    }
  });

  it('saveCheckpoint refuses non-finite tensors and leaves the run folder as it was', async () => {
    const dir = mkdtempSync(join(root, 'save-'));
    const trainer = new GanTrainer(config(), DATA, cpu);
    try {
      await trainer.runEpoch();
      await saveCheckpoint(dir, trainer);
      const before = files(dir);
      await poison(trainer);
      await expect(saveCheckpoint(dir, trainer)).rejects.toThrow(/checkpoint: not saved: G\.l0\.weight hold non-finite values/);
      expect(files(dir)).toEqual(before);
    } finally {
      trainer.dispose();
    }
  });

  it('runTraining returns "diverged" and writes nothing after the last finite epoch', async () => {
    const dir = mkdtempSync(join(root, 'run-'));
    const device = cpu;
    const first = new GanTrainer(config({ epochs: 1 }), DATA, device);
    try {
      expect((await runTraining({ trainer: first, dir, train: DATA })).reason).toBe('done');
    } finally {
      first.dispose();
    }
    const before = files(dir);
    expect(Object.keys(before)).toContain(RUN_FILES.checkpoint);
    // The run continued for two more epochs, with a NaN in G from the start.
    const { tensors, meta } = await loadCheckpoint(dir);
    const second = new GanTrainer(config(), DATA, device);
    try {
      second.restore(tensors, meta);
      await poison(second);
      const out = await runTraining({ trainer: second, dir, train: DATA });
      expect(out.reason).toBe('diverged');
      expect(out.diverged!.what).toContain('G.l0.weight');
      expect(out.history.map((r) => r.epoch)).toEqual([1]);
      expect(files(dir)).toEqual(before);
    } finally {
      second.dispose();
    }
  });
});
