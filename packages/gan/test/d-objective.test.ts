/**
 * D's objective with the R1 penalty (src/train/d-objective.ts), the one the trainer's D step
 * descends: its gradient with respect to D's parameters against central differences in float64 on
 * the CPU, the penalty's value against gamma/2 · mean ||∇ₓ D||² taken by finite differences, gamma 0
 * against no R1, and the trainer with R1 on every device.
 *
 * Dropout stays on (the tiny preset's keep 0.8 and 0.5): every evaluation restarts D's dropout
 * stream from the same state, so every evaluation draws the same masks and the objective is a
 * deterministic function of the parameters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, concat, copyInto, cpu, fromArray, memory, noGrad, rand, runBackward, sum, tidy, type Tensor } from '@saddle/autograd';
import { discriminatorLossStacked } from '../src/losses.js';
import { DiscriminatorNet, type DiscriminatorArch } from '../src/models.js';
import { preset, type GanConfig } from '../src/presets.js';
import { discriminatorObjective, r1GammaAt } from '../src/train/d-objective.js';
import { GanTrainer } from '../src/train/trainer.js';
import { loadCheckpoint, saveCheckpoint } from '../src/run/run-folder.js';
import { bars } from './fixtures/bars.js';
import { DEVICE_NAMES, deviceNamed } from '../../../test/support/devices.js';

const B = 4;
const D_IN = 6;
/** The tiny preset's D (maxout, 2 pieces, dropout 0.8 on the pixels and 0.5 above), on 6 inputs, with weights large enough to matter. */
const ARCH: DiscriminatorArch = { ...preset('tiny').discriminator, inDim: D_IN, units: [4], initRange: 0.5 };
const GAMMA = 10;

function setup() {
  const dropout = new Generator(11);
  const D = new DiscriminatorNet(ARCH, { device: cpu, init: new Generator(5), dtype: 'f64' }, dropout);
  const data = new Generator(3);
  const x = rand([B, D_IN], { dtype: 'f64', generator: data });
  const fake = rand([B, D_IN], { dtype: 'f64', generator: data });
  const targets = fromArray([...Array(B).fill(1), ...Array(B).fill(0)], [2 * B, 1], { dtype: 'f64' });
  return { D, dropout, x, fake, targets, masks: dropout.getState(), dispose: () => [D, x, fake, targets].forEach((t) => t.dispose()) };
}

type Setup = ReturnType<typeof setup>;

/** Reads tensors back and disposes them. */
async function take(ts: Tensor[]): Promise<Float64Array[]> {
  const out = await Promise.all(ts.map(async (t) => Float64Array.from(await t.toArray())));
  ts.forEach((t) => t.dispose());
  return out;
}

/** The objective's total and penalty (restarting the dropout stream: the same masks every time). */
async function evaluate(s: Setup, gamma: number | null): Promise<{ total: number; penalty: number | null }> {
  s.dropout.setState(s.masks);
  const o = tidy(() => {
    const o = discriminatorObjective((t) => s.D.forward(t), s.x, s.fake, s.targets, gamma);
    return o.penalty ? [o.total, o.penalty] : [o.total];
  });
  const [total, penalty] = await take(o);
  return { total: total![0]!, penalty: penalty ? penalty[0]! : null };
}

/** The gradient of the objective with respect to D's parameters, as the trainer takes it. */
async function analyticGrads(s: Setup, gamma: number | null): Promise<Float64Array[]> {
  s.dropout.setState(s.masks);
  const params = s.D.parameters();
  return take(
    tidy(() => {
      const o = discriminatorObjective((t) => s.D.forward(t), s.x, s.fake, s.targets, gamma);
      const g = runBackward(o.total, undefined, false, params);
      return params.map((p) => g.get(p)!);
    }),
  );
}

/** Writes `values` into a parameter (copyInto, as optimizers and checkpoints write parameters). */
function write(t: Tensor, values: Float64Array): void {
  const src = fromArray(values, t.shape, { dtype: 'f64' });
  copyInto(t, src);
  src.dispose();
}

