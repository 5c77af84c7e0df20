import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, cpu, isWebGpu, noGrad, slice, type Tensor } from '@saddle/autograd';
import type { Adam } from '@saddle/nn';
import { discriminatorLossStacked, generatorLoss } from '../src/losses.js';
import { DEFAULT_ADAM_BETAS, defaultPreset, preset, type GanConfig } from '../src/presets.js';
import { loadCheckpoint, saveCheckpoint } from '../src/run/run-folder.js';
import { GanTrainer } from '../src/train/trainer.js';
import { permutation } from '../src/train/rng.js';
import { bars } from './fixtures/bars.js';
import { allDevices, webgpu } from '../../../test/support/devices.js';

const DATA = bars(60);
const VALID = bars(20);

function tinyConfig(over: Partial<GanConfig> = {}): GanConfig {
  return { ...preset('tiny'), trainN: 60, valN: 20, batch: 10, logEvery: 2, ...over };
}

/** The conv preset's networks and recipe (R1 through D's convolutions, the averaged G) on tiny channel counts. */
function tinyConvConfig(over: Partial<GanConfig> = {}): GanConfig {
  const c = preset('conv');
  return tinyConfig({
    generator: { ...c.generator, zDim: 8, conv: { channels: [4, 2] } },
    discriminator: { ...c.discriminator, conv: { channels: [2, 4], slope: 0.2 } },
    r1Gamma: 1,
    r1Every: 2,
    gEma: 0.9,
    ...over,
  });
}

