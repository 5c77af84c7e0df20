import { describe, expect, it } from 'vitest';
import { Generator, cpu, fromArray, param, tidy } from '@saddle/autograd';
import { discriminatorLoss, discriminatorLossStacked, generatorLoss } from '../src/losses.js';
import { GeneratorNet, outputBiasFromData } from '../src/models.js';
import { GanTrainer } from '../src/train/trainer.js';
import { preset } from '../src/presets.js';
import { allDevices } from '../../../test/support/devices.js';

// Hand-computed: CE(1, l) = softplus(-l) = ln(1 + e^-l), CE(0, l) = softplus(l).
const sp = (x: number) => Math.log1p(Math.exp(x));
const REAL = [0, 2];
const FAKE = [-1, 3];
// real: (ln 2 + ln(1 + e^-2)) / 2 = (0.693147 + 0.126928) / 2
const CE1_REAL = (0.6931471805599453 + 0.1269280110429725) / 2;
// fake with target 0: (ln(1 + e^-1) + ln(1 + e^3)) / 2 = (0.313262 + 3.048587) / 2
const CE0_FAKE = (0.31326168751822286 + 3.048587351573742) / 2;
// fake with target 1: (ln(1 + e) + ln(1 + e^-3)) / 2 = (1.313262 + 0.048587) / 2
const CE1_FAKE = (1.3132616875182228 + 0.04858735157374205) / 2;

async function value(t: { toArray(): Promise<ArrayLike<number>> }): Promise<number> {
  return (await t.toArray())[0]!;
}

describe('GAN losses from logits', () => {
  it('hand-computed constants agree with softplus', () => {
    expect(CE1_REAL).toBeCloseTo((sp(-0) + sp(-2)) / 2, 12);
    expect(CE0_FAKE).toBeCloseTo((sp(-1) + sp(3)) / 2, 12);
    expect(CE1_FAKE).toBeCloseTo((sp(1) + sp(-3)) / 2, 12);
  });

  it('D loss = 0.5 [CE(1, D(x)) + CE(0, D(G(z)))], G losses non-saturating and saturating, on every device', async () => {
    for (const device of await allDevices()) {
      const real = fromArray(REAL, [2, 1], { device });
      const fake = fromArray(FAKE, [2, 1], { device });
      expect(await value(discriminatorLoss(real, fake))).toBeCloseTo(0.5 * (CE1_REAL + CE0_FAKE), 5);
      expect(await value(generatorLoss(fake, 'non-saturating'))).toBeCloseTo(CE1_FAKE, 5);
      expect(await value(generatorLoss(fake))).toBeCloseTo(CE1_FAKE, 5);
      expect(await value(generatorLoss(fake, 'saturating'))).toBeCloseTo(-CE0_FAKE, 5);
      // The stacked form (real rows then fake rows, targets 1 then 0) is the same number.
      const stacked = fromArray([...REAL, ...FAKE], [4, 1], { device });
      const targets = fromArray([1, 1, 0, 0], [4, 1], { device });
      expect(await value(discriminatorLossStacked(stacked, targets))).toBeCloseTo(0.5 * (CE1_REAL + CE0_FAKE), 5);
    }
  });

  it('stays finite and exact for saturated logits (where log(sigmoid) would give -Infinity)', async () => {
    for (const device of await allDevices()) {
      const real = fromArray([60, -60], [2, 1], { device });
      const fake = fromArray([-60, 60], [2, 1], { device });
      // CE(1, 60) ~ 0, CE(1, -60) = 60; CE(0, -60) ~ 0, CE(0, 60) = 60.
      expect(await value(discriminatorLoss(real, fake))).toBeCloseTo(0.5 * (30 + 30), 3);
      expect(await value(generatorLoss(fake, 'non-saturating'))).toBeCloseTo(30, 3);
      expect(await value(generatorLoss(fake, 'saturating'))).toBeCloseTo(-30, 3);
    }
  });

  it("gradients with respect to the logits: non-saturating (σ(l) - 1)/B, saturating -σ(l)/B, D's (σ(l) - t)/(2B)", async () => {
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    for (const device of await allDevices()) {
      const fake = param(fromArray(FAKE, [2, 1], { device }));
      generatorLoss(fake, 'non-saturating').backward();
      const gNs = await fake.grad!.toArray();
      FAKE.forEach((l, i) => expect(gNs[i]).toBeCloseTo((sig(l) - 1) / 2, 5));
      fake.grad!.dispose();
      fake.grad = null;
      generatorLoss(fake, 'saturating').backward();
      const gS = await fake.grad!.toArray();
      FAKE.forEach((l, i) => expect(gS[i]).toBeCloseTo(-sig(l) / 2, 5));
      // The non-saturating gradient is strong where D rejects the sample (l = -1: -0.37), the
      // saturating one weak (-0.13): Section 3's argument.
      expect(Math.abs(gNs[0]!)).toBeGreaterThan(Math.abs(gS[0]!));
      const real = param(fromArray(REAL, [2, 1], { device }));
      const fake2 = param(fromArray(FAKE, [2, 1], { device }));
      discriminatorLoss(real, fake2).backward();
      const gr = await real.grad!.toArray();
      const gf = await fake2.grad!.toArray();
      REAL.forEach((l, i) => expect(gr[i]).toBeCloseTo((sig(l) - 1) / 4, 5));
      FAKE.forEach((l, i) => expect(gf[i]).toBeCloseTo(sig(l) / 4, 5));
      for (const t of [fake, real, fake2]) t.dispose();
    }
  });
});