describe('the D objective with R1, in float64 on the CPU', () => {
  it("its gradient with respect to D's parameters matches central differences of (D loss + penalty)", async () => {
    const s = setup();
    try {
      const analytic = await analyticGrads(s, GAMMA);
      const eps = 1e-6;
      let checked = 0;
      let largest = 0;
      for (const [pi, p] of s.D.parameters().entries()) {
        const values = Float64Array.from(await p.toArray());
        for (let i = 0; i < p.size; i++) {
          const v = values[i]!;
          values[i] = v + eps;
          write(p, values);
          const up = (await evaluate(s, GAMMA)).total;
          values[i] = v - eps;
          write(p, values);
          const down = (await evaluate(s, GAMMA)).total;
          values[i] = v;
          write(p, values);
          const numeric = (up - down) / (2 * eps);
          const a = analytic[pi]![i]!;
          expect(Math.abs(a - numeric), `${s.D.namedParameters()[pi]![0]}[${i}]: analytic ${a}, numeric ${numeric}`).toBeLessThanOrEqual(
            1e-6 * Math.max(Math.abs(numeric), 1e-3),
          );
          largest = Math.max(largest, Math.abs(a));
          checked++;
        }
      }
      expect(checked).toBe(6 * 8 + 8 + 4 + 1);
      expect(largest).toBeGreaterThan(1e-2);
      // The penalty moves the gradient: it is not the loss's alone.
      const plain = await analyticGrads(s, null);
      const moved = analytic.some((g, pi) => g.some((v, i) => Math.abs(v - plain[pi]![i]!) > 1e-6));
      expect(moved).toBe(true);
    } finally {
      s.dispose();
    }
  });

  it('the penalty equals gamma/2 · mean over rows of ||∇ₓ D(xᵢ)||², with ∇ₓ D by finite differences', async () => {
    const s = setup();
    try {
      const { penalty } = await evaluate(s, GAMMA);
      // The penalty's pass draws its masks after the loss's pass over the stacked batch: replay that draw.
      s.dropout.setState(s.masks);
      tidy(() => noGrad(() => s.D.forward(fromArray(new Float64Array(2 * B * D_IN), [2 * B, D_IN], { dtype: 'f64' }))));
      const penaltyMasks = s.dropout.getState();
      const xs = Float64Array.from(await s.x.toArray());
      const sumLogits = async (values: Float64Array): Promise<number> => {
        s.dropout.setState(penaltyMasks);
        const [v] = await take([tidy(() => noGrad(() => sum(s.D.forward(fromArray(values, [B, D_IN], { dtype: 'f64' })))))]);
        return v![0]!;
      };
      const eps = 1e-6;
      let squares = 0;
      for (let i = 0; i < xs.length; i++) {
        const up = Float64Array.from(xs);
        up[i]! += eps;
        const down = Float64Array.from(xs);
        down[i]! -= eps;
        squares += (((await sumLogits(up)) - (await sumLogits(down))) / (2 * eps)) ** 2;
      }
      const expected = (GAMMA / 2) * (squares / B);
      expect(expected).toBeGreaterThan(1e-3);
      expect(Math.abs(penalty! - expected)).toBeLessThanOrEqual(1e-7 * expected);
    } finally {
      s.dispose();
    }
  });

  it('gamma 0 is no R1: the same loss, and the same gradients bit for bit, as the loss alone', async () => {
    const s = setup();
    try {
      const r1Off = await analyticGrads(s, 0);
      s.dropout.setState(s.masks);
      const params = s.D.parameters();
      const lossOnly = await take(
        tidy(() => {
          const loss = discriminatorLossStacked(s.D.forward(concat([s.x, s.fake], 0)), s.targets);
          const g = runBackward(loss, undefined, false, params);
          return params.map((p) => g.get(p)!);
        }),
      );
      expect(r1Off).toEqual(lossOnly);
      expect((await evaluate(s, 0)).penalty).toBeNull();
    } finally {
      s.dispose();
    }
  });
});

describe('r1GammaAt: the R1 weight of each D step', () => {
  it('is 0 when R1 is off, gamma on every step by default, gamma·N on every N-th step with --r1-every N', () => {
    expect([0, 1, 2].map((d) => r1GammaAt({ r1Gamma: 0, r1Every: 1 }, d))).toEqual([0, 0, 0]);
    expect([0, 1, 2].map((d) => r1GammaAt({ r1Gamma: 5, r1Every: 1 }, d))).toEqual([5, 5, 5]);
    expect([0, 1, 2, 3, 4, 5, 6].map((d) => r1GammaAt({ r1Gamma: 5, r1Every: 3 }, d))).toEqual([15, 0, 0, 15, 0, 0, 15]);
  });
});

const DATA = bars(60);

function tinyConfig(over: Partial<GanConfig> = {}): GanConfig {
  return { ...preset('tiny'), trainN: 60, valN: 0, batch: 10, logEvery: 2, ...over };
}

/** Every parameter of G and D after `iters` iterations, read back. */
async function trainedParameters(
  config: GanConfig,
  device: Awaited<ReturnType<typeof deviceNamed>>,
  iters: number,
): Promise<{ params: number[][]; stats: Awaited<ReturnType<GanTrainer['runningStats']>> }> {
  const trainer = new GanTrainer(config, DATA, device);
  try {
    trainer.startEpoch();
    for (let i = 0; i < iters; i++) trainer.iteration();
    const stats = await trainer.runningStats();
    const params = await Promise.all([...trainer.G.parameters(), ...trainer.D.parameters()].map(async (p) => Array.from(await p.toArray())));
    return { params, stats };
  } finally {
    trainer.dispose();
  }
}