async function snapshot(trainer: GanTrainer): Promise<Record<string, number[]>> {
  const { tensors } = await trainer.state();
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = Array.from(t.data);
  return out;
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('GanTrainer', () => {
  it('trains a tiny config for a few iterations on every device: finite losses, D outputs in (0, 1), every parameter moves', async () => {
    for (const device of await allDevices()) {
      const trainer = new GanTrainer(tinyConfig(), DATA, device, VALID);
      try {
        const before = await snapshot(trainer);
        trainer.startEpoch();
        for (let i = 0; i < 4; i++) trainer.iteration();
        const s = await trainer.runningStats();
        expect(s.dSteps).toBe(4);
        expect(s.gSteps).toBe(4);
        for (const v of [s.dLoss, s.gLoss]) expect(Number.isFinite(v) && v > 0).toBe(true);
        for (const v of [s.dReal, s.dFake]) expect(v > 0 && v < 1).toBe(true);
        // An untrained D is undecided: losses near log 2.
        expect(s.dLoss).toBeCloseTo(Math.log(2), 1);
        const after = await snapshot(trainer);
        for (const name of Object.keys(before).filter((n) => n.startsWith('G.') || n.startsWith('D.'))) {
          expect(after[name], name).not.toEqual(before[name]);
        }
        const value = await trainer.validationValue();
        expect(value).not.toBeNull();
        // V = E log D(x) + E log(1 - D(G(z))) is near -log 4 while D is undecided.
        expect(value!).toBeCloseTo(-Math.log(4), 1);
      } finally {
        trainer.dispose();
      }
    }
  });

  it('Algorithm 1 with k = 2: two D updates (on two minibatches) per G update', async () => {
    const trainer = new GanTrainer(tinyConfig({ k: 2 }), DATA, cpu);
    try {
      // 60 images / batch 10 = 6 minibatches per epoch = 3 iterations of k = 2.
      expect(trainer.iterationsPerEpoch).toBe(3);
      const noise0 = trainer.noise.offset;
      const rec = await trainer.runEpoch();
      expect(trainer.optD.stepCount).toBe(6);
      expect(trainer.optG.stepCount).toBe(3);
      expect(rec!.dSteps).toBe(6);
      expect(rec!.gSteps).toBe(3);
      // Fresh noise for every step: 3 batches of z per iteration (2 for D, 1 for G).
      const zBlocks = Math.ceil((10 * trainer.config.generator.zDim) / 4);
      expect(trainer.noise.offset - noise0).toBe(9 * zBlocks);
    } finally {
      trainer.dispose();
    }
    const k1 = new GanTrainer(tinyConfig({ k: 1 }), DATA, cpu);
    try {
      await k1.runEpoch();
      expect(k1.optD.stepCount).toBe(6);
      expect(k1.optG.stepCount).toBe(6);
    } finally {
      k1.dispose();
    }
  });

  it('setLive: k, kG, the players and the learning rates change at the next iteration; the epoch ends when its minibatches run out', async () => {
    const trainer = new GanTrainer(tinyConfig(), DATA, cpu);
    try {
      // 6 minibatches an epoch. Two iterations of k 1, then k 2 and kG 3: 1 + 1 + 2 + 2 = 6 minibatches.
      trainer.startEpoch();
      trainer.iteration();
      trainer.iteration();
      trainer.setLive({ k: 2, kG: 3, dLr: 0.02, gLr: 0.4 });
      expect([trainer.optD.current().lr, trainer.optG.current().lr].map((v) => +v.toFixed(5))).toEqual([0.02, 0.4]);
      const rec = await trainer.runEpoch();
      expect(rec!.iterations).toBe(4);
      expect([rec!.dSteps, rec!.gSteps]).toEqual([6, 2 + 2 * 3]);
      expect(trainer.batchInEpoch).toBe(0);
      // D alone: G's weights stay, D's move, and the epoch still ends after its 6 minibatches (3 of k 2).
      trainer.setLive({ players: 'D', kG: 1 });
      const g0 = (await snapshot(trainer))['G.l0.weight'];
      const d0 = (await snapshot(trainer))['D.h0.weight'];
      const dOnly = await trainer.runEpoch();
      expect([dOnly!.iterations, dOnly!.dSteps, dOnly!.gSteps]).toEqual([3, 6, 0]);
      expect((await snapshot(trainer))['G.l0.weight']).toEqual(g0);
      expect((await snapshot(trainer))['D.h0.weight']).not.toEqual(d0);
      // G alone takes no minibatch: D stays and the epoch does not advance.
      trainer.setLive({ players: 'G' });
      const d1 = (await snapshot(trainer))['D.h0.weight'];
      let n = 0;
      expect(await trainer.runEpoch({ shouldStop: () => n++ >= 10 })).toBeNull();
      expect([trainer.iterInEpoch, trainer.batchInEpoch]).toEqual([10, 0]);
      expect((await snapshot(trainer))['D.h0.weight']).toEqual(d1);
      expect((await trainer.runningStats()).gSteps).toBe(10);
    } finally {
      trainer.dispose();
    }
  });

  it('setLive refuses what the config refuses, naming the field, and changes nothing then', () => {
    const trainer = new GanTrainer(tinyConfig(), DATA, cpu);
    try {
      expect(() => trainer.setLive({ k: 0 })).toThrowError(/^config: k is 0; expected a positive integer/);
      expect(() => trainer.setLive({ kG: 1.5 })).toThrowError(/kG is 1.5; expected a positive integer/);
      expect(() => trainer.setLive({ dLr: -1 })).toThrowError(/dLr is -1; expected a positive number/);
      expect(() => trainer.setLive({ players: 'both!' as 'both' })).toThrowError(/players is "both!"; expected both or D or G/);
      expect(() => trainer.setLive({ k: 7 })).toThrowError(/^GanTrainer.setLive: k is 7; expected at most the 6 minibatches of 10 in an epoch/);
      expect(() => trainer.setLive({ update: 'simultaneous', kG: 2 })).toThrowError(/kG is 2; expected 1 with the simultaneous update/);
      expect([trainer.config.k, trainer.config.kG, trainer.config.dLr, trainer.config.update]).toEqual([1, undefined, undefined, 'alternating']);
    } finally {
      trainer.dispose();
    }
  });

  it('a checkpoint taken after a live change of k resumes on the same minibatch', async () => {
    const a = new GanTrainer(tinyConfig(), DATA, cpu);
    const b = new GanTrainer(tinyConfig(), DATA, cpu);
    try {
      a.startEpoch();
      a.iteration();
      a.setLive({ k: 2 });
      a.iteration();
      const snap = await a.state();
      expect(snap.meta.batchInEpoch).toBe(3);
      b.setLive({ k: 2 });
      b.restore(snap.tensors, snap.meta);
      expect(b.batchInEpoch).toBe(3);
      const [ra, rb] = [await a.runEpoch(), await b.runEpoch()];
      expect(rb).toEqual({ ...ra!, seconds: rb!.seconds, msPerIteration: rb!.msPerIteration });
      expect(await snapshot(b)).toEqual(await snapshot(a));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('the preset a hardware GPU gets (paper) trains with the simultaneous update on the tiny shapes; alternating when asked', async () => {
    const auto = defaultPreset({ hardwareGpu: true, software: false, kind: 'webgpu' });
    expect(auto.name).toBe('paper');
    const paper = preset(auto.name);
    const tiny = preset('tiny');
    const shapes = { generator: tiny.generator, discriminator: tiny.discriminator, trainN: 60, valN: 20, batch: 10, logEvery: 2 };
    const zBlocks = Math.ceil((10 * tiny.generator.zDim) / 4);
    // One batch of z per simultaneous iteration (D and G share G(z)); two per alternating one.
    for (const [update, zPerIteration] of [
      [paper.update, 1],
      ['alternating', 2],
    ] as const) {
      const trainer = new GanTrainer({ ...paper, ...shapes, update }, DATA, cpu);
      try {
        expect(trainer.config.update).toBe(update);
        const noise0 = trainer.noise.offset;
        const rec = await trainer.runEpoch();
        expect([rec!.dSteps, rec!.gSteps]).toEqual([6, 6]);
        expect(trainer.noise.offset - noise0, update).toBe(6 * zPerIteration * zBlocks);
      } finally {
        trainer.dispose();
      }
    }
    expect(paper.update).toBe('simultaneous');
  });

  it("optimizer 'adam': both players take Adam's first step (each weight moves by the learning rate, whatever its gradient's size) and a checkpoint resumes it exactly", async () => {
    const lr = 0.001;
    const a = new GanTrainer(tinyConfig({ optimizer: 'adam', lr }), DATA, cpu);
    const b = new GanTrainer(tinyConfig({ optimizer: 'adam', lr }), DATA, cpu);
    const custom = new GanTrainer(tinyConfig({ optimizer: 'adam', adamBetas: [0.9, 0.99] }), DATA, cpu);
    const sgd = new GanTrainer(tinyConfig(), DATA, cpu);
    try {
      expect([a.optD, a.optG].map((o) => [o.name, (o as Adam).beta1, (o as Adam).beta2])).toEqual([
        ['Adam', ...DEFAULT_ADAM_BETAS],
        ['Adam', ...DEFAULT_ADAM_BETAS],
      ]);
      expect([(custom.optD as Adam).beta1, (custom.optG as Adam).beta2]).toEqual([0.9, 0.99]);
      expect(sgd.optD.name).toBe('SGD');
      // Adam's first step, from the moments it stores: m = (1 - b1) g and v = (1 - b2) g^2, so each
      // weight moves by -lr * g / (|g| + eps) (bias-corrected), about lr whatever the gradient's size
      // where |g| >> eps. SGD with momentum would move it by -lr * g.
      const params = () => [...a.D.parameters(), ...a.G.parameters()];
      const before = await Promise.all(params().map((p) => p.toArray()));
      a.startEpoch();
      a.iteration();
      const after = await Promise.all(params().map((p) => p.toArray()));
      const snap = await a.state();
      const [b1, b2] = DEFAULT_ADAM_BETAS;
      const names = [...a.D.parameters().map((_, i) => `optD.${'%'}.${i}`), ...a.G.parameters().map((_, i) => `optG.${'%'}.${i}`)];
      let large = 0;
      let total = 0;
      names.forEach((name, i) => {
        const m = snap.tensors[name.replace('%', 'm')]!.data;
        const v = snap.tensors[name.replace('%', 'v')]!.data;
        for (let j = 0; j < m.length; j++) {
          const expected = (-lr * (m[j]! / (1 - b1))) / (Math.sqrt(v[j]! / (1 - b2)) + 1e-8);
          expect(Math.abs(after[i]![j]! - before[i]![j]! - expected)).toBeLessThan(1e-4 * lr + 2e-8);
          if (Math.abs(expected) > lr / 2) large++;
          total++;
        }
      });
      expect(large).toBeGreaterThan(total / 10); // not a vacuous check: many weights moved by ~lr
      const rec = await a.partialRecord();
      expect(rec!.momentum).toBe(DEFAULT_ADAM_BETAS[0]); // the record's momentum is Adam's beta1

      // The checkpoint holds both moments and each parameter's step count; b continues exactly.
      expect(Object.keys(snap.tensors)).toEqual(expect.arrayContaining(['optD.m.0', 'optD.v.0', 'optG.m.0', 'optG.v.0']));
      expect(JSON.parse(snap.meta.optD.extra!.steps!)).toEqual(a.D.parameters().map(() => 1));
      b.restore(snap.tensors, snap.meta);
      const [ra, rb] = [await a.runEpoch(), await b.runEpoch()];
      expect(rb).toEqual({ ...ra!, seconds: rb!.seconds, msPerIteration: rb!.msPerIteration });
      expect(await snapshot(b)).toEqual(await snapshot(a));
      // An SGD run's checkpoint is not an Adam run's, and the other way round.
      expect(() => sgd.restore(snap.tensors, snap.meta)).toThrow(
        "GanTrainer.restore: the checkpoint's run trained with optimizer 'adam'; this trainer's config has 'sgd'",
      );
    } finally {
      a.dispose();
      b.dispose();
      custom.dispose();
      sgd.dispose();
    }
  });

  it('optimizer and adamBetas are refused out of range, naming the field', () => {
    expect(() => new GanTrainer(tinyConfig({ optimizer: 'rmsprop' as 'adam' }), DATA, cpu)).toThrow(/optimizer is "rmsprop"; expected 'sgd' or 'adam'/);
    expect(() => new GanTrainer(tinyConfig({ optimizer: 'adam', adamBetas: [0.5, 1] }), DATA, cpu)).toThrow(
      /adamBetas is \[0.5,1\]; expected \[beta1, beta2\]/,
    );
  });

  it('dLr and gLr give one player its own learning rate, decayed on the same schedule', async () => {
    const trainer = new GanTrainer(tinyConfig({ dLr: 0.05, gLr: 0.3 }), DATA, cpu);
    const same = new GanTrainer(tinyConfig(), DATA, cpu);
    try {
      expect([trainer.optD.current().lr, trainer.optG.current().lr]).toEqual([0.05, 0.3]);
      expect([same.optD.current().lr, same.optG.current().lr]).toEqual([0.1, 0.1]);
      const rec = await trainer.runEpoch();
      const decay = 1.000004 ** 6;
      expect(rec!.lrD).toBeCloseTo(0.05 / decay, 12);
      expect(rec!.lrG).toBeCloseTo(0.3 / decay, 12);
    } finally {
      trainer.dispose();
      same.dispose();
    }
  });

  it('--update simultaneous: both players take their gradients from one minibatch and the same fake batch', async () => {
    // No dropout, so the same forward pass can be recomputed by hand.
    const cfg = tinyConfig({
      update: 'simultaneous',
      discriminator: { ...preset('tiny').discriminator, keepInput: 1, keepHidden: 1 },
    });
    const sim = new GanTrainer(cfg, DATA, cpu);
    const ref = new GanTrainer(cfg, DATA, cpu);
    const alt = new GanTrainer({ ...cfg, update: 'alternating' }, DATA, cpu);
    try {
      const noise0 = sim.noise.offset;
      sim.startEpoch();
      sim.iteration();
      // One batch of z for the whole iteration.
      expect(sim.noise.offset - noise0).toBe(Math.ceil((10 * cfg.generator.zDim) / 4));
      expect(sim.optD.stepCount).toBe(1);
      expect(sim.optG.stepCount).toBe(1);

      // By hand on an identical trainer: one z, one fake batch G(z); D's gradient of D's loss with
      // the fake batch held fixed, G's gradient of G's loss through the same D, then both updates.
      ref.startEpoch();
      const z = ref.sampleZ(10, ref.noise);
      const x = ref.data.batch(0);
      const fake = ref.G.forward(z);
      const fixed = noGrad(() => ref.G.forward(z));
      const dLoss = discriminatorLossStacked(ref.D.forward(concat([x, fixed], 0)), (ref as unknown as { targets: Tensor }).targets);
      for (const p of ref.G.parameters()) p.requiresGrad = false;
      dLoss.backward();
      for (const p of ref.G.parameters()) p.requiresGrad = true;
      for (const p of ref.D.parameters()) p.requiresGrad = false;
      const gLoss = generatorLoss(slice(ref.D.forward(concat([x, fake], 0)), [10, 0], [10, 1]));
      gLoss.backward();
      for (const p of ref.D.parameters()) p.requiresGrad = true;
      ref.optD.step();
      ref.optG.step();
      const a = await snapshot(sim);
      const b = await snapshot(ref);
      for (const name of Object.keys(a).filter((n) => n.startsWith('G.') || n.startsWith('D.'))) {
        a[name]!.forEach((v, i) => expect(Math.abs(v - b[name]![i]!), `${name}[${i}]`).toBeLessThan(1e-7));
      }
      // Alternating from the same start differs (fresh noise for G, and G sees the updated D).
      alt.startEpoch();
      alt.iteration();
      const c = await snapshot(alt);
      expect(c['G.l1.bias']).not.toEqual(a['G.l1.bias']);
    } finally {
      sim.dispose();
      ref.dispose();
      alt.dispose();
    }
  });

  it('the hot path: one submit per iteration and no read-back (WebGPU)', async () => {
    const device = await webgpu();
    const trainer = new GanTrainer(tinyConfig(), DATA, device);
    try {
      trainer.startEpoch();
      trainer.iteration();
      await trainer.runningStats();
      if (!isWebGpu(device)) throw new Error('expected a WebGPU device');
      const before = { ...device.counters };
      for (let i = 0; i < 3; i++) trainer.iteration();
      expect(device.counters.submits - before.submits).toBe(3);
      expect(device.counters.readbacks - before.readbacks).toBe(0);
    } finally {
      trainer.dispose();
    }
  });

  it.each([
    ['', {}],
    [' (with the moving average of G, gEma)', { gEma: 0.9 }],
    [' (with the warmed-up average of G, gEmaRampup)', { gEma: 0.99, gEmaRampup: 0.5 }],
    [' (with the learning-rate anneal, lrAnneal)', { lrAnneal: 0.5 }],
    [' (the conv preset on tiny channels)', tinyConvConfig()],
  ] as const)(
    'resuming from a checkpoint (at an epoch boundary and mid-epoch) gives exactly the parameters of an uninterrupted run, on every device%s',
    async (_, over) => {
      for (const device of await allDevices()) {
        const cfg = tinyConfig({ epochs: 2, ...over });
        const straight = new GanTrainer(cfg, DATA, device, VALID);
        await straight.runEpoch();
        await straight.runEpoch();
        const expected = await snapshot(straight);
        const expectedHistory = straight.history.map((r) => ({ ...r, seconds: 0, msPerIteration: 0 }));
        straight.dispose();

        const dir = mkdtempSync(join(tmpdir(), 'gan-resume-'));
        tmpDirs.push(dir);
        // First part: epoch 1, then 2 iterations of epoch 2, stopped.
        const first = new GanTrainer(cfg, DATA, device, VALID);
        await first.runEpoch();
        await saveCheckpoint(dir, first);
        let n = 0;
        expect(await first.runEpoch({ shouldStop: () => n++ >= 2 })).toBeNull();
        expect(first.iterInEpoch).toBe(2);
        await saveCheckpoint(dir, first);
        first.dispose();

        const { tensors, meta } = await loadCheckpoint(dir);
        expect(meta.epoch).toBe(1);
        expect(meta.iterInEpoch).toBe(2);
        const second = new GanTrainer(meta.config, DATA, device, VALID);
        second.restore(tensors, meta);
        await second.runEpoch();
        const got = await snapshot(second);
        expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
        expect(Object.keys(got).some((n) => n.startsWith('Gema.'))).toBe(Boolean(cfg.gEma));
        for (const name of Object.keys(expected)) expect(got[name], `${device.name}: ${name}`).toEqual(expected[name]);
        expect(second.optD.stepCount).toBe(12);
        expect(second.history.map((r) => ({ ...r, seconds: 0, msPerIteration: 0 }))).toEqual(expectedHistory);
        second.dispose();
      }
    },
  );
});

describe('the conv preset', () => {
  it('builds at full size: the shapes and parameter counts of its docstring, G draws [B, 784] in (0, 1), D gives [B, 1]', async () => {
    const trainer = new GanTrainer(preset('conv'), DATA, cpu, VALID);
    try {
      const count = (ps: Tensor[]) => ps.reduce((n, p) => n + p.size, 0);
      // G: Linear 100 -> 1568 (+ bias), ConvTranspose2d 32 -> 16 4x4 (+ bias), 16 -> 1 4x4 (no bias), pixel bias 784.
      expect(count(trainer.G.parameters())).toBe(100 * 1568 + 1568 + 32 * 16 * 16 + 16 + 16 * 16 + 784);
      // D: Conv2d 1 -> 16 4x4, 16 -> 32 4x4 (with biases), Linear 1568 -> 1.
      expect(count(trainer.D.parameters())).toBe(16 * 16 + 16 + 32 * 16 * 16 + 32 + 1568 + 1);
      const x = noGrad(() => trainer.G.forward(trainer.sampleZ(3, trainer.noise)));
      expect(x.shape).toEqual([3, 784]);
      const v = await x.toArray();
      expect(v.every((p) => p > 0 && p < 1)).toBe(true);
      expect(noGrad(() => trainer.D.forward(x)).shape).toEqual([3, 1]);
    } finally {
      trainer.dispose();
    }
  });

  it('tiny conv nets: one iteration on every device moves every parameter, with finite losses near log 2', async () => {
    for (const device of await allDevices()) {
      const trainer = new GanTrainer(tinyConvConfig(), DATA, device, VALID);
      try {
        const before = await snapshot(trainer);
        trainer.startEpoch();
        trainer.iteration();
        const s = await trainer.runningStats();
        expect(s.dSteps).toBe(1);
        expect(s.dLoss, device.name).toBeCloseTo(Math.log(2), 1);
        expect(Number.isFinite(s.gLoss)).toBe(true);
        const after = await snapshot(trainer);
        const moved = Object.keys(before).filter((n) => (n.startsWith('G.') || n.startsWith('D.')) && after[n]!.some((v, i) => v !== before[n]![i]));
        expect(moved.sort(), device.name).toEqual(
          Object.keys(before)
            .filter((n) => n.startsWith('G.') || n.startsWith('D.'))
            .sort(),
        );
      } finally {
        trainer.dispose();
      }
    }
  });

  it('refuses MLP widths beside the convolutions, naming the field', () => {
    expect(() => new GanTrainer({ ...preset('conv'), generator: { ...preset('conv').generator, hidden: [64] } }, DATA, cpu)).toThrow(
      /generator\.hidden.*expected \[\] with generator\.conv/,
    );
  });
});

describe('lrAnneal', () => {
  it("both players' learning rates follow the per-minibatch decay, then fall linearly to 0 over the run's last part; training before the fall is unchanged", async () => {
    for (const device of await allDevices()) {
      // 60 images, batch 10: 6 iterations an epoch, 12 in the run; the fall spans the last 3.
      const cfg = tinyConfig({ epochs: 2, logEvery: 1 });
      const plain = new GanTrainer(cfg, DATA, device, VALID);
      const annealed = new GanTrainer({ ...cfg, lrAnneal: 0.25 }, DATA, device, VALID);
      try {
        const expectedLr = (step: number) => (0.1 / 1.000004 ** step) * Math.min(1, (12 - step) / 3);
        // The rates the next step will use: before the run, then after each iteration.
        const seen: number[][] = [[annealed.optD.current().lr, annealed.optG.current().lr]];
        const onProgress = () => void seen.push([annealed.optD.current().lr, annealed.optG.current().lr]);
        await plain.runEpoch();
        await annealed.runEpoch({ onProgress });
        // After 6 iterations (half the run, before the fall): the same bits as without the anneal.
        const [a0, b0] = [await snapshot(plain), await snapshot(annealed)];
        for (const name of Object.keys(a0)) expect(b0[name], `${device.name}: ${name}`).toEqual(a0[name]);
        await plain.runEpoch();
        await annealed.runEpoch({ onProgress });
        expect(seen.length).toBe(13);
        seen.forEach(([d, g], step) => {
          expect(d, `${device.name}: D's lr at step ${step}`).toBeCloseTo(expectedLr(step), 12);
          expect(g, `${device.name}: G's lr at step ${step}`).toBeCloseTo(expectedLr(step), 12);
        });
        expect(seen[11]![0]).toBeCloseTo(0.1 / 1.000004 ** 11 / 3, 12);
        expect(seen[12]).toEqual([0, 0]);
        // The last steps moved less: the annealed run ends elsewhere.
        const [a, b] = [await snapshot(plain), await snapshot(annealed)];
        expect(b, device.name).not.toEqual(a);
      } finally {
        plain.dispose();
        annealed.dispose();
      }
    }
  });

  it('is refused outside [0, 1] with the field named', () => {
    expect(() => new GanTrainer(tinyConfig({ lrAnneal: 1.5 }), DATA, cpu, VALID)).toThrow(/lrAnneal is 1.5; expected a fraction in \[0, 1\]/);
  });
});

describe('the per-epoch shuffle', () => {
  it('is a permutation, repeatable from its seed, different between seeds', () => {
    const a = permutation(1000, 7n);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(permutation(1000, 7n)).toEqual(a);
    expect(permutation(1000, 8n)).not.toEqual(a);
  });

  it('gEma: the averaged G starts equal to G, follows average = d * average + (1 - d) * G after each G step, draws the samples, and leaves training unchanged', async () => {
    for (const device of await allDevices()) {
      const decay = 0.8;
      const plain = new GanTrainer(tinyConfig(), DATA, device, VALID);
      const averaged = new GanTrainer(tinyConfig({ gEma: decay }), DATA, device, VALID);
      try {
        expect(plain.Gema).toBeNull();
        expect(plain.sampler).toBe(plain.G);
        expect(averaged.sampler).toBe(averaged.Gema);
        const gOf = async (t: GanTrainer, prefix: string) =>
          Object.fromEntries(
            Object.entries(await snapshot(t))
              .filter(([n]) => n.startsWith(prefix))
              .map(([n, v]) => [n.slice(prefix.length), v]),
          );
        const g0 = await gOf(averaged, 'G.');
        expect(await gOf(averaged, 'Gema.'), device.name).toEqual(g0);
        const expected = Object.fromEntries(Object.entries(g0).map(([n, v]) => [n, Float64Array.from(v)]));
        plain.startEpoch();
        averaged.startEpoch();
        for (let i = 0; i < 3; i++) {
          plain.iteration();
          averaged.iteration();
          const g = await gOf(averaged, 'G.');
          for (const [n, v] of Object.entries(g)) v.forEach((x, j) => (expected[n]![j] = decay * expected[n]![j]! + (1 - decay) * x));
        }
        // The average takes no random draws and writes nothing G or D read: training is unchanged.
        const [a, b] = [await snapshot(plain), await snapshot(averaged)];
        for (const name of Object.keys(a)) expect(b[name], `${device.name}: ${name}`).toEqual(a[name]);
        const avg = await gOf(averaged, 'Gema.');
        for (const [n, v] of Object.entries(avg)) v.forEach((x, j) => expect(Math.abs(x - expected[n]![j]!), `${device.name}: ${n}[${j}]`).toBeLessThan(1e-6));
      } finally {
        plain.dispose();
        averaged.dispose();
      }
    }
  });
});