describe("G's output bias", () => {
  it('is the logit of the mean training pixel, clipped to [1e-7, 1 - 1e-7]', () => {
    // 3 images of 4 pixels: means 0, 1, 0.5, 0.25 (pixel 3: (0 + 0.25 + 0.5) / 3).
    const images = Float32Array.from([0, 1, 0, 0, /**/ 0, 1, 1, 0.25, /**/ 0, 1, 0.5, 0.5]);
    const b = outputBiasFromData(images, 3, 4);
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(b[0]).toBeCloseTo(logit(1e-7), 4); // -16.118
    expect(b[1]).toBeCloseTo(logit(1 - 1e-7), 4); // +16.118
    expect(b[2]).toBeCloseTo(0, 6);
    expect(b[3]).toBeCloseTo(logit(0.25), 5);
    expect(b[0]).toBeCloseTo(-16.1181, 3);
    // Only the first n images count.
    expect(outputBiasFromData(images, 1, 4)[2]).toBeCloseTo(logit(1e-7), 4);
  });

  it("is G's last-layer bias (other biases 0, weights within the init range), and an untrained G draws near the mean image", async () => {
    const n = 20;
    const images = Float32Array.from({ length: n * 784 }, (_, i) => ((i % 784) / 784) * ((Math.floor(i / 784) % 3) / 2));
    const trainer = new GanTrainer({ ...preset('tiny'), trainN: n, valN: 0, batch: 10 }, { images, n, d: 784 }, cpu);
    try {
      const expected = outputBiasFromData(images, n, 784);
      const layers = trainer.G.layers;
      const last = layers[layers.length - 1]!;
      expect(Array.from(await last.bias!.toArray())).toEqual(Array.from(expected));
      for (const l of layers.slice(0, -1)) expect(Array.from(await l.bias!.toArray()).every((v) => v === 0)).toBe(true);
      for (const l of layers) {
        const w = await l.weight.toArray();
        expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(trainer.config.generator.initRange);
      }
      for (const p of trainer.D.parameters()) {
        const w = await p.toArray();
        expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(trainer.config.discriminator.initRange);
      }
      // With small weights, G(z) is close to sigmoid(bias) = the clipped mean image.
      const z = trainer.sampleZ(4, new Generator(5));
      const x = await trainer.generate(z).toArray();
      const mean = new Float64Array(784);
      for (let i = 0; i < n; i++) for (let j = 0; j < 784; j++) mean[j]! += images[i * 784 + j]! / n;
      for (let j = 0; j < 784; j += 37) expect(Math.abs(x[j]! - mean[j]!)).toBeLessThan(0.05);
    } finally {
      trainer.dispose();
    }
  });

  it('GeneratorNet without an output bias has zeros there', async () => {
    const G = new GeneratorNet({ zDim: 3, hidden: [4], outDim: 5, initRange: 0.05 }, { device: cpu, init: new Generator(1) });
    expect(Array.from(await G.layers[1]!.bias!.toArray())).toEqual([0, 0, 0, 0, 0]);
    tidy(() => {
      expect(G.forward(fromArray(new Float32Array(6), [2, 3], { device: cpu })).shape).toEqual([2, 5]);
    });
    G.dispose();
    // outputInitRange bounds the output layer only.
    const G2 = new GeneratorNet({ zDim: 30, hidden: [40], outDim: 50, initRange: 0.2, outputInitRange: 0.01 }, { device: cpu, init: new Generator(2) });
    const w0 = Array.from(await G2.layers[0]!.weight.toArray(), Math.abs);
    const w1 = Array.from(await G2.layers[1]!.weight.toArray(), Math.abs);
    expect(Math.max(...w0)).toBeGreaterThan(0.1);
    expect(Math.max(...w1)).toBeLessThanOrEqual(0.01);
    G2.dispose();
  });
});