describe('the trainer with R1', () => {
  it('gamma 0 trains exactly as a config without R1 (bit for bit)', async () => {
    const off = await trainedParameters(tinyConfig(), cpu, 3);
    const zero = await trainedParameters(tinyConfig({ r1Gamma: 0, r1Every: 4 }), cpu, 3);
    expect(zero.params).toEqual(off.params);
  });

  it('lazy R1 (--r1-every N) applies gamma·N on D steps 0, N, 2N, ... and nothing between', async () => {
    // D step 0: every 3 with gamma 10 applies 30, as every step with gamma 30 does.
    const lazy1 = await trainedParameters(tinyConfig({ r1Gamma: 10, r1Every: 3 }), cpu, 1);
    expect(lazy1.params).toEqual((await trainedParameters(tinyConfig({ r1Gamma: 30 }), cpu, 1)).params);
    expect(lazy1.params).not.toEqual((await trainedParameters(tinyConfig(), cpu, 1)).params);
    // Which D steps ran the penalty: each penalty pass draws one set of dropout masks for B rows
    // from D's stream, so the stream's position counts them. k = 3, two iterations: D steps 0-5.
    const dropoutDraws = async (over: Partial<GanConfig>) => {
      const trainer = new GanTrainer(tinyConfig({ k: 3, ...over }), DATA, cpu);
      try {
        trainer.startEpoch();
        for (let i = 0; i < 2; i++) trainer.iteration();
        return trainer.dropout.offset;
      } finally {
        trainer.dispose();
      }
    };
    const off = await dropoutDraws({});
    const perPass = ((await dropoutDraws({ r1Gamma: 10 })) - off) / 6;
    expect(perPass).toBeGreaterThan(0);
    expect((await dropoutDraws({ r1Gamma: 10, r1Every: 3 })) - off).toBe(2 * perPass); // steps 0 and 3
    expect((await dropoutDraws({ r1Gamma: 10, r1Every: 4 })) - off).toBe(2 * perPass); // steps 0 and 4
    expect((await dropoutDraws({ r1Gamma: 10, r1Every: 7 })) - off).toBe(perPass); // step 0
  });

  it('a run with lazy R1 stopped mid-epoch and resumed from its checkpoint ends bit for bit as a straight run; an older config without the R1 fields resumes without R1', async () => {
    const cfg = tinyConfig({ epochs: 2, r1Gamma: 10, r1Every: 4 });
    const straight = new GanTrainer(cfg, DATA, cpu);
    await straight.runEpoch();
    await straight.runEpoch();
    const expected = await straight.state();
    straight.dispose();
    const dir = mkdtempSync(join(tmpdir(), 'gan-r1-resume-'));
    try {
      const first = new GanTrainer(cfg, DATA, cpu);
      await first.runEpoch();
      let n = 0;
      await first.runEpoch({ shouldStop: () => n++ >= 3 }); // 9 iterations in all: not a multiple of 4
      await saveCheckpoint(dir, first);
      first.dispose();
      const { tensors, meta } = await loadCheckpoint(dir);
      expect(meta.config.r1Gamma).toBe(10);
      const second = new GanTrainer(meta.config, DATA, cpu);
      second.restore(tensors, meta);
      await second.runEpoch();
      const got = await second.state();
      second.dispose();
      for (const [name, t] of Object.entries(expected.tensors)) expect(Array.from(got.tensors[name]!.data), name).toEqual(Array.from(t.data));

      // A checkpoint written before R1 existed has no r1Gamma / r1Every: it resumes, with R1 off.
      const old = structuredClone(meta.config) as Partial<GanConfig>;
      delete old.r1Gamma;
      delete old.r1Every;
      const resumedOld = new GanTrainer(old as GanConfig, DATA, cpu);
      expect([resumedOld.config.r1Gamma, resumedOld.config.r1Every]).toEqual([0, 1]);
      resumedOld.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(DEVICE_NAMES)(
    'on %s: a few iterations of the tiny preset with R1 (every step, lazy, simultaneous) stay finite and differ from the run without it',
    async (name) => {
      const device = await deviceNamed(name);
      const off = await trainedParameters(tinyConfig(), device, 3);
      for (const over of [{ r1Gamma: 10 }, { r1Gamma: 10, r1Every: 2, k: 2 }, { r1Gamma: 10, update: 'simultaneous' as const }]) {
        const on = await trainedParameters(tinyConfig(over), device, 3);
        for (const v of [on.stats.dLoss, on.stats.gLoss, on.stats.dReal, on.stats.dFake]) expect(Number.isFinite(v), JSON.stringify(over)).toBe(true);
        for (const p of on.params) expect(p.every(Number.isFinite), JSON.stringify(over)).toBe(true);
        if (!('k' in over) && !('update' in over)) expect(on.params).not.toEqual(off.params);
      }
    },
  );

  it.each(DEVICE_NAMES)('on %s: the penalty leaves nothing behind (live tensors and bytes flat from iteration to iteration)', async (name) => {
    const device = await deviceNamed(name);
    const trainer = new GanTrainer(tinyConfig({ r1Gamma: 10, r1Every: 2 }), DATA, device);
    try {
      trainer.startEpoch();
      const live: { liveTensors: number; liveBytes: number }[] = [];
      for (let i = 0; i < 6; i++) {
        trainer.iteration();
        const m = memory(device);
        live.push({ liveTensors: m.liveTensors, liveBytes: m.liveBytes });
      }
      for (const m of live.slice(2)) expect(m).toEqual(live[1]);
    } finally {
      trainer.dispose();
    }
  });
});
